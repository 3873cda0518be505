import type { Clock, MediaKind, RoomView, StreamSource } from '@hoot/domain';
import type { HlsStreamAccess } from '@hoot/contracts';
import type { IceCandidateLike, MediaEnvironment, MediaStreamLike } from './media-environment';
import type { DeviceChangeReason, DeviceKind, MediaDeviceChoice } from './media-devices';

/**
 * The public vocabulary of `MediaSession`: what it needs of a joined room (`MediaRoomSession` and the
 * room events it follows), the events it emits, its options and what it reports about its connections.
 * Types only; the behaviour lives in `media-session.ts` and the units it delegates to.
 */

/** A p2p signal as CASH relays it (`p2p-signal`). */
export type MediaP2pSignal =
  | { kind: 'offer'; sdp: string }
  | { kind: 'answer'; sdp: string }
  | { kind: 'candidate'; candidate: { candidate: string; sdpMid: string; sdpMLineIndex: number } };

/** The room events `MediaSession` follows (a subset of `RoomSessionEvents`). */
export interface MediaRoomEvents {
  change: RoomView;
  'participant-left': { participantId: string };
  /** `stream: 'screen'`: the publisher's shared screen (its second stream), else its camera. */
  'stream-ready': { publisherId: string; stream?: 'screen' };
  'stream-ended': { publisherId: string; stream?: 'screen' };
  ice: { publisherId: string; stream?: 'screen'; candidate: IceCandidateLike };
  'p2p-signal': { from: string; signal: MediaP2pSignal };
  reoffer: { reason: string };
  reconnected: { participantId: string };
  /** A live LL-HLS stream to play instead of a WebRTC subscription (p2m), or its renewed access. */
  'hls-stream': { access: HlsStreamAccess; renewed: boolean };
  'hls-ended': { publisherId: string; stream?: 'screen'; streamId: string };
}

/**
 * What `MediaSession` needs of a joined room (the SDK's `RoomSession` has all of it): the current room
 * object, our participant id, its events and the media commands of the signaling protocol.
 */
export interface MediaRoomSession {
  readonly room: RoomView;
  readonly participantId: string;
  /**
   * The live LL-HLS streams of others we may play (p2m rooms with a packager; newest access of each).
   * Absent or empty: every stream is received over WebRTC.
   */
  readonly hlsStreams?: readonly HlsStreamAccess[];
  /** Returns the unsubscribe function. */
  on<K extends keyof MediaRoomEvents>(event: K, listener: (payload: MediaRoomEvents[K]) => void): () => void;
  /** With an SDP offer in SFU rooms (answered with `sdpAnswer`); without in p2p (room state only). */
  publish(kinds: MediaKind[], sdpOffer?: string): Promise<{ sdpAnswer?: string }>;
  /** The camera, or (`'screen'`) the shared screen. */
  unpublish(stream?: StreamSource): Promise<unknown>;
  subscribe(publisherId: string, sdpOffer: string, stream?: StreamSource): Promise<{ sdpAnswer: string }>;
  unsubscribe(publisherId: string, stream?: StreamSource): Promise<unknown>;
  addIceCandidate(
    publisherId: string,
    candidate: { candidate: string; sdpMid: string; sdpMLineIndex: number },
    stream?: StreamSource,
  ): Promise<unknown>;
  p2pSignal(signal: MediaP2pSignal): Promise<unknown>;
}

export interface MediaSessionEvents {
  'local-stream': { stream: MediaStreamLike; kinds: MediaKind[] };
  'local-stream-removed': Record<string, never>;
  'remote-stream': { participantId: string; stream: MediaStreamLike };
  'remote-stream-removed': { participantId: string };
  /** Our shared screen, from `startScreenShare` until it stops (by us, the browser's bar, or a refusal). */
  'local-screen': { stream: MediaStreamLike };
  'local-screen-removed': Record<string, never>;
  /** Another participant's shared screen. */
  'remote-screen': { participantId: string; stream: MediaStreamLike };
  'remote-screen-removed': { participantId: string };
  /**
   * p2m rooms with a packager: another participant's stream (its camera, or `stream: 'screen'`) to play
   * over LL-HLS (`HlsPlayer`) — no WebRTC connection is made for it. Emitted again with `renewed: true`
   * and the same `streamId` when its token was renewed (hand it to the same player), and with a new
   * `streamId` when the publisher started over (the player loads the new stream).
   */
  'remote-hls': { participantId: string; stream?: 'screen'; access: HlsStreamAccess; renewed: boolean };
  /** That HLS stream ended: stop its player. */
  'remote-hls-ended': { participantId: string; stream?: 'screen'; streamId: string };
  /** A media step failed (camera refused, SDP refused, …); the session keeps going. */
  error: { error: unknown; step: string };
  /** The device of a kind changed (`deviceId` undefined: the browser's default); see `switchDevice`. */
  'device-change': { kind: DeviceKind; deviceId: string | undefined; reason: DeviceChangeReason };
}

export interface MediaSessionOptions {
  environment?: MediaEnvironment;
  /** Preferred camera size (ideal, not exact). */
  video?: { width: number; height: number };
  /** The camera and microphone to open (device ids, e.g. chosen before joining); the defaults otherwise. */
  devices?: MediaDeviceChoice;
  /** Timers of the health check (the system clock by default). */
  clock?: Clock;
  /**
   * The health check: every `intervalMs` each connection's counters are read (video frames decoded and
   * audio packets received per kind a subscription should carry, bytes sent by our publish); one that
   * failed, or whose counter of some kind stood still for `stallMs` after it was answered, is built again
   * (a publish is re-published, a subscription re-subscribed), and a publish the server refused is tried
   * again. `false` turns it off.
   */
  health?: Partial<MediaHealthPolicy> | false;
}

/** The health check's policy (`MEDIA_HEALTH_DEFAULTS` gives each value). */
export interface MediaHealthPolicy {
  intervalMs: number;
  stallMs: number;
  /** First wait before a refused publish is tried again; doubles up to `maxRetryMs`. */
  retryMs: number;
  maxRetryMs: number;
}

export interface InboundMediaStats {
  videoFramesDecoded: number;
  audioPacketsReceived: number;
}

/** One media connection as the health check sees it (`MediaSession.links()`). */
export interface MediaLinkReport {
  /** `publish` for our own stream, `subscribe` for a publisher's, `p2p` for a call. */
  kind: 'publish' | 'subscribe' | 'p2p';
  /** The publisher (ourselves for `publish`, the peer for `p2p`). */
  participantId: string;
  /** The publisher's shared screen rather than its camera. */
  stream?: 'screen';
  connectionState: string;
  /** The counters at the last check: `video` frames decoded, `audio` packets received, `sent` bytes. */
  counters: Record<string, number>;
  answered: boolean;
  /** Milliseconds since the most idle counter last grew (or since the answer). */
  idleMs: number;
}

/** What the health check has done since the session started. */
export interface MediaRecoveries {
  resubscribed: number;
  republished: number;
  publishRetries: number;
}
