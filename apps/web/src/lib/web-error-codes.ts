/**
 * The web app's own codes: errors it names itself (browser media errors, the network, a room that ended
 * under us). They never travel on the wire, so they are not in the catalogue of `@hoot/contracts`.
 */
export enum WebErrorCode {
  /** The browser refused camera or microphone (`NotAllowedError`, `SecurityError`). */
  MediaDenied = 'media.denied',
  /** No camera or microphone (`NotFoundError`, `OverconstrainedError`). */
  MediaNotFound = 'media.not-found',
  /** `fetch` failed below HTTP (its `TypeError`). */
  Offline = 'web.offline',
  /** An error with no code of ours (a browser exception, anything unknown): never shown as is. */
  Unexpected = 'web.unexpected',
  /** The session's `kicked` event. */
  RoomKicked = 'room.kicked',
  /** The session's `ended` event. */
  RoomEnded = 'room.ended',
  /** The session gave up reconnecting. */
  ConnectionLost = 'room.connection-lost',
}
