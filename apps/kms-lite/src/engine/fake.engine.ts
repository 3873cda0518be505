import { createHash } from 'node:crypto';
import { KurentoError } from '../protocol/kurento-error';
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
import { FakeRtpSockets } from './rtp-socket';
import { answerDirection, kindsOf, parseSdp, type MediaSection } from './sdp';

export interface FakeEngineOptions {
  /** Address put into candidates and SDP. */
  announcedIp: string;
  /** First port handed out to fake candidates. */
  minPort: number;
  maxPort: number;
  /** How simulated network events are scheduled after the reply that caused them (default `setImmediate`). */
  defer?: (fn: () => void) => void;
}

const FINGERPRINT = Array.from({ length: 32 }, (_, i) =>
  ((i * 37 + 11) & 0xff).toString(16).padStart(2, '0').toUpperCase(),
).join(':');

function token(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('base64url').slice(0, length);
}

/** Lines of a section that describe payload type `pt` (rtpmap, fmtp, rtcp-fb). */
function codecLines(section: MediaSection, pt: string): string[] {
  return section.attributes.filter(
    (line) =>
      line.startsWith(`a=rtpmap:${pt} `) ||
      line.startsWith(`a=fmtp:${pt} `) ||
      line.startsWith(`a=rtcp-fb:${pt} `),
  );
}

/** The first payload type of a section that is not a retransmission/redundancy format. */
function primaryFormat(section: MediaSection): string | undefined {
  const skip = new Set(
    section.attributes
      .filter((line) => /^a=rtpmap:\d+ (rtx|red|ulpfec|flexfec-03)\//i.test(line))
      .map((line) => line.slice('a=rtpmap:'.length).split(' ')[0]),
  );
  return section.formats.find((pt) => !skip.has(pt));
}

/**
 * Deterministic endpoint: valid answers/offers, one host candidate, and — once negotiated, gathered and
 * given a remote candidate — the ICE/DTLS/media event sequence a real connection produces, in Kurento's order.
 */
class FakeEndpoint extends ForwardingElement implements EngineEndpoint {
  private local?: MediaSection[];
  private negotiated = false;
  private gathered = false;
  private remoteCandidates = 0;
  private connected = false;
  private closed = false;
  private readonly flowingOut = new Set<MediaKind>();
  private offered?: OfferOptions;

  constructor(
    private readonly options: WebRtcEndpointOptions,
    private readonly engine: FakeEngineOptions & { port: number; sequence: number },
  ) {
    super(options.id);
  }

  private get signals(): EndpointSignals {
    return this.options.signals;
  }

  private defer(fn: () => void): void {
    (this.engine.defer ?? setImmediate)(() => {
      if (!this.closed) fn();
    });
  }

  private render(media: MediaSection[], setup: 'active' | 'actpass'): string {
    const ip = this.engine.announcedIp;
    const ufrag = token(`${this.id}/ufrag`, 4);
    const pwd = token(`${this.id}/pwd`, 24);
    const lines = [
      'v=0',
      `o=- ${3_800_000_000 + this.engine.sequence} ${this.engine.sequence} IN IP4 ${ip}`,
      's=Kurento Media Server',
      't=0 0',
      `a=group:BUNDLE ${media
        .filter((m) => m.port !== 0)
        .map((m) => m.mid)
        .join(' ')}`,
      'a=msid-semantic: WMS *',
    ];
    media.forEach((section, index) => {
      lines.push(`m=${section.kind} ${section.port} ${section.proto} ${section.formats.join(' ')}`);
      lines.push('c=IN IP4 0.0.0.0');
      if (section.port === 0) {
        lines.push(`a=mid:${section.mid}`, 'a=inactive');
        return;
      }
      lines.push(
        'a=rtcp:9 IN IP4 0.0.0.0',
        `a=ice-ufrag:${ufrag}`,
        `a=ice-pwd:${pwd}`,
        'a=ice-options:trickle',
      );
      lines.push(`a=fingerprint:sha-256 ${FINGERPRINT}`, `a=setup:${setup}`, `a=mid:${section.mid}`);
      lines.push(`a=${section.direction}`, 'a=rtcp-mux', ...section.attributes);
      if (section.direction === 'sendrecv' || section.direction === 'sendonly') {
        const ssrc = 1000 + this.engine.sequence * 10 + index;
        lines.push(`a=ssrc:${ssrc} cname:${token(`${this.id}/cname`, 16)}`);
      }
    });
    return lines.join('\r\n') + '\r\n';
  }

  async processOffer(sdp: string): Promise<string> {
    if (this.negotiated)
      throw KurentoError.of('SDP_END_POINT_ALREADY_NEGOTIATED', 'Endpoint already negotiated');
    const offer = parseSdp(sdp);
    const answer = offer.media.map((section): MediaSection => {
      const pt = section.kind === 'audio' || section.kind === 'video' ? primaryFormat(section) : undefined;
      if (!pt || section.port === 0) {
        return { ...section, port: 0, direction: 'inactive', attributes: [] };
      }
      return {
        ...section,
        port: 9,
        formats: [pt],
        direction: answerDirection(section.direction, this.options.direction),
        attributes: codecLines(section, pt),
      };
    });
    this.local = answer;
    this.negotiated = true;
    this.maybeConnect();
    return this.render(answer, 'active');
  }

  async generateOffer(options: OfferOptions): Promise<string> {
    if (this.negotiated)
      throw KurentoError.of('SDP_END_POINT_ALREADY_NEGOTIATED', 'Endpoint already negotiated');
    this.offered = options;
    const direction = this.options.direction;
    const media: MediaSection[] = [];
    if (options.audio) {
      media.push({
        kind: 'audio',
        port: 9,
        proto: 'UDP/TLS/RTP/SAVPF',
        formats: ['111'],
        mid: String(media.length),
        direction,
        attributes: [
          'a=rtpmap:111 opus/48000/2',
          'a=fmtp:111 minptime=10;useinbandfec=1',
          'a=rtcp-fb:111 transport-cc',
        ],
      });
    }
    if (options.video) {
      media.push({
        kind: 'video',
        port: 9,
        proto: 'UDP/TLS/RTP/SAVPF',
        formats: ['96'],
        mid: String(media.length),
        direction,
        attributes: [
          'a=rtpmap:96 VP8/90000',
          'a=rtcp-fb:96 nack',
          'a=rtcp-fb:96 nack pli',
          'a=rtcp-fb:96 ccm fir',
          'a=rtcp-fb:96 goog-remb',
        ],
      });
    }
    this.local = media;
    return this.render(media, 'actpass');
  }

  async processAnswer(sdp: string): Promise<string> {
    if (!this.offered || !this.local)
      throw KurentoError.of('SDP_END_POINT_NOT_OFFER_GENERATED', 'Offer not generated');
    if (this.negotiated)
      throw KurentoError.of('SDP_END_POINT_ANSWER_ALREADY_PROCCESED', 'Answer already processed');
    const answer = parseSdp(sdp);
    this.local = this.local.map((section, index) => {
      const remote = answer.media[index];
      if (!remote || remote.port === 0) return { ...section, direction: 'inactive' };
      // Our direction is the mirror of what the peer answered.
      const mirrored =
        remote.direction === 'sendonly'
          ? 'recvonly'
          : remote.direction === 'recvonly'
            ? 'sendonly'
            : remote.direction;
      return { ...section, direction: mirrored };
    });
    this.negotiated = true;
    this.maybeConnect();
    return this.render(this.local, 'actpass');
  }

  async gatherCandidates(): Promise<void> {
    if (this.gathered) return;
    this.gathered = true;
    const first = this.local?.find((m) => m.port !== 0);
    const mid = first?.mid ?? '0';
    const index = first ? this.local!.indexOf(first) : 0;
    const candidate = `candidate:1 1 UDP 2015363327 ${this.engine.announcedIp} ${this.engine.port} typ host`;
    this.defer(() => {
      this.signals.iceComponentState('GATHERING', 1, 1);
      this.signals.iceCandidate({ candidate, sdpMid: mid, sdpMLineIndex: index });
      this.signals.iceGatheringDone();
      this.maybeConnect();
    });
  }

  async addIceCandidate(candidate: IceCandidateInit): Promise<void> {
    if (typeof candidate.candidate !== 'string') {
      throw KurentoError.of('ICE_ADD_CANDIDATE_ERROR', 'Candidate has no candidate string');
    }
    this.remoteCandidates += 1;
    this.maybeConnect();
  }

  negotiatedKinds(): { recv: MediaKind[]; send: MediaKind[] } {
    return this.local && this.negotiated ? kindsOf(this.local) : { recv: [], send: [] };
  }

  private maybeConnect(): void {
    if (this.connected || !this.negotiated || !this.gathered || this.remoteCandidates === 0) return;
    this.connected = true;
    this.defer(() => {
      const s = this.signals;
      s.iceComponentState('CONNECTING', 1, 1);
      s.iceComponentState('CONNECTED', 1, 1);
      s.candidatePairSelected({
        streamId: '1',
        componentId: 1,
        localCandidate: `candidate:1 1 UDP 2015363327 ${this.engine.announcedIp} ${this.engine.port} typ host`,
        remoteCandidate: 'candidate:1 1 UDP 2015363327 192.0.2.1 50000 typ host',
      });
      s.iceComponentState('READY', 1, 1);
      s.connectionState('CONNECTED');
      this.updateFlowOut();
      for (const kind of this.negotiatedKinds().recv) s.mediaFlowIn(kind, true);
      s.mediaState('CONNECTED');
    });
  }

  private updateFlowOut(): void {
    if (!this.connected) return;
    for (const kind of this.negotiatedKinds().send) {
      if (this.hasSource(kind) && !this.flowingOut.has(kind)) {
        this.flowingOut.add(kind);
        this.signals.mediaFlowOut(kind, true);
      }
    }
  }

  override linkTo(sink: EngineElement, kinds: readonly MediaKind[]): void {
    super.linkTo(sink, kinds);
    if (sink instanceof FakeEndpoint) sink.defer(() => sink.updateFlowOut());
  }

  deliver(kind: MediaKind, rtp: Buffer): void {
    // Nothing leaves a fake endpoint; pass-throughs downstream of it still see the packet.
    void kind;
    void rtp;
  }

  requestKeyframe(): void {
    // A fake peer has no encoder to ask.
  }

  override async close(): Promise<void> {
    this.closed = true;
    await super.close();
  }
}

/** The deterministic engine: no sockets, valid SDP, simulated connectivity. */
export class FakeEngine implements MediaEngine {
  readonly name = 'fake' as const;
  private sequence = 0;
  private readonly rtpSockets: FakeRtpSockets;

  constructor(private readonly options: FakeEngineOptions) {
    this.rtpSockets = new FakeRtpSockets(options.minPort);
  }

  createWebRtcEndpoint(options: WebRtcEndpointOptions): EngineEndpoint {
    this.sequence += 1;
    const span = Math.max(1, this.options.maxPort - this.options.minPort + 1);
    const port = this.options.minPort + ((this.sequence - 1) % span);
    return new FakeEndpoint(options, { ...this.options, port, sequence: this.sequence });
  }

  /** Real SDP negotiation and RTP rewriting, on sockets that bind and send nothing. */
  createRtpEndpoint(options: RtpEndpointOptions): EngineSdpEndpoint {
    return new PlainRtpEndpoint(options, {
      sockets: this.rtpSockets,
      address: this.options.announcedIp,
    });
  }

  createPassThrough(id: string): EngineElement {
    return new PassThroughElement(id);
  }

  async close(): Promise<void> {
    // Nothing to release.
  }
}
