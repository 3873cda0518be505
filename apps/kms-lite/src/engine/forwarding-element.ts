import type { EngineElement, MediaKind, RtpCounters } from './media-engine';

/**
 * The graph part every engine element shares: who our sinks and sources are, forwarding to sinks, and
 * keyframe requests travelling upstream (a sink joining, or a receiver asking, reaches the publisher).
 */
export abstract class ForwardingElement implements EngineElement {
  private readonly sinks = new Map<ForwardingElement, Set<MediaKind>>();
  private readonly sources = new Map<ForwardingElement, Set<MediaKind>>();

  private readonly counters = new Map<string, RtpCounters>();

  constructor(readonly id: string) {}

  /** RTP packets and bytes received from the peer (`in`) and sent to it (`out`), per kind and SSRC. */
  rtpStats(): RtpCounters[] {
    return [...this.counters.values()].map((c) => ({ ...c }));
  }

  /** Counts one RTP packet (its SSRC read from the header) in the element's statistics. */
  protected count(direction: 'in' | 'out', kind: MediaKind, rtp: Buffer): void {
    const ssrc = rtp.length >= 12 ? rtp.readUInt32BE(8) : 0;
    const key = `${direction}:${kind}:${ssrc}`;
    const counters = this.counters.get(key) ?? { direction, kind, ssrc, packets: 0, bytes: 0 };
    counters.packets += 1;
    counters.bytes += rtp.length;
    this.counters.set(key, counters);
  }

  abstract deliver(kind: MediaKind, rtp: Buffer): void;
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
  protected forward(kind: MediaKind, rtp: Buffer): void {
    for (const [sink, kinds] of this.sinks) if (kinds.has(kind)) sink.deliver(kind, rtp);
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
  deliver(kind: MediaKind, rtp: Buffer): void {
    this.forward(kind, rtp);
  }

  requestKeyframe(): void {
    this.requestKeyframeFromSources();
  }
}
