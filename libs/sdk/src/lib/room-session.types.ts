import type { ChildView, Clock, ParticipantView, RoomRole, RoomView } from '@hoot/domain';
import type { JoinAnswer } from '@hoot/contracts';
import type {
  HlsStreamAccess,
  IceCandidate,
  P2pSignal,
  RecordingStatus,
  RecordingStopReason,
} from '@hoot/contracts';
import type { WebSocketLike } from './web-socket';

/*
 * The public vocabulary of `RoomSession`: its options and reconnection policy (with the defaults and
 * their reasons), its states, the events it emits, and `RoomSessionClient`, the port to the client that
 * opened it. Types and defaults only; the behaviour is in `room-session.ts`, the reconnection rules in
 * `room-reconnect.ts` and the events derived from the room in `room-events.ts`.
 */

/** How a session joins again after losing its connection. */
export interface ReconnectPolicy {
  /** Pause before the second attempt (the first is immediate). */
  initialDelayMs: number;
  /** Longest pause between attempts (a `Retry-After` may ask for more, and is honoured). */
  maxDelayMs: number;
  /** Growth of the pause per attempt (≥ 1). */
  factor: number;
  /** Give up when the next attempt would start this long after the connection was lost. */
  budgetMs: number;
}

/** Tunables of `RoomSession`, each with its reason. */
export const ROOM_SESSION_DEFAULTS = {
  reconnect: {
    /** A dropped connection to a healthy CoreMX is back within a round trip: retry soon. */
    initialDelayMs: 250,
    /**
     * Without a Retry-After, pauses grow to this. While a CoreMX fails over the registry answers 503 +
     * Retry-After 1 s (`failover: true`), and the session retries after exactly that.
     */
    maxDelayMs: 5_000,
    /** Doubling: 0.25, 0.5, 1, 2, 4, 5, 5 … s. */
    factor: 2,
    /**
     * A crashed CoreMX is declared down within seconds (suspect at 1.5 s, probed by its cloud's primary;
     * the hard timeout is a minute) and its conferences re-homed right after; two minutes covers that.
     */
    budgetMs: 120_000,
  },
} as const satisfies { reconnect: ReconnectPolicy };

export interface JoinRoomOptions {
  /** Shown to the others (else the name in the ticket). */
  displayName?: string;
  /** Overrides the client's WebSocket class (in Node: `ws`'s `WebSocket`). */
  WebSocket?: WebSocketLike;
  /** Reconnection after an unexpected close or a missed patch; `false` turns it off. */
  reconnect?: Partial<ReconnectPolicy> | false;
  /** Use this ticket (e.g. from a web link) for the first join instead of asking the registry. */
  joinAnswer?: Pick<JoinAnswer, 'ticket' | 'signalingUrl'> & Partial<JoinAnswer>;
  /** Deadline to open the signaling connection, default 10000 ms. */
  connectTimeoutMs?: number;
  /** Deadline of each signaling request, default 15000 ms. */
  requestTimeoutMs?: number;
}

export type RoomSessionState = 'joined' | 'reconnecting' | 'closed';

/** Why a session closed for good. */
/** `replaced`: a newer session of the same account joined the room (another tab, a reload) and took its place. */
export type RoomCloseReason = 'left' | 'kicked' | 'ended' | 'failed' | 'replaced';
/** Why a session is joining again (see the `reconnecting` event). */
export type ReconnectReason = 'connection-lost' | 'version-gap' | 'room-closed';

export interface RoomSessionEvents {
  /** The room view after every change (patch, or a new snapshot after reconnecting). */
  change: RoomView;
  'participant-joined': ParticipantView;
  'participant-left': ParticipantView;
  'role-changed': { participant: ParticipantView; from: RoomRole; to: RoomRole };
  'owner-changed': { from: string | null; to: string | null };
  'hand-raised': ParticipantView;
  'hand-lowered': ParticipantView;
  /** To the owner: someone raised a hand (approve or deny it). */
  'publish-request': { participantId: string; participant: ParticipantView | undefined };
  /** A publisher's stream is on the media server: its camera, or (`stream: 'screen'`) its shared screen. */
  'stream-ready': { publisherId: string; stream?: 'screen' };
  'stream-ended': { publisherId: string; stream?: 'screen' };
  /**
   * A media-server ICE candidate for your publish endpoint (`publisherId` = you) or a subscription;
   * `stream: 'screen'` for the shared screen's.
   */
  ice: { publisherId: string; stream?: 'screen'; candidate: IceCandidate };
  'p2p-signal': { from: string; signal: P2pSignal };
  /** The media server restarted: publish again, then re-subscribe on `stream-ready`. */
  reoffer: { reason: string };
  chat: ChildView;
  /**
   * p2m rooms with a packager: a live LL-HLS stream of another participant to play instead of subscribing
   * over WebRTC, or (`renewed: true`, same `streamId`) its access again with a fresh token in `playlistUrl`.
   */
  'hls-stream': { access: HlsStreamAccess; renewed: boolean };
  /** That HLS stream ended (its publisher stopped, left, or its media was rebuilt). */
  'hls-ended': { publisherId: string; stream?: 'screen'; streamId: string };
  /** The room is being recorded (every published stream is kept). */
  'recording-started': { recording: RecordingStatus };
  'recording-stopped': { recordingId: string; reason: RecordingStopReason };
  kicked: { by: string | undefined };
  ended: { reason: string };
  /** The connection is lost (or a patch was missed): the session joins again on its own. */
  /**
   * `room-closed`: the platform closed the room with people in it (its CoreMX drained past the deadline
   * or stopped); the registry opens it again, there or elsewhere, on the next join.
   */
  reconnecting: { reason: ReconnectReason; code?: number };
  /** Joined again (maybe on another CoreMX): publish and subscribe again. */
  reconnected: {
    participantId: string;
    coremxId: string | undefined;
    previousCoremxId: string | undefined;
    address: string;
    room: RoomView;
  };
  error: Error;
  /** The session is over; no more events follow. */
  closed: { reason: RoomCloseReason };
}

/**
 * What a room session needs from the client that opened it: time, a join ticket (again after a lost
 * connection) and the WebSocket class. `HootClient` is the one; the port keeps this file from importing it.
 */
export interface RoomSessionClient {
  readonly clock: Clock;
  join(address: string): Promise<JoinAnswer>;
  webSocketClass(): WebSocketLike | undefined;
}
