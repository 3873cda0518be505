import type { RoomErrorCode } from '@hoot/domain';

/**
 * CASH's own refusal codes (besides the room rules' `RoomErrorCode`s, which pass through unchanged).
 * WebSocket errors carry them as `code`; CASH's service API answers them as problem+json with the code
 * `cash.<kebab-case>` (`cashProblemCode`) and the status of `httpStatusOf`. Stable: never rename one, only add.
 */
export enum CashErrorCode {
  /** The frame is not JSON, or not a JSON object. */
  MessageMalformed = 'MESSAGE_MALFORMED',
  /** The frame is larger than `SIGNAL_MAX_MESSAGE_BYTES`, or binary. */
  MessageTooLarge = 'MESSAGE_TOO_LARGE',
  /** `type` is missing or unknown. */
  UnknownType = 'UNKNOWN_TYPE',
  /** A field is missing, of the wrong type, too long, or unknown. */
  InvalidMessage = 'INVALID_MESSAGE',
  /** Anything but `join` before joining. */
  NotJoined = 'NOT_JOINED',
  /** `join` on a connection that has joined already. */
  AlreadyJoined = 'ALREADY_JOINED',
  /** The join ticket is not a valid ticket (malformed, bad signature, expired, revoked, wrong claims). */
  TicketInvalid = 'TICKET_INVALID',
  /** The ticket has expired (tickets are short-lived: ask the registry for a new one). */
  TicketExpired = 'TICKET_EXPIRED',
  /** The ticket (or its holder's tokens) was revoked. */
  TicketRevoked = 'TICKET_REVOKED',
  /** The ticket is for another CoreMX (audience). */
  TicketWrongCoreMx = 'TICKET_WRONG_COREMX',
  /** The keys to check tickets cannot be fetched right now; retry. */
  TicketKeysUnavailable = 'TICKET_KEYS_UNAVAILABLE',
  /** An access token in `join` is not a valid user token (malformed, bad signature, wrong audience, bad claims). */
  TokenInvalid = 'TOKEN_INVALID',
  /** The access token in `join` has expired (refresh it, or ask the registry for a join ticket). */
  TokenExpired = 'TOKEN_EXPIRED',
  /** The access token in `join` (or its holder's tokens) was revoked. */
  TokenRevoked = 'TOKEN_REVOKED',
  /** A join with an access token into a room whose owner and `allowed` list do not include the token's identity. */
  NotEntitled = 'NOT_ENTITLED',
  /** No such room (service API, or a room that ended). */
  RoomNotFound = 'ROOM_NOT_FOUND',
  /** A room with this id exists with other settings. */
  RoomExists = 'ROOM_EXISTS',
  /** Load is over the high watermark: no new rooms or joins (retry later). */
  Overloaded = 'OVERLOADED',
  /** The CoreMX is draining: no new rooms. */
  Draining = 'DRAINING',
  /** The media server failed or is unavailable. */
  MediaUnavailable = 'MEDIA_UNAVAILABLE',
  /** The media server refused the SDP offer. */
  SdpRejected = 'SDP_REJECTED',
  /** The publisher has no stream to subscribe to (yet). */
  StreamNotReady = 'STREAM_NOT_READY',
  /** No subscription to that publisher. */
  NotSubscribed = 'NOT_SUBSCRIBED',
  /** A subscription to oneself. */
  CannotSubscribeSelf = 'CANNOT_SUBSCRIBE_SELF',
  /** A media server action in a p2p room (media goes peer to peer there), or p2p-signal elsewhere. */
  WrongRoomMedia = 'WRONG_ROOM_MEDIA',
  /** Publishing again while a publish endpoint exists (unpublish first). */
  AlreadyPublishing = 'ALREADY_PUBLISHING',
  /** A p2p offer from the caller (the callee sends the offer, seed 001) or a signal to nobody. */
  P2pSignalRefused = 'P2P_SIGNAL_REFUSED',
  /** The event journal refused an event (disk full, failed): the change was not made. */
  EventsUnavailable = 'EVENTS_UNAVAILABLE',
  /** Recording (or live HLS) is not available on this CoreMX: no packager or no recording volume, or a p2p call. */
  RecordingUnavailable = 'RECORDING_UNAVAILABLE',
  /** The recording volume is full (its limit reached): nothing is recorded; the call goes on. */
  RecordingStorageFull = 'RECORDING_STORAGE_FULL',
  /** `record start` while the room is being recorded. */
  AlreadyRecording = 'ALREADY_RECORDING',
  /** `record stop` while nothing is recorded. */
  NotRecording = 'NOT_RECORDING',
  /** A reserve whose `movedFrom.coremxId` is this CoreMX (a conference cannot move to where it is). */
  MovedFromSelf = 'MOVED_FROM_SELF',
  /**
   * A reserve whose `room.reserved` event would exceed what CCES consumers accept (`CCES_MAX_VALUE_BYTES`):
   * in practice a long `allowed` list. Refused rather than dead-lettered by every registry.
   */
  ReservationTooLarge = 'RESERVATION_TOO_LARGE',
  /** The join ticket joined once already: tickets are single use (ask the registry for a new one). */
  TicketUsed = 'TICKET_USED',
  /** Too many messages (or chat messages) on this connection or for this identity: slow down (`retryAfterS`). */
  RateLimited = 'RATE_LIMITED',
  /** Too many connections from this address that have not joined yet: the new one is closed. */
  TooManyConnections = 'TOO_MANY_CONNECTIONS',
  /** No `join` arrived within `SIGNAL_JOIN_TIMEOUT_MS`: the connection is closed. */
  JoinTimeout = 'JOIN_TIMEOUT',
  /** A new session of the same identity joined the room and took this one's place: it is closed (4009). */
  SessionReplaced = 'SESSION_REPLACED',
  /** An unexpected failure while handling a signaling message; details are in CASH's log, never in the answer. */
  Internal = 'INTERNAL',
}

/** What CASH's service API calls a code in problem+json: `OVERLOADED` → `cash.overloaded` (the dotted style). */
export type CashProblemCode = `cash.${string}`;

/** `OVERLOADED` → `cash.overloaded`, `ROOM_ENDED` → `cash.room-ended`. */
export function cashProblemCode(code: CashErrorCode | RoomErrorCode): CashProblemCode {
  return `cash.${code.toLowerCase().replace(/_/g, '-')}`;
}
