/**
 * The few browser WebRTC objects `MediaSession` uses, as small structural types: the SDK compiles without
 * the DOM library (it also runs in Node), and unit specs drive `MediaSession` with fakes. In a browser the
 * real `RTCPeerConnection`, `MediaStream` and `navigator.mediaDevices` fit these shapes.
 */

export interface IceCandidateLike {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

export interface SessionDescriptionLike {
  type: 'offer' | 'answer' | 'pranswer' | 'rollback';
  sdp?: string;
}

export interface MediaStreamTrackLike {
  readonly kind: string;
  readonly id: string;
  /** False while muted (the track sends silence / black frames). */
  enabled?: boolean;
  /** `ended` once the device is gone (unplugged, taken away) or the track was stopped. */
  readonly readyState?: string;
  /** The device the track comes from (`deviceId`). */
  getSettings?(): { deviceId?: string };
  stop(): void;
  /** A browser track fires `ended` when its source stops (the browser's own "Stop sharing" bar). */
  addEventListener?(type: 'ended', listener: () => void): void;
  removeEventListener?(type: 'ended', listener: () => void): void;
}

export interface MediaStreamLike {
  readonly id: string;
  getTracks(): MediaStreamTrackLike[];
  addTrack(track: MediaStreamTrackLike): void;
}

/** What sends one of our tracks on a connection (`RTCRtpSender`). */
export interface RtpSenderLike {
  readonly track: MediaStreamTrackLike | null;
  /** Sends another track in its place, without renegotiating. */
  replaceTrack(track: MediaStreamTrackLike | null): Promise<void>;
}

/** One entry of `enumerateDevices()`. */
export interface MediaDeviceInfoLike {
  readonly deviceId: string;
  /** `audioinput`, `videoinput`, `audiooutput`. */
  readonly kind: string;
  readonly label: string;
}

export interface StatsReportLike {
  forEach(callback: (value: Record<string, unknown>) => void): void;
}

/** One codec as `RTCRtpReceiver.getCapabilities(kind).codecs` lists it. */
export interface CodecLike {
  mimeType: string;
  clockRate?: number;
  channels?: number;
  sdpFmtpLine?: string;
}

/** What `addTransceiver` returns, as far as the SDK uses it (`RTCRtpTransceiver`). */
export interface TransceiverLike {
  /** Orders the codecs offered on this transceiver; absent in older browsers. */
  setCodecPreferences?(codecs: CodecLike[]): void;
}

export type TransceiverDirection = 'sendonly' | 'recvonly' | 'sendrecv' | 'inactive';

export interface PeerConnectionLike {
  onicecandidate: ((event: { candidate: IceCandidateLike | null }) => void) | null;
  ontrack: ((event: { track: MediaStreamTrackLike; streams: readonly MediaStreamLike[] }) => void) | null;
  onconnectionstatechange?: ((event: unknown) => void) | null;
  readonly connectionState?: string;
  addTransceiver(
    trackOrKind: MediaStreamTrackLike | string,
    init?: { direction?: TransceiverDirection; streams?: MediaStreamLike[] },
  ): unknown;
  addTrack(track: MediaStreamTrackLike, ...streams: MediaStreamLike[]): unknown;
  /** The senders of our tracks (switching a device replaces the track of one). */
  getSenders?(): RtpSenderLike[];
  createOffer(): Promise<SessionDescriptionLike>;
  createAnswer(): Promise<SessionDescriptionLike>;
  setLocalDescription(description: SessionDescriptionLike): Promise<void>;
  setRemoteDescription(description: SessionDescriptionLike): Promise<void>;
  addIceCandidate(candidate: IceCandidateLike): Promise<void>;
  getStats(): Promise<StatsReportLike>;
  close(): void;
}

/** What is asked of one kind: a size (ideal, not exact) and a device (exact: that one or none). */
export interface TrackConstraintsLike {
  width?: { ideal: number };
  height?: { ideal: number };
  deviceId?: { exact: string };
}

export interface UserMediaConstraints {
  audio: boolean | TrackConstraintsLike;
  video: boolean | TrackConstraintsLike;
}

/** What a screen share asks the browser for: video only (the shared screen carries no sound here). */
export interface DisplayMediaConstraints {
  video: true;
  audio: false;
}

/** What `MediaSession` needs from its environment. */
export interface MediaEnvironment {
  createPeerConnection(): PeerConnectionLike;
  createMediaStream(): MediaStreamLike;
  getUserMedia(constraints: UserMediaConstraints): Promise<MediaStreamLike>;
  /** The browser's screen picker (`navigator.mediaDevices.getDisplayMedia`); absent where there is none. */
  getDisplayMedia?(constraints: DisplayMediaConstraints): Promise<MediaStreamLike>;
  /** The cameras and microphones there are (without: an unplugged device is only noticed when its track ends). */
  enumerateDevices?(): Promise<MediaDeviceInfoLike[]>;
  /** Calls `listener` when a device is plugged in or out (`devicechange`); returns the unsubscribe function. */
  onDeviceChange?(listener: () => void): () => void;
  /** The codecs the browser can receive of a kind (`RTCRtpReceiver.getCapabilities`), if it says. */
  codecCapabilities?(kind: 'audio' | 'video'): CodecLike[] | undefined;
}

interface BrowserGlobals {
  RTCRtpReceiver?: { getCapabilities?(kind: string): { codecs: CodecLike[] } | null };
  RTCPeerConnection?: new (config?: { iceServers?: unknown[] }) => PeerConnectionLike;
  MediaStream?: new () => MediaStreamLike;
  navigator?: {
    mediaDevices?: {
      getUserMedia(c: UserMediaConstraints): Promise<MediaStreamLike>;
      getDisplayMedia?(c: DisplayMediaConstraints): Promise<MediaStreamLike>;
      enumerateDevices?(): Promise<MediaDeviceInfoLike[]>;
      addEventListener?(type: 'devicechange', listener: () => void): void;
      removeEventListener?(type: 'devicechange', listener: () => void): void;
    };
  };
}

/** Thrown when the environment has no WebRTC (Node, an old browser, an insecure origin). */
export class MediaUnsupportedError extends Error {
  readonly code = 'sdk.media-unsupported';

  constructor(what: string) {
    super(`${what} is not available here: media needs a browser with WebRTC on a secure origin`);
    this.name = 'MediaUnsupportedError';
  }
}

/**
 * The browser's WebRTC globals. Nothing is touched until a method is called, so importing the SDK in Node
 * stays harmless. Media goes to the media server (or the peer) directly: no STUN/TURN server is configured
 * (loopback and LAN; a deployment behind NAT passes its own `iceServers`).
 */
export function browserMediaEnvironment(iceServers: unknown[] = []): MediaEnvironment {
  const g = globalThis as unknown as BrowserGlobals;
  return {
    createPeerConnection() {
      if (!g.RTCPeerConnection) throw new MediaUnsupportedError('RTCPeerConnection');
      return new g.RTCPeerConnection({ iceServers });
    },
    createMediaStream() {
      if (!g.MediaStream) throw new MediaUnsupportedError('MediaStream');
      return new g.MediaStream();
    },
    getUserMedia(constraints) {
      const devices = g.navigator?.mediaDevices;
      if (!devices) return Promise.reject(new MediaUnsupportedError('navigator.mediaDevices'));
      return devices.getUserMedia(constraints);
    },
    getDisplayMedia(constraints) {
      const devices = g.navigator?.mediaDevices;
      if (!devices?.getDisplayMedia)
        return Promise.reject(new MediaUnsupportedError('navigator.mediaDevices.getDisplayMedia'));
      return devices.getDisplayMedia(constraints);
    },
    async enumerateDevices() {
      return (await g.navigator?.mediaDevices?.enumerateDevices?.()) ?? [];
    },
    codecCapabilities(kind) {
      return g.RTCRtpReceiver?.getCapabilities?.(kind)?.codecs ?? undefined;
    },
    onDeviceChange(listener) {
      const devices = g.navigator?.mediaDevices;
      devices?.addEventListener?.('devicechange', listener);
      return () => devices?.removeEventListener?.('devicechange', listener);
    },
  };
}
