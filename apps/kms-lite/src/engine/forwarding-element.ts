import type { EngineElement, MediaKind, RtpCodecInfo, RtpCounters } from './media-engine';

/**
 * The graph part every engine element shares: who our sinks and sources are, forwarding to sinks, and
 * keyframe requests travelling upstream (a sink joining, or a receiver asking, reaches the publisher).
 */
export abstract class ForwardingElement implements EngineElement {
  private readonly sinks = new Map<ForwardingElement, Set<MediaKind>>();
  private readonly sources = new Map<ForwardingElement, Set<MediaKind>>();

  /** Per direction and kind, by SSRC: counted per packet, so no key is built per packet. */
  private readonly counters = {
    in: { audio: new Map<number, RtpCounters>(), video: new Map<number, RtpCounters>() },
    out: { audio: new Map<number, RtpCounters>(), video: new Map<number, RtpCounters>() },
  };

  constructor(readonly id: string) {}

  /** RTP packets and bytes received from the peer (`in`) and sent to it (`out`), per kind and SSRC. */
  rtpStats(): RtpCounters[] {
    const { in: incoming, out } = this.counters;
    return [incoming.audio, incoming.video, out.audio, out.video].flatMap((byStream) =>
      [...byStream.values()].map((c) => ({ ...c })),
    );
  }

  /** Counts one RTP packet (its SSRC read from the header) in the element's statistics. */
  protected count(direction: 'in' | 'out', kind: MediaKind, rtp: Buffer): void {
    const ssrc = rtp.length >= 12 ? rtp.readUInt32BE(8) : 0;
    const byStream = this.counters[direction][kind];
    let counters = byStream.get(ssrc);
    if (!counters) byStream.set(ssrc, (counters = { direction, kind, ssrc, packets: 0, bytes: 0 }));
    counters.packets += 1;
    counters.bytes += rtp.length;
  }

  abstract deliver(kind: MediaKind, rtp: Buffer, codec?: RtpCodecInfo): void;
  abstract requestKeyframe(): void;

  linkTo(sink: EngineElement, kinds: readonly MediaKind[]): void {
    const target = sink as ForwardingElement;
    const mine = this.sinks.get(target) ?? new Set<MediaKind>();
    const theirs = target.sources.get(this) ?? new Set<MediaKind>();
    for (const kind of kinds) {
      mine.add(kind);
      theirs.add(kind);
    }
    this.sinks.set(target, mine);
    target.sources.set(this, theirs);
    if (kinds.includes('video')) this.requestKeyframe();
  }

  unlinkFrom(sink: EngineElement, kinds: readonly MediaKind[]): void {
    const target = sink as ForwardingElement;
    const mine = this.sinks.get(target);
    const theirs = target.sources.get(this);
    for (const kind of kinds) {
      mine?.delete(kind);
      theirs?.delete(kind);
    }
    if (mine && mine.size === 0) this.sinks.delete(target);
    if (theirs && theirs.size === 0) target.sources.delete(this);
  }

  /** Sends a packet to every sink linked for its kind. */
  protected forward(kind: MediaKind, rtp: Buffer, codec?: RtpCodecInfo): void {
    for (const [sink, kinds] of this.sinks) if (kinds.has(kind)) sink.deliver(kind, rtp, codec);
  }

  protected hasSource(kind: MediaKind): boolean {
    for (const kinds of this.sources.values()) if (kinds.has(kind)) return true;
    return false;
  }

  protected requestKeyframeFromSources(): void {
    for (const [source, kinds] of this.sources) if (kinds.has('video')) source.requestKeyframe();
  }

  protected unlinkAll(): void {
    for (const sink of [...this.sinks.keys()]) this.unlinkFrom(sink, ['audio', 'video']);
    for (const source of [...this.sources.keys()]) source.unlinkFrom(this, ['audio', 'video']);
  }

  async close(): Promise<void> {
    this.unlinkAll();
  }
}

/** A PassThrough: whatever reaches it goes on to its sinks; a keyframe request goes back to its sources. */
export class PassThroughElement extends ForwardingElement {
  deliver(kind: MediaKind, rtp: Buffer, codec?: RtpCodecInfo): void {
    this.forward(kind, rtp, codec);
  }

  requestKeyframe(): void {
    this.requestKeyframeFromSources();
  }
}
