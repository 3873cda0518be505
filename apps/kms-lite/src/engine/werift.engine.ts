import {
  RTCPeerConnection,
  RtcpPayloadSpecificFeedback,
  useH264,
  useOPUS,
  useVP8,
  type RTCRtpCodecParameters,
  type MediaStreamTrack,
  type RTCIceCandidate,
  type RTCRtpTransceiver,
  type RtcpPacket,
  type RtpPacket,
} from 'werift';
import { KurentoError } from '../protocol/kurento-error';
import { matchingCodec, withForwardableH264Only, type RtpCodecInfo } from './codecs';
import { ForwardingElement, PassThroughElement } from './forwarding-element';
import type {
  EndpointSignals,
  EngineElement,
  EngineEndpoint,
  IceCandidateInit,
  MediaEngine,
  MediaKind,
  EngineSdpEndpoint,
  OfferOptions,
  RtpEndpointOptions,
  WebRtcEndpointOptions,
} from './media-engine';
import { PlainRtpEndpoint } from './plain-rtp.endpoint';
import { UdpRtpSockets } from './rtp-socket';
import { announce, unusableCandidate } from './ice-candidates';
import { answerDirection, parseSdp, stripCandidates } from './sdp';

export { unusableCandidate } from './ice-candidates';

export interface WeriftEngineOptions {
  /** Replaces the address of every gathered candidate (KMS's externalIPv4). */
  announcedIp?: string;
  minPort: number;
  maxPort: number;
}

/** Engine tunables, each with its reason. */
const TUNING = {
  /** A source asked by many sinks joining at once sends one keyframe, not a storm of them. */
  keyframeMinIntervalMs: 300,
  /** No packet for this long turns a flow to NOT_FLOWING (KMS reports after about 2 s too). */
  flowTimeoutMs: 2_000,
  /** A remote candidate werift has not applied by then is given up (the RPC never waits for it). */
  candidateTimeoutMs: 2_000,
  /** ICE said connected but no pair is nominated yet: look again this often before reporting it. */
  nominationPollMs: 50,
} as const;

/**
 * A real WebRTC endpoint on werift. Media received from the peer is forwarded (serialized RTP) to every
 * linked sink; media delivered by sources is sent to the peer on the transceiver of its kind.
 */
class WeriftEndpoint extends ForwardingElement implements EngineEndpoint {
  private readonly pc: RTCPeerConnection;
  private readonly signals: EndpointSignals;
  private negotiated = false;
  private offered = false;
  private gatherRequested = false;
  private gatheringComplete = false;
  private doneSignalled = false;
  private readonly gathered: IceCandidateInit[] = [];
  private emittedCandidates = 0;
  private readonly pendingRemote: IceCandidateInit[] = [];
  private readonly incoming = new Map<
    MediaKind,
    { track: MediaStreamTrack; transceiver: RTCRtpTransceiver }
  >();
  private readonly lastIn = new Map<MediaKind, number>();
  private readonly lastOut = new Map<MediaKind, number>();
  private readonly flowing = { in: new Set<MediaKind>(), out: new Set<MediaKind>() };
  private dtlsConnected = false;
  private mediaConnected = false;
  private lastKeyframeRequest = 0;
  /** A keyframe was asked for before the peer's video arrived: ask as soon as it does. */
  private keyframeOwed = false;
  private flowTimer?: ReturnType<typeof setInterval>;
  private nominationTimer?: ReturnType<typeof setInterval>;
  /** Remote candidates are applied one after the other, off the RPC's path. */
  private candidates: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly options: WebRtcEndpointOptions,
    private readonly engine: WeriftEngineOptions,
  ) {
    super(options.id);
    this.signals = options.signals;
    this.pc = new RTCPeerConnection({
      // VP8 first: what a mixed offer's answer prefers when the peer does not say otherwise. H.264 is
      // forwarded as the peer sent it (packetization-mode=1, Constrained Baseline/Baseline only: offers
      // are filtered by `withForwardableH264Only`), so every endpoint can take it without transcoding.
      codecs: { audio: [useOPUS()], video: [useVP8(), useH264()] },
      icePortRange: [engine.minPort, engine.maxPort],
      iceUseIpv6: false,
      bundlePolicy: 'max-bundle',
    });
    this.pc.onIceCandidate.subscribe((candidate) => this.onLocalCandidate(candidate));
    this.pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') {
        this.gatheringComplete = true;
        this.flushCandidates();
      }
    });
    this.pc.iceConnectionStateChange.subscribe((state) => this.onIceState(state));
    this.pc.connectionStateChange.subscribe((state) => this.onConnectionState(state));
    this.pc.onTransceiverAdded.subscribe((transceiver) => this.watch(transceiver));
    this.pc.onRemoteTransceiverAdded.subscribe((transceiver) => this.watch(transceiver));
  }

  private watched = new WeakSet<RTCRtpTransceiver>();

  private watch(transceiver: RTCRtpTransceiver): void {
    if (this.watched.has(transceiver)) return;
    this.watched.add(transceiver);
    const kind = transceiver.kind as MediaKind;
    transceiver.onTrack.subscribe((track) => {
      this.incoming.set(kind, { track, transceiver });
      track.onReceiveRtp.subscribe((rtp: RtpPacket) =>
        this.onRemoteRtp(kind, rtp, this.codecOf(transceiver, rtp.header.payloadType)),
      );
      // A sink that connected before this source's video arrived asked for a keyframe that could not be
      // sent then; without it the sink decodes nothing until the publisher happens to send one.
      if (kind === 'video' && this.keyframeOwed) this.requestKeyframe();
    });
    transceiver.receiver.onRtcp.subscribe(() => this.onRemoteRtcp());
    transceiver.sender.onRtcp.subscribe((packet: RtcpPacket) => {
      this.onRemoteRtcp();
      if (packet instanceof RtcpPayloadSpecificFeedback) this.requestKeyframeFromSources();
    });
  }

  private onLocalCandidate(candidate: RTCIceCandidate | undefined): void {
    if (!candidate) {
      this.gatheringComplete = true;
    } else {
      const json = candidate.toJSON();
      this.gathered.push({
        candidate: announce(json.candidate ?? '', this.engine.announcedIp),
        sdpMid: json.sdpMid ?? '0',
        sdpMLineIndex: json.sdpMLineIndex ?? 0,
      });
    }
    this.flushCandidates();
  }

  /** Candidates reach the client only after gatherCandidates, as with KMS. */
  private flushCandidates(): void {
    if (!this.gatherRequested || this.closed) return;
    while (this.emittedCandidates < this.gathered.length)
      this.signals.iceCandidate(this.gathered[this.emittedCandidates++]);
    if (this.gatheringComplete && !this.doneSignalled && (this.negotiated || this.offered)) {
      this.doneSignalled = true;
      this.signals.iceGatheringDone();
    }
  }

  private onIceState(state: string): void {
    if (this.closed) return;
    if (state === 'checking') this.signals.iceComponentState('CONNECTING', 1, 1);
    else if (state === 'connected' || state === 'completed') this.whenNominated();
    else if (state === 'failed') this.signals.iceComponentState('FAILED', 1, 1);
    else if (state === 'disconnected' || state === 'closed')
      this.signals.iceComponentState('DISCONNECTED', 1, 1);
  }

  /**
   * Reports CONNECTED, the selected pair and READY — as Kurento does — once a candidate pair is actually
   * nominated (werift can say "connected" before; an empty pair must never be announced).
   */
  private whenNominated(): void {
    if (this.nominationTimer) return;
    const report = (): boolean => {
      const pair = this.pc.iceTransports[0]?.connection.nominated;
      if (this.closed || !pair) return this.closed;
      this.signals.iceComponentState('CONNECTED', 1, 1);
      this.signals.candidatePairSelected({
        streamId: '1',
        componentId: 1,
        localCandidate: `candidate:${announce(pair.localCandidate.toSdp(), this.engine.announcedIp)}`,
        remoteCandidate: `candidate:${pair.remoteCandidate.toSdp()}`,
      });
      this.signals.iceComponentState('READY', 1, 1);
      return true;
    };
    if (report()) return;
    this.nominationTimer = setInterval(() => {
      if (!report()) return;
      clearInterval(this.nominationTimer);
      this.nominationTimer = undefined;
    }, TUNING.nominationPollMs);
    this.nominationTimer.unref();
  }

  private onConnectionState(state: string): void {
    if (this.closed) return;
    if (state === 'connected' && !this.dtlsConnected) {
      this.dtlsConnected = true;
      this.signals.connectionState('CONNECTED');
      this.flowTimer = setInterval(() => this.checkFlows(), TUNING.flowTimeoutMs / 2);
      this.flowTimer.unref();
      // A sink that just became able to send needs a keyframe to start with.
      this.requestKeyframeFromSources();
    } else if ((state === 'disconnected' || state === 'failed' || state === 'closed') && this.dtlsConnected) {
      this.dtlsConnected = false;
      this.signals.connectionState('DISCONNECTED');
    }
  }

  private readonly codecInfo = new WeakMap<RTCRtpCodecParameters, RtpCodecInfo>();

  /** The negotiated codec of an incoming payload type (one object per codec: no allocation per packet). */
  private codecOf(transceiver: RTCRtpTransceiver, payloadType: number): RtpCodecInfo | undefined {
    const codec = transceiver.codecs.find((c) => c.payloadType === payloadType);
    if (!codec) return undefined;
    let info = this.codecInfo.get(codec);
    if (!info) {
      info = {
        mimeType: codec.mimeType.toLowerCase(),
        clockRate: codec.clockRate,
        channels: codec.channels,
        parameters: codec.parameters ?? '',
      };
      this.codecInfo.set(codec, info);
    }
    return info;
  }

  private onRemoteRtp(kind: MediaKind, rtp: RtpPacket, codec: RtpCodecInfo | undefined): void {
    if (this.closed) return;
    if (kind === 'video' && this.keyframeOwed) this.requestKeyframe();
    const packet = rtp.serialize();
    this.count('in', kind, packet);
    this.lastIn.set(kind, Date.now());
    if (!this.flowing.in.has(kind)) {
      this.flowing.in.add(kind);
      this.signals.mediaFlowIn(kind, true);
    }
    this.forward(kind, packet, codec);
  }

  private onRemoteRtcp(): void {
    if (this.mediaConnected || !this.dtlsConnected || this.closed) return;
    this.mediaConnected = true;
    this.signals.mediaState('CONNECTED');
  }

  private checkFlows(): void {
    const now = Date.now();
    for (const direction of ['in', 'out'] as const) {
      const last = direction === 'in' ? this.lastIn : this.lastOut;
      for (const kind of [...this.flowing[direction]]) {
        if (now - (last.get(kind) ?? 0) < TUNING.flowTimeoutMs) continue;
        this.flowing[direction].delete(kind);
        if (direction === 'in') this.signals.mediaFlowIn(kind, false);
        else this.signals.mediaFlowOut(kind, false);
      }
    }
  }

  private sendingTransceiver(kind: MediaKind): RTCRtpTransceiver | undefined {
    return this.pc
      .getTransceivers()
      .find(
        (t) => t.kind === kind && (t.currentDirection === 'sendrecv' || t.currentDirection === 'sendonly'),
      );
  }

  deliver(kind: MediaKind, rtp: Buffer, codec?: RtpCodecInfo): void {
    if (!this.dtlsConnected || this.closed) return;
    const transceiver = this.sendingTransceiver(kind);
    if (!transceiver) return;
    if (codec) {
      // The sender writes its current codec's payload type: make it the one this packet is encoded in.
      const target = this.sendCodecFor(transceiver, codec);
      if (!target) return; // the peer did not negotiate this codec, and kms-lite does not transcode
      if (target !== transceiver.sender.codec) transceiver.sender.codec = target;
    }
    transceiver.sender.sendRtp(rtp).catch(() => undefined);
    this.count('out', kind, rtp);
    this.lastOut.set(kind, Date.now());
    if (!this.flowing.out.has(kind)) {
      this.flowing.out.add(kind);
      this.signals.mediaFlowOut(kind, true);
    }
  }

  /** Per source codec (one object per codec, see `codecOf`): the format we send it as; null for none. */
  private readonly sendCodecs = new WeakMap<RtpCodecInfo, RTCRtpCodecParameters | null>();

  private sendCodecFor(
    transceiver: RTCRtpTransceiver,
    codec: RtpCodecInfo,
  ): RTCRtpCodecParameters | undefined {
    let target = this.sendCodecs.get(codec);
    if (target === undefined) {
      const current = transceiver.sender.codec;
      target =
        (current && matchingCodec([current], codec) ? current : matchingCodec(transceiver.codecs, codec)) ??
        null;
      this.sendCodecs.set(codec, target);
    }
    return target ?? undefined;
  }

  requestKeyframe(): void {
    const now = Date.now();
    if (now - this.lastKeyframeRequest < TUNING.keyframeMinIntervalMs) return;
    const video = this.incoming.get('video');
    if (!video || video.track.ssrc === undefined) {
      this.keyframeOwed = true;
      return;
    }
    this.keyframeOwed = false;
    this.lastKeyframeRequest = now;
    video.transceiver.receiver.sendRtcpPLI(video.track.ssrc).catch(() => undefined);
  }

  async processOffer(sdp: string): Promise<string> {
    if (this.negotiated || this.offered)
      throw KurentoError.of('SDP_END_POINT_ALREADY_NEGOTIATED', 'Endpoint already negotiated');
    const offer = parseSdp(sdp);
    try {
      await this.pc.setRemoteDescription({ type: 'offer', sdp: withForwardableH264Only(sdp) });
      for (const transceiver of this.pc.getTransceivers()) {
        this.watch(transceiver);
        const section = offer.media.find((m) => m.mid === transceiver.mid);
        if (section) transceiver.setDirection(answerDirection(section.direction, this.options.direction));
      }
      const answer = await this.pc.createAnswer();
      await this.pc.setLocalDescription(answer);
    } catch (error) {
      throw KurentoError.of(
        'SDP_END_POINT_PROCESS_OFFER_ERROR',
        `Error processing offer: ${(error as Error).message}`,
      );
    }
    this.negotiated = true;
    await this.applyPendingCandidates();
    this.flushCandidates();
    return stripCandidates(this.pc.localDescription!.sdp);
  }

  async generateOffer(options: OfferOptions): Promise<string> {
    if (this.negotiated || this.offered)
      throw KurentoError.of('SDP_END_POINT_ALREADY_NEGOTIATED', 'Endpoint already negotiated');
    const direction = this.options.direction;
    if (options.audio) this.watch(this.pc.addTransceiver('audio', { direction }));
    if (options.video) this.watch(this.pc.addTransceiver('video', { direction }));
    try {
      const offer = await this.pc.createOffer();
      await this.pc.setLocalDescription(offer);
    } catch (error) {
      throw KurentoError.of(
        'SDP_END_POINT_GENERATE_OFFER_ERROR',
        `Error generating offer: ${(error as Error).message}`,
      );
    }
    this.offered = true;
    this.flushCandidates();
    return stripCandidates(this.pc.localDescription!.sdp);
  }

  async processAnswer(sdp: string): Promise<string> {
    if (!this.offered) throw KurentoError.of('SDP_END_POINT_NOT_OFFER_GENERATED', 'Offer not generated');
    if (this.negotiated)
      throw KurentoError.of('SDP_END_POINT_ANSWER_ALREADY_PROCCESED', 'Answer already processed');
    parseSdp(sdp);
    try {
      await this.pc.setRemoteDescription({ type: 'answer', sdp });
    } catch (error) {
      throw KurentoError.of(
        'SDP_END_POINT_PROCESS_ANSWER_ERROR',
        `Error processing answer: ${(error as Error).message}`,
      );
    }
    this.negotiated = true;
    await this.applyPendingCandidates();
    return stripCandidates(this.pc.localDescription!.sdp);
  }

  async gatherCandidates(): Promise<void> {
    this.gatherRequested = true;
    setImmediate(() => this.flushCandidates());
  }

  /**
   * Answers at once, as Kurento does: the candidate is applied in the background, in arrival order. An
   * mDNS (`.local`) one is dropped without resolving; one werift has not applied within
   * `candidateTimeoutMs` is given up; a failing one is ignored (peer-reflexive candidates still work).
   */
  async addIceCandidate(candidate: IceCandidateInit): Promise<void> {
    if (unusableCandidate(candidate.candidate)) return;
    if (!this.negotiated) {
      // Kurento accepts candidates before the offer; they are applied once it arrives.
      this.pendingRemote.push(candidate);
      return;
    }
    this.applyCandidate(candidate);
  }

  private async applyPendingCandidates(): Promise<void> {
    for (const candidate of this.pendingRemote.splice(0)) this.applyCandidate(candidate);
  }

  private applyCandidate(candidate: IceCandidateInit): void {
    this.candidates = this.candidates.then(async () => {
      if (this.closed) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const givenUp = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, TUNING.candidateTimeoutMs);
        timer.unref();
      });
      await Promise.race([this.pc.addIceCandidate(candidate).catch(() => undefined), givenUp]);
      clearTimeout(timer);
    });
  }

  negotiatedKinds(): { recv: MediaKind[]; send: MediaKind[] } {
    const recv: MediaKind[] = [];
    const send: MediaKind[] = [];
    for (const t of this.pc.getTransceivers()) {
      const kind = t.kind as MediaKind;
      if (t.currentDirection === 'sendrecv' || t.currentDirection === 'recvonly') recv.push(kind);
      if (t.currentDirection === 'sendrecv' || t.currentDirection === 'sendonly') send.push(kind);
    }
    return { recv, send };
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.flowTimer) clearInterval(this.flowTimer);
    if (this.nominationTimer) clearInterval(this.nominationTimer);
    await super.close();
    await this.pc.close().catch(() => undefined);
  }
}

/** Real WebRTC: ICE, DTLS, SRTP from werift; RTP forwarded from sources to sinks. */
export class WeriftEngine implements MediaEngine {
  readonly name = 'werift' as const;
  private readonly endpoints = new Set<WeriftEndpoint>();
  private readonly rtpEndpoints = new Set<PlainRtpEndpoint>();

  constructor(private readonly options: WeriftEngineOptions) {}

  createWebRtcEndpoint(options: WebRtcEndpointOptions): EngineEndpoint {
    const endpoint = new WeriftEndpoint(options, this.options);
    this.endpoints.add(endpoint);
    const close = endpoint.close.bind(endpoint);
    endpoint.close = async () => {
      this.endpoints.delete(endpoint);
      await close();
    };
    return endpoint;
  }

  createRtpEndpoint(options: RtpEndpointOptions): EngineSdpEndpoint {
    const endpoint = new PlainRtpEndpoint(options, {
      sockets: new UdpRtpSockets(this.options.minPort, this.options.maxPort),
      address: this.options.announcedIp ?? '127.0.0.1',
    });
    this.rtpEndpoints.add(endpoint);
    const close = endpoint.close.bind(endpoint);
    endpoint.close = async () => {
      this.rtpEndpoints.delete(endpoint);
      await close();
    };
    return endpoint;
  }

  createPassThrough(id: string): EngineElement {
    return new PassThroughElement(id);
  }

  async close(): Promise<void> {
    await Promise.all([...this.endpoints, ...this.rtpEndpoints].map((endpoint) => endpoint.close()));
  }
}
