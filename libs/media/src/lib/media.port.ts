import type { MediaError } from './media-error.exception';

/** A room's media pipeline. Opaque: only the port that created it may use it. */
export interface MediaPipelineRef {
  readonly type: 'pipeline';
  /** The media server's id of the pipeline. */
  readonly id: string;
  readonly roomId: string;
  /** The port's connection generation the object was made in; a renewal makes older refs gone. */
  readonly generation: number;
}

/** `publish`: the endpoint receives a participant's stream; `subscribe`: it sends one to a participant. */
export type MediaEndpointKind = 'publish' | 'subscribe';

export interface MediaEndpointOptions {
  kind: MediaEndpointKind;
  /** Audio only: `connect` then links AUDIO alone. */
  audioOnly?: boolean;
}

/** A WebRtcEndpoint of a pipeline. Opaque: only the port that created it may use it. */
export interface MediaEndpointRef {
  readonly type: 'endpoint';
  readonly id: string;
  readonly pipelineId: string;
  readonly roomId: string;
  readonly kind: MediaEndpointKind;
  readonly audioOnly: boolean;
  readonly generation: number;
}

/**
 * A Kurento RtpEndpoint of a pipeline: media connected to it leaves as plain RTP/AVP over UDP (no ICE,
 * no DTLS) to the address and ports of the remote SDP — e.g. a packager's. Opaque, like the others.
 */
export interface MediaRtpEndpointRef {
  readonly type: 'rtp-endpoint';
  readonly id: string;
  readonly pipelineId: string;
  readonly roomId: string;
  readonly generation: number;
}

export type MediaObjectRef = MediaPipelineRef | MediaEndpointRef | MediaRtpEndpointRef;

/** What `generateRtpOffer` offers (Kurento's OfferOptions); both default to true. */
export interface RtpOfferOptions {
  audio?: boolean;
  video?: boolean;
}

/** An ICE candidate as browsers write it (RTCIceCandidateInit with mid and index present). */
export interface MediaIceCandidate {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
}

export type IceCandidateListener = (candidate: MediaIceCandidate) => void;

/** Stops a listener; calling it twice is harmless. */
export type Unsubscribe = () => void;

/** Load figures for admission control and heartbeats (from Kurento's ServerManager). */
export interface MediaServerInfo {
  /** Identity of the server instance (changes when the media server restarts). */
  serverId: string;
  version: string;
  /** Percentage of the whole machine's CPU over the sampling interval. */
  usedCpuPercent: number;
  /** Resident memory of the media server in KiB. */
  usedMemoryKiB: number;
  cpuCount: number;
  /** Pipelines on the server, ours and anyone else's. */
  pipelines: number;
}

/** Outcome of one health probe. `health()` never throws: a failed probe is `status: 'down'`. */
export type MediaHealth =
  | {
      status: 'up';
      /** Identity of the server instance; another value than before means a new server. */
      serverId: string;
      latencyMs: number;
      /** The client was told its session no longer exists (kurento-client's `reconnected(false)`). */
      sessionLost: boolean;
      /** Pipelines this port created and still holds that the server no longer lists. */
      lostPipelineIds: string[];
    }
  | {
      status: 'down';
      error: MediaError;
      /** The connection cannot heal by itself (none yet, or the client gave up): call `renew()`. */
      renewRequired: boolean;
    };

/**
 * What CASH needs from a media server: a pipeline per room, a WebRtcEndpoint per published stream and
 * per subscription, SDP offer/answer, ICE both ways, connect, release, load and health.
 *
 * Every call has a timeout and rejects only with a `MediaError` (stable `code`). Bad input is
 * refused with `MEDIA_INVALID_ARGUMENT` before anything reaches the server. A ref from before the
 * last `renew()`, or one already released, is `MEDIA_OBJECT_GONE`.
 */
export interface MediaPort {
  createPipeline(roomId: string): Promise<MediaPipelineRef>;
  createEndpoint(pipeline: MediaPipelineRef, options: MediaEndpointOptions): Promise<MediaEndpointRef>;
  /** Processes the participant's SDP offer; resolves to the answer (which carries no candidates). */
  processOffer(endpoint: MediaEndpointRef, sdpOffer: string): Promise<string>;
  /**
   * Starts gathering the server's candidates; they arrive through `onIceCandidate`. Rejects when the
   * candidate subscription failed, so candidates are never lost silently.
   */
  gatherCandidates(endpoint: MediaEndpointRef): Promise<void>;
  /** Adds a participant's candidate (may come before the offer). An empty candidate is a no-op. */
  addIceCandidate(endpoint: MediaEndpointRef, candidate: MediaIceCandidate): Promise<void>;
  /**
   * Server candidates of the endpoint. Candidates found before the first listener was added are
   * kept and handed to it.
   */
  onIceCandidate(endpoint: MediaEndpointRef, listener: IceCandidateListener): Unsubscribe;
  /** Sends `source`'s media (a publish endpoint) to `sink` (a subscribe endpoint of the same pipeline). */
  connect(source: MediaEndpointRef, sink: MediaEndpointRef): Promise<void>;
  /** Creates an RtpEndpoint (plain RTP out of the pipeline, e.g. to a packager) in a pipeline. */
  createRtpEndpoint(pipeline: MediaPipelineRef): Promise<MediaRtpEndpointRef>;
  /**
   * Processes the receiver's offer (where it wants the RTP: its address, ports and payload types);
   * resolves to the media server's answer (its own RTP ports, `a=sendonly` for a receive-only offer).
   */
  processRtpOffer(rtp: MediaRtpEndpointRef, sdpOffer: string): Promise<string>;
  /** The media server offers instead; then `processRtpAnswer` with the receiver's answer. */
  generateRtpOffer(rtp: MediaRtpEndpointRef, options?: RtpOfferOptions): Promise<string>;
  /** Processes the receiver's answer to `generateRtpOffer`; resolves to the local SDP. */
  processRtpAnswer(rtp: MediaRtpEndpointRef, sdpAnswer: string): Promise<string>;
  /**
   * Sends a publish endpoint's media to an RtpEndpoint of the same pipeline (AUDIO alone when the
   * publisher is audio-only). The codecs stay as negotiated: H.264 in, H.264 out, no transcoding
   * where the receiver accepts the publisher's codec.
   */
  connectRtp(source: MediaEndpointRef, rtp: MediaRtpEndpointRef): Promise<void>;
  /** Releases an endpoint, an RtpEndpoint, or a pipeline with all it holds. Idempotent: a gone ref resolves. */
  release(object: MediaObjectRef): Promise<void>;
  serverInfo(): Promise<MediaServerInfo>;
  health(): Promise<MediaHealth>;
  /**
   * Drops the current connection and opens a fresh session. Every ref made before becomes gone;
   * what the old session owned is released on the server on a best-effort basis.
   */
  renew(): Promise<void>;
  /** Closes the connection; later calls reject with `MEDIA_UNAVAILABLE`. */
  close(): Promise<void>;
}
