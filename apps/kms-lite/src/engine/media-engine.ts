/**
 * The media seam of kms-lite: the Kurento object model (objects/) drives an engine through these small
 * interfaces. `werift` does real ICE/DTLS/SRTP and forwards RTP; `fake` answers with valid SDP and
 * simulates connectivity deterministically, without sockets.
 */
/** The codec of an RTP packet, as negotiated where it entered the pipeline (rules in `codecs.ts`). */
export interface RtpCodecInfo {
  /** Lower case, e.g. `video/h264`, `audio/opus`. */
  mimeType: string;
  clockRate: number;
  channels?: number;
  /** The fmtp parameters (`a=fmtp:` value without the payload type), `''` when none. */
  parameters: string;
}

export type MediaKind = 'audio' | 'video';
export const MEDIA_KINDS: readonly MediaKind[] = ['audio', 'video'];

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface IceCandidateInit {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
}

export type IceComponentState =
  'DISCONNECTED' | 'GATHERING' | 'CONNECTING' | 'CONNECTED' | 'READY' | 'FAILED';

export interface SelectedCandidatePair {
  streamId: string;
  componentId: number;
  localCandidate: string;
  remoteCandidate: string;
}

/** What an engine endpoint reports back; the object model turns each call into Kurento events. */
export interface EndpointSignals {
  iceCandidate(candidate: IceCandidateInit): void;
  iceGatheringDone(): void;
  iceComponentState(state: IceComponentState, streamId: number, componentId: number): void;
  candidatePairSelected(pair: SelectedCandidatePair): void;
  connectionState(state: 'CONNECTED' | 'DISCONNECTED'): void;
  mediaFlowIn(kind: MediaKind, flowing: boolean): void;
  mediaFlowOut(kind: MediaKind, flowing: boolean): void;
  mediaState(state: 'CONNECTED' | 'DISCONNECTED'): void;
  error(description: string, errorCode: number, type: string): void;
}

/** RTP counters of one stream of an element (`getStats`). */
export interface RtpCounters {
  direction: 'in' | 'out';
  kind: MediaKind;
  ssrc: number;
  packets: number;
  bytes: number;
}

/** A node of the media graph: receives RTP from its sources, forwards it to its sinks. */
export interface EngineElement {
  readonly id: string;
  /** RTP packets and bytes received from the peer and sent to it, per stream. */
  rtpStats(): RtpCounters[];
  /** Forward `kinds` from this element to `sink` from now on (and ask for a keyframe if video is among them). */
  linkTo(sink: EngineElement, kinds: readonly MediaKind[]): void;
  unlinkFrom(sink: EngineElement, kinds: readonly MediaKind[]): void;
  /**
   * An RTP packet (serialized) arriving from a source, with the codec it was negotiated as where it
   * entered the pipeline (a sink sends it with its own payload type for that codec, or drops it when it
   * negotiated no such codec: nothing is transcoded).
   */
  deliver(kind: MediaKind, rtp: Buffer, codec?: RtpCodecInfo): void;
  /** Ask whoever produces this element's video for a keyframe. */
  requestKeyframe(): void;
  close(): Promise<void>;
}

export interface OfferOptions {
  audio: boolean;
  video: boolean;
}

/** An element negotiated by SDP offer/answer (Kurento's SdpEndpoint). */
export interface EngineSdpEndpoint extends EngineElement {
  /** Applies a remote offer; returns the answer (for WebRTC without candidates: they come through `iceCandidate`). */
  processOffer(sdp: string): Promise<string>;
  generateOffer(options: OfferOptions): Promise<string>;
  /** Applies a remote answer to our offer; returns the local description. */
  processAnswer(sdp: string): Promise<string>;
  /** Kinds negotiated for receiving from / sending to the peer. */
  negotiatedKinds(): { recv: MediaKind[]; send: MediaKind[] };
}

export interface EngineEndpoint extends EngineSdpEndpoint {
  gatherCandidates(): Promise<void>;
  addIceCandidate(candidate: IceCandidateInit): Promise<void>;
}

export interface WebRtcEndpointOptions {
  id: string;
  /** `recvonly` / `sendonly` constructor flags of the WebRtcEndpoint. */
  direction: 'sendrecv' | 'sendonly' | 'recvonly';
  signals: EndpointSignals;
}

export interface RtpEndpointOptions {
  id: string;
  /** Flow and connection reports (the RtpEndpoint has no ICE: only these are used). */
  signals: Pick<EndpointSignals, 'mediaFlowIn' | 'mediaFlowOut' | 'connectionState' | 'mediaState'>;
}

export interface MediaEngine {
  readonly name: 'werift' | 'fake';
  createWebRtcEndpoint(options: WebRtcEndpointOptions): EngineEndpoint;
  /** Kurento's RtpEndpoint: plain RTP/AVP over UDP, no ICE, no DTLS. */
  createRtpEndpoint(options: RtpEndpointOptions): EngineSdpEndpoint;
  createPassThrough(id: string): EngineElement;
  close(): Promise<void>;
}
