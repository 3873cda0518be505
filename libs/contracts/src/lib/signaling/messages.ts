/**
 * CASH's signaling protocol (apps/cash README, "Signaling protocol"): JSON text frames over
 * `ws(s)://<coremx>/signal`. One set of types for both sides: CASH parses `ClientMessage`s and sends
 * `ServerMessage`s; the SDK sends `ClientSignal`s (it adds the `id`) and reads `ServerSignal`s — the same types.
 */
import type { MediaKind, RoomPatch, RoomView, StreamSource } from '@hoot/domain';

/**
 * An ICE candidate on the wire (`RTCIceCandidateInit` with the fields CASH accepts). CASH reads
 * `usernameFragment` but does not keep it; a media server's candidate (`MediaIceCandidate` of `@hoot/media`)
 * is one of these, and one of these is a media server's candidate.
 */
export interface IceCandidate {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
  usernameFragment?: string;
}

/** Relayed as is between the two sides of a p2p call. */
export type P2pSignal =
  | { kind: 'offer'; sdp: string }
  | { kind: 'answer'; sdp: string }
  | { kind: 'candidate'; candidate: IceCandidate };

/** Who is who in a p2p call. */
export interface P2pPeers {
  callerId: string;
  calleeId: string;
  /** Who sends the WebRTC offer (the callee). */
  offererId: string;
}

/**
 * A viewer's access to one live LL-HLS stream of a p2m room (issue 18): the publisher's stream on the media
 * server goes to the CoreMX's packager over RTP, and viewers play it over HTTP instead of holding a WebRTC
 * connection. Handed to every participant but its publisher, in `joined` and as `hls-stream`.
 */
export interface HlsStreamAccess {
  publisherId: string;
  /** Absent for the camera (as everywhere in this protocol). */
  stream?: 'screen';
  /** The packager's stream id: a new one every time the publisher (re)starts publishing. */
  streamId: string;
  /**
   * Absolute URL of the LL-HLS media playlist with the viewer token in its query (`?token=…`); every URI in
   * the playlist carries the same token. The token names one conference and one stream.
   */
  playlistUrl: string;
  /** When the token stops being accepted (ISO 8601). CASH pushes a fresh `hls-stream` well before. */
  expiresAt: string;
}

/** Why a recording stopped. */
export const RECORDING_STOP_REASONS = ['stopped', 'storage-full', 'room-ended', 'failed'] as const;
export type RecordingStopReason = (typeof RECORDING_STOP_REASONS)[number];

/** A recording of the room under way (issue 18): every published stream is kept on the CoreMX's volume. */
export interface RecordingStatus {
  recordingId: string;
  /** ISO 8601. */
  startedAt: string;
  /** The participant id (the account's identity) that started it. */
  startedBy: string;
}

/**
 * What a client asks for, without its correlation id. A `displayName` in `join` is still accepted (older
 * clients send it) but ignored: names come from the account.
 *
 * A participant has up to two streams, each on a media connection of its own: its camera (`audio`
 * and/or `video`) and its shared screen (`publish` with `kinds: ["screen"]`, alone). Messages about one
 * stream say which with `stream: "camera" | "screen"`; absent is the camera (so clients that know no
 * screens speak as before). CASH's messages carry `stream: "screen"` for the screen and no `stream` for
 * the camera.
 */
export type ClientSignal =
  | { type: 'join'; ticket: string; displayName?: string }
  | { type: 'join'; accessToken: string; roomId: string; displayName?: string }
  | { type: 'publish'; kinds: MediaKind[]; sdpOffer?: string }
  | { type: 'unpublish'; stream?: StreamSource }
  | { type: 'subscribe'; publisherId: string; stream?: StreamSource; sdpOffer: string }
  | { type: 'unsubscribe'; publisherId: string; stream?: StreamSource }
  | { type: 'ice'; publisherId: string; stream?: StreamSource; candidate: IceCandidate }
  | { type: 'raise-hand' }
  | { type: 'lower-hand' }
  | { type: 'approve'; target: string }
  | { type: 'deny'; target: string }
  | { type: 'kick'; target: string }
  | { type: 'unban'; identity: string }
  | { type: 'leave' }
  | { type: 'end' }
  | { type: 'p2p-signal'; signal: P2pSignal }
  | { type: 'chat'; text: string }
  /** The conference's creator starts or stops recording the room (else `NOT_CREATOR`). */
  | { type: 'record'; action: 'start' | 'stop' };

/** A client frame: a `ClientSignal` with its optional `id` (≤ 64 chars), echoed as `re` in the answer. */
export type ClientMessage = ClientSignal & { id?: string };

export type ClientMessageType = ClientMessage['type'];

/** Answers to a client message (`re` echoes its `id`). */
export type SignalAnswer =
  | {
      type: 'joined';
      re?: string;
      participantId: string;
      room: RoomView;
      p2p?: P2pPeers;
      /** The live HLS streams of a p2m room (not the joiner's own), when its CoreMX has a packager. */
      hls?: HlsStreamAccess[];
      /** The recording under way, if any. */
      recording?: RecordingStatus;
    }
  | { type: 'publish-answer'; re?: string; stream?: 'screen'; sdpAnswer: string }
  | { type: 'subscribe-answer'; re?: string; publisherId: string; stream?: 'screen'; sdpAnswer: string }
  | { type: 'ok'; re?: string };

/** What CASH pushes on its own. */
export type ServerPush =
  | { type: 'patch'; patch: RoomPatch }
  | { type: 'ice'; publisherId: string; stream?: 'screen'; candidate: IceCandidate }
  | { type: 'stream-ready'; publisherId: string; stream?: 'screen' }
  | { type: 'stream-ended'; publisherId: string; stream?: 'screen' }
  | { type: 'publish-request'; participantId: string }
  /** Publish and subscribe again; `reason` is `media-server-restarted` today (clients tolerate others). */
  | { type: 'reoffer'; reason: string }
  | { type: 'p2p-signal'; from: string; signal: P2pSignal }
  | { type: 'kicked'; by: string }
  | { type: 'room-ended'; reason: string }
  /** A live HLS stream started, or its token was renewed (same `streamId`, new `playlistUrl`). */
  | { type: 'hls-stream'; access: HlsStreamAccess }
  /** A live HLS stream ended (its playlist now has `EXT-X-ENDLIST`). */
  | { type: 'hls-ended'; publisherId: string; stream?: 'screen'; streamId: string }
  /** Recording of the room started or stopped (to everyone in the room: participants are told). */
  | { type: 'recording-started'; recording: RecordingStatus }
  | { type: 'recording-stopped'; recordingId: string; reason: RecordingStopReason };

/**
 * A refusal: it changed nothing and the connection stays open. `code` is a code of the catalogue
 * (`CashErrorCode` or `RoomErrorCode`), typed `string` on the wire because a client must tolerate codes
 * newer than itself.
 */
export interface SignalRefusal {
  type: 'error';
  re?: string;
  code: string;
  message: string;
  retryAfterS?: number;
}

/** What CASH sends. */
export type ServerMessage = SignalAnswer | ServerPush | SignalRefusal;

/** The SDK's name of the same type. */
export type ServerSignal = ServerMessage;

export type ServerMessageType = ServerMessage['type'];

/** The answer type of each request type. */
export interface SignalAnswerOf {
  join: Extract<SignalAnswer, { type: 'joined' }>;
  publish: Extract<SignalAnswer, { type: 'publish-answer' | 'ok' }>;
  subscribe: Extract<SignalAnswer, { type: 'subscribe-answer' }>;
  unpublish: Extract<SignalAnswer, { type: 'ok' }>;
  unsubscribe: Extract<SignalAnswer, { type: 'ok' }>;
  ice: Extract<SignalAnswer, { type: 'ok' }>;
  'raise-hand': Extract<SignalAnswer, { type: 'ok' }>;
  'lower-hand': Extract<SignalAnswer, { type: 'ok' }>;
  approve: Extract<SignalAnswer, { type: 'ok' }>;
  deny: Extract<SignalAnswer, { type: 'ok' }>;
  kick: Extract<SignalAnswer, { type: 'ok' }>;
  unban: Extract<SignalAnswer, { type: 'ok' }>;
  leave: Extract<SignalAnswer, { type: 'ok' }>;
  end: Extract<SignalAnswer, { type: 'ok' }>;
  'p2p-signal': Extract<SignalAnswer, { type: 'ok' }>;
  chat: Extract<SignalAnswer, { type: 'ok' }>;
  record: Extract<SignalAnswer, { type: 'ok' }>;
}

/** Every type of message CASH pushes unasked (not an answer to a request). */
export const SERVER_PUSH_TYPES = [
  'patch',
  'ice',
  'stream-ready',
  'stream-ended',
  'publish-request',
  'reoffer',
  'p2p-signal',
  'kicked',
  'room-ended',
  'hls-stream',
  'hls-ended',
  'recording-started',
  'recording-stopped',
] as const satisfies readonly ServerPush['type'][];
const PUSH_TYPES = new Set<string>(SERVER_PUSH_TYPES);

/** True for what CASH pushes on its own (not an answer, not a refusal). */
export function isServerPush(message: ServerMessage): message is ServerPush {
  return PUSH_TYPES.has(message.type);
}
