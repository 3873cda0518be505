import { randomBytes } from 'node:crypto';
import { KurentoError } from '../protocol/kurento-error';
import { forwardableH264, matchingCodec, type RtpCodecInfo } from './codecs';
import { ForwardingElement } from './forwarding-element';
import type {
  Direction,
  EngineSdpEndpoint,
  MediaKind,
  OfferOptions,
  RtpEndpointOptions,
} from './media-engine';
import type { RtpSocket, RtpSocketFactory, RtpTarget } from './rtp-socket';
import { answerDirection, parseSdp, splitLines, type MediaSection } from './sdp';

export interface PlainRtpEndpointOptions {
  sockets: RtpSocketFactory;
  /** The address written into our SDP (`c=`, `o=`): where the peer sends RTP and RTCP to us. */
  address: string;
}

/** A negotiated format of a section: its payload type and what it carries. */
interface Format extends RtpCodecInfo {
  payloadType: number;
  /** The `a=` lines that describe it (rtpmap, fmtp, rtcp-fb), as written in the SDP. */
  lines: string[];
}

/** One media section of the session as WE see it (directions are ours). */
interface Section {
  kind: string;
  proto: string;
  mid?: string;
  direction: Direction;
  formats: Format[];
  /** Rejected (port 0 in our SDP). */
  rejected: boolean;
  offeredFormats: string[];
  socket?: RtpSocket;
  target?: RtpTarget;
  ssrc: number;
  /** Sequence numbers continue across a change of source (another SSRC) instead of jumping. */
  seqOffset: number;
  lastSourceSsrc?: number;
  lastSeq: number;
  /** Per source codec (one object per codec): the format it is sent as, null for none. */
  formatsByCodec: WeakMap<RtpCodecInfo, Format | null>;
}

/** What kms-lite forwards without transcoding, as (encoding, clock rate) pairs. */
function supported(kind: string, format: RtpCodecInfo): boolean {
  if (kind === 'audio') return format.mimeType === 'audio/opus' && format.clockRate === 48000;
  if (kind !== 'video' || format.clockRate !== 90000) return false;
  if (format.mimeType === 'video/vp8') return true;
  return format.mimeType === 'video/h264' && forwardableH264(format.parameters);
}

/** The formats of a parsed section with their rtpmap/fmtp/rtcp-fb lines. */
function formatsOf(section: MediaSection): Format[] {
  return section.formats.flatMap((pt): Format[] => {
    const rtpmap = section.attributes.find((line) => line.startsWith(`a=rtpmap:${pt} `));
    if (!rtpmap) return [];
    const [name, clockRate, channels] = rtpmap.slice(`a=rtpmap:${pt} `.length).split('/');
    const fmtp = section.attributes.find((line) => line.startsWith(`a=fmtp:${pt} `));
    return [
      {
        payloadType: Number(pt),
        mimeType: `${section.kind}/${name.toLowerCase()}`,
        clockRate: Number(clockRate),
        ...(channels && { channels: Number(channels) }),
        parameters: fmtp ? fmtp.slice(`a=fmtp:${pt} `.length) : '',
        lines: section.attributes.filter((line) => /^a=(rtpmap|fmtp|rtcp-fb):(\d+) /.exec(line)?.[2] === pt),
      },
    ];
  });
}

/** The `c=` address of each media section (its own, else the session's). */
function addressesOf(sdp: string): (string | undefined)[] {
  let session: string | undefined;
  const media: (string | undefined)[] = [];
  for (const line of splitLines(sdp)) {
    if (line.startsWith('m=')) media.push(undefined);
    const c = /^c=IN IP4 ([^\s/]+)/.exec(line)?.[1];
    if (!c) continue;
    if (media.length === 0) session = c;
    else media[media.length - 1] = c;
  }
  return media.map((address) => address ?? session);
}

/** The formats kms-lite offers, in Kurento's order (VP8, then H.264). */
const OFFERED: Record<MediaKind, Format[]> = {
  audio: [
    {
      payloadType: 96,
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
      parameters: '',
      lines: ['a=rtpmap:96 opus/48000/2'],
    },
  ],
  video: [
    {
      payloadType: 96,
      mimeType: 'video/vp8',
      clockRate: 90000,
      parameters: '',
      lines: ['a=rtpmap:96 VP8/90000', 'a=rtcp-fb:96 nack', 'a=rtcp-fb:96 nack pli', 'a=rtcp-fb:96 ccm fir'],
    },
    {
      payloadType: 97,
      mimeType: 'video/h264',
      clockRate: 90000,
      parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
      lines: [
        'a=rtpmap:97 H264/90000',
        'a=fmtp:97 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
        'a=rtcp-fb:97 nack',
        'a=rtcp-fb:97 nack pli',
        'a=rtcp-fb:97 ccm fir',
      ],
    },
  ],
};

const RTCP_PSFB = 206;

/** Whether a (compound) RTCP packet holds a PLI or a FIR (RFC 4585 §6.3.1, RFC 5104 §4.3.1). */
export function asksForKeyframe(rtcp: Buffer): boolean {
  let offset = 0;
  while (offset + 4 <= rtcp.length) {
    const fmt = rtcp[offset] & 0x1f;
    if (rtcp[offset + 1] === RTCP_PSFB && (fmt === 1 || fmt === 4)) return true;
    offset += (rtcp.readUInt16BE(offset + 2) + 1) * 4;
  }
  return false;
}

/** Whether a packet on the RTP port is RTCP (RFC 5761 §4: payload types 200–206 after the marker bit). */
function isRtcp(packet: Buffer): boolean {
  return packet.length >= 2 && packet[1] >= 192 && packet[1] <= 223;
}

/**
 * Kurento's RtpEndpoint on plain RTP/AVP(F) over UDP: no ICE, no DTLS, no SRTP. Each accepted media
 * section gets its own RTP port (RTCP on the port above). Media from sources is sent to the address and
 * port of the remote SDP with the payload type negotiated for its codec, our SSRC, and no header
 * extensions; RTP arriving from the peer is forwarded to sinks. A PLI/FIR from the peer asks the sources
 * for a keyframe. Nothing is transcoded: a packet whose codec the peer did not negotiate is dropped.
 */
export class PlainRtpEndpoint extends ForwardingElement implements EngineSdpEndpoint {
  private sections: Section[] = [];
  private offered = false;
  private negotiated = false;
  private closed = false;
  private readonly flowing = { in: new Set<MediaKind>(), out: new Set<MediaKind>() };
  private readonly sessionId = 3_000_000_000 + Math.floor(Math.random() * 1_000_000_000);
  private readonly cname = randomBytes(8).toString('hex');

  constructor(
    private readonly options: RtpEndpointOptions,
    private readonly engine: PlainRtpEndpointOptions,
  ) {
    super(options.id);
  }

  async processOffer(sdp: string): Promise<string> {
    if (this.negotiated || this.offered)
      throw KurentoError.of('SDP_END_POINT_ALREADY_NEGOTIATED', 'Endpoint already negotiated');
    const offer = parseSdp(sdp);
    const addresses = addressesOf(sdp);
    const sections = offer.media.map((m, index): Section => {
      const plain = m.proto === 'RTP/AVP' || m.proto === 'RTP/AVPF';
      const formats = plain && m.port !== 0 ? formatsOf(m).filter((f) => supported(m.kind, f)) : [];
      return {
        ...this.newSection(m.kind, m.proto, m.formats, formats.length === 0),
        mid: m.attributes.some((line) => line.startsWith('a=mid:')) ? m.mid : undefined,
        direction: answerDirection(m.direction, 'sendrecv'),
        formats,
        target: this.targetOf(addresses[index], m.port),
      };
    });
    if (sections.every((s) => s.rejected)) {
      throw KurentoError.of(
        'SDP_END_POINT_PROCESS_OFFER_ERROR',
        'Error processing offer: no media section with RTP/AVP(F) and a codec kms-lite forwards (Opus, VP8, H.264 packetization-mode=1 Baseline)',
      );
    }
    await this.open(sections);
    this.negotiated = true;
    this.established();
    return this.render();
  }

  async generateOffer(options: OfferOptions): Promise<string> {
    if (this.negotiated || this.offered)
      throw KurentoError.of('SDP_END_POINT_ALREADY_NEGOTIATED', 'Endpoint already negotiated');
    const kinds = (['audio', 'video'] as const).filter((kind) => options[kind]);
    if (kinds.length === 0)
      throw KurentoError.of(
        'SDP_END_POINT_GENERATE_OFFER_ERROR',
        'Error generating offer: no media requested',
      );
    const sections = kinds.map((kind) => ({
      ...this.newSection(
        kind,
        'RTP/AVPF',
        OFFERED[kind].map((f) => String(f.payloadType)),
        false,
      ),
      mid: kind,
      direction: 'sendrecv' as const,
      formats: OFFERED[kind],
    }));
    await this.open(sections);
    this.offered = true;
    return this.render();
  }

  async processAnswer(sdp: string): Promise<string> {
    if (!this.offered) throw KurentoError.of('SDP_END_POINT_NOT_OFFER_GENERATED', 'Offer not generated');
    if (this.negotiated)
      throw KurentoError.of('SDP_END_POINT_ANSWER_ALREADY_PROCCESED', 'Answer already processed');
    const answer = parseSdp(sdp);
    if (answer.media.length !== this.sections.length) {
      throw KurentoError.of(
        'SDP_END_POINT_PROCESS_ANSWER_ERROR',
        `Error processing answer: ${answer.media.length} media sections answer an offer of ${this.sections.length}`,
      );
    }
    const addresses = addressesOf(sdp);
    answer.media.forEach((m, index) => {
      const section = this.sections[index];
      const answered = new Set(m.formats);
      section.formats =
        m.port === 0 ? [] : section.formats.filter((f) => answered.has(String(f.payloadType)));
      section.rejected = section.formats.length === 0;
      section.direction = section.rejected ? 'inactive' : answerDirection(m.direction, 'sendrecv');
      section.target = this.targetOf(addresses[index], m.port);
    });
    for (const section of this.sections.filter((s) => s.rejected)) {
      await section.socket?.close();
      section.socket = undefined;
    }
    this.negotiated = true;
    this.established();
    return this.render();
  }

  negotiatedKinds(): { recv: MediaKind[]; send: MediaKind[] } {
    const recv: MediaKind[] = [];
    const send: MediaKind[] = [];
    if (!this.negotiated) return { recv, send };
    for (const s of this.sections) {
      if (s.rejected || (s.kind !== 'audio' && s.kind !== 'video')) continue;
      const kind = s.kind as MediaKind;
      if (s.direction === 'sendrecv' || s.direction === 'recvonly') recv.push(kind);
      if (s.direction === 'sendrecv' || s.direction === 'sendonly') send.push(kind);
    }
    return { recv, send };
  }

  deliver(kind: MediaKind, rtp: Buffer, codec?: RtpCodecInfo): void {
    if (!this.negotiated || this.closed || rtp.length < 12) return;
    const section = this.sections.find(
      (s) =>
        s.kind === kind &&
        !s.rejected &&
        s.target &&
        (s.direction === 'sendrecv' || s.direction === 'sendonly'),
    );
    if (!section?.socket || !section.target) return;
    const format = codec ? this.formatFor(section, codec) : section.formats[0];
    if (!format) return; // not negotiated with the peer, and kms-lite does not transcode
    const packet = this.rewrite(section, format, rtp);
    section.socket.send(packet, section.target);
    this.count('out', kind, packet);
    if (!this.flowing.out.has(kind)) {
      this.flowing.out.add(kind);
      this.options.signals.mediaFlowOut(kind, true);
    }
  }

  requestKeyframe(): void {
    // The peer of a plain RTP session is asked for nothing: Kurento's RtpEndpoint does not either
    // unless the peer negotiated feedback; kms-lite only relays keyframe requests upstream.
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await super.close();
    await Promise.all(this.sections.map((s) => s.socket?.close()));
  }

  private newSection(kind: string, proto: string, offeredFormats: string[], rejected: boolean) {
    return {
      kind,
      proto,
      rejected,
      offeredFormats,
      ssrc: randomBytes(4).readUInt32BE(0) || 1,
      seqOffset: 0,
      lastSeq: 0,
      formatsByCodec: new WeakMap<RtpCodecInfo, Format | null>(),
    };
  }

  private formatFor(section: Section, codec: RtpCodecInfo): Format | undefined {
    let format = section.formatsByCodec.get(codec);
    if (format === undefined) {
      format = matchingCodec(section.formats, codec) ?? null;
      section.formatsByCodec.set(codec, format);
    }
    return format ?? undefined;
  }

  private targetOf(address: string | undefined, port: number): RtpTarget | undefined {
    if (!address || address === '0.0.0.0' || port === 0) return undefined;
    return { address, port };
  }

  private async open(sections: Section[]): Promise<void> {
    try {
      for (const section of sections) {
        if (section.rejected) continue;
        const kind = section.kind as MediaKind;
        section.socket = await this.engine.sockets.open({
          rtp: (packet) => (isRtcp(packet) ? this.onRtcp(packet) : this.onRtp(section, kind, packet)),
          rtcp: (packet) => this.onRtcp(packet),
        });
      }
    } catch (error) {
      await Promise.all(sections.map((s) => s.socket?.close()));
      throw KurentoError.of('SDP_END_POINT_GENERATE_OFFER_ERROR', `No RTP port: ${(error as Error).message}`);
    }
    this.sections = sections;
  }

  /** Plain RTP has no handshake: the session is up once both sides' SDP is known. */
  private established(): void {
    this.options.signals.connectionState('CONNECTED');
    this.options.signals.mediaState('CONNECTED');
    // The peer starts decoding from a keyframe: ask for one now that it can be sent.
    this.requestKeyframeFromSources();
  }

  private onRtp(section: Section, kind: MediaKind, packet: Buffer): void {
    if (this.closed || packet.length < 12) return;
    if (section.direction !== 'sendrecv' && section.direction !== 'recvonly') return;
    const format = section.formats.find((f) => f.payloadType === (packet[1] & 0x7f));
    if (!format) return;
    this.count('in', kind, packet);
    if (!this.flowing.in.has(kind)) {
      this.flowing.in.add(kind);
      this.options.signals.mediaFlowIn(kind, true);
    }
    this.forward(kind, packet, format);
  }

  private onRtcp(packet: Buffer): void {
    if (!this.closed && asksForKeyframe(packet)) this.requestKeyframeFromSources();
  }

  /** A copy of `rtp` with our payload type, SSRC and continuous sequence numbers, without header extensions. */
  private rewrite(section: Section, format: Format, rtp: Buffer): Buffer {
    const csrcEnd = 12 + 4 * (rtp[0] & 0x0f);
    let packet: Buffer;
    if (rtp[0] & 0x10 && rtp.length >= csrcEnd + 4) {
      const extensionEnd = csrcEnd + 4 + 4 * rtp.readUInt16BE(csrcEnd + 2);
      packet = Buffer.concat([rtp.subarray(0, csrcEnd), rtp.subarray(extensionEnd)]);
      packet[0] &= ~0x10;
    } else {
      packet = Buffer.from(rtp);
    }
    const sourceSsrc = rtp.readUInt32BE(8);
    const sourceSeq = rtp.readUInt16BE(2);
    if (section.lastSourceSsrc !== undefined && section.lastSourceSsrc !== sourceSsrc)
      section.seqOffset = (section.lastSeq + 1 - sourceSeq) & 0xffff;
    section.lastSourceSsrc = sourceSsrc;
    const seq = (sourceSeq + section.seqOffset) & 0xffff;
    section.lastSeq = seq;
    packet[1] = (packet[1] & 0x80) | format.payloadType;
    packet.writeUInt16BE(seq, 2);
    packet.writeUInt32BE(section.ssrc, 8);
    return packet;
  }

  private render(): string {
    const address = this.engine.address;
    const lines = [
      'v=0',
      `o=- ${this.sessionId} ${this.sessionId} IN IP4 ${address}`,
      's=Kurento Media Server',
      `c=IN IP4 ${address}`,
      't=0 0',
    ];
    for (const s of this.sections) {
      if (s.rejected || !s.socket) {
        lines.push(`m=${s.kind} 0 ${s.proto} ${s.offeredFormats.join(' ')}`);
        if (s.mid) lines.push(`a=mid:${s.mid}`);
        lines.push('a=inactive');
        continue;
      }
      lines.push(`m=${s.kind} ${s.socket.port} ${s.proto} ${s.formats.map((f) => f.payloadType).join(' ')}`);
      lines.push(`a=rtcp:${s.socket.port + 1}`);
      for (const format of s.formats)
        lines.push(
          ...format.lines.filter((line) => s.proto === 'RTP/AVPF' || !line.startsWith('a=rtcp-fb:')),
        );
      if (s.mid) lines.push(`a=mid:${s.mid}`);
      lines.push(`a=${s.direction}`);
      if (s.direction === 'sendrecv' || s.direction === 'sendonly')
        lines.push(`a=ssrc:${s.ssrc} cname:${this.cname}`);
    }
    return lines.join('\r\n') + '\r\n';
  }
}
