import type { FragmentInfo, InitInfo } from '../fmp4/fmp4-parser';

/** A partial segment: one or more whole fMP4 fragments (moof+mdat), ready to serve. */
export interface Part {
  msn: number;
  index: number;
  /** Seconds (media time of the lead track). */
  duration: number;
  /** Starts with a sync sample of the lead track: a player may start decoding here. */
  independent: boolean;
  bytes: Buffer;
}

export interface Segment {
  msn: number;
  /** Seconds: the sum of its parts. */
  duration: number;
  parts: Part[];
  /** Wall-clock time (epoch ms) when its first part arrived: EXT-X-PROGRAM-DATE-TIME. */
  programDateTime: number;
  /** Set once the segment is complete (the concatenation of its parts). */
  bytes?: Buffer;
}

export interface SegmenterOptions {
  /** Seconds a segment aims at; a new one starts at the first keyframe once this much (less one part) is in. */
  segmentTargetS: number;
  /** Seconds no part exceeds (PART-TARGET). */
  partTargetS: number;
  /** EXT-X-TARGETDURATION (integer seconds): no segment may round above it, so one is cut without a keyframe if need be. */
  targetDurationS: number;
  /** Complete segments kept (served and listed); older ones are dropped. */
  windowSegments: number;
  /** Wall clock, epoch ms (injectable for specs). */
  now?: () => number;
}

export type SegmenterEvent = 'init' | 'part' | 'segment' | 'end';

interface PendingPart {
  fragments: Buffer[];
  ticks: number;
  independent: boolean;
}

/**
 * Cuts the fragments of one live fMP4 stream into LL-HLS parts and segments. Pure state, no I/O:
 * the live stream feeds it and serves what it holds.
 *
 * Rules (RFC 8216bis §4.4.4.9 and Apple's LL-HLS guidance):
 * - the lead track is video when there is one; durations and keyframes are read from it;
 * - nothing is published before the first keyframe (a player could not decode it);
 * - a part never exceeds PART-TARGET; it is closed as soon as the next fragment (estimated by the last
 *   one) would not fit, so every part but a segment's last is at least PART-TARGET less one fragment
 *   (≥ 85 % for fragments of one frame);
 * - a segment starts at a keyframe once it holds at least segmentTarget − partTarget, so keyframe parts
 *   start segments (INDEPENDENT=YES) and keyframes inside a segment do not cut a part short;
 * - if keyframes are too sparse, a segment is cut anyway before its duration would round above
 *   EXT-X-TARGETDURATION (its first part is then not independent);
 * - an audio-only stream (its lead track is audio) has no keyframes to wait for: every AAC frame is
 *   independent, so every part is INDEPENDENT=YES and a segment is cut by duration alone, before the
 *   fragment that would take it past the segment target.
 */
export class Segmenter {
  init: Buffer | undefined;
  private leadTrackId: number | undefined;
  /** The lead track is audio (an audio-only stream): segments are cut by duration. */
  audioOnly = false;
  private timescale = 1;
  /** Complete segments in the window, oldest first. */
  readonly segments: Segment[] = [];
  /** The segment being filled, once the first keyframe arrived. */
  open: Segment | undefined;
  private openTicks = 0;
  private pending: PendingPart = { fragments: [], ticks: 0, independent: false };
  private lastFragmentTicks = 0;
  private nextMsn = 0;
  ended = false;
  droppedBeforeKeyframe = 0;
  private readonly listeners = new Set<(event: SegmenterEvent) => void>();
  private readonly now: () => number;

  constructor(private readonly options: SegmenterOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Called after every change; returns the unsubscribe function. */
  subscribe(listener: (event: SegmenterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Media sequence number of the first segment listed. */
  get mediaSequence(): number {
    return this.segments[0]?.msn ?? this.open?.msn ?? 0;
  }

  /** Where the next part will be: the preload hint. */
  get nextPart(): { msn: number; index: number } {
    if (!this.open) return { msn: this.nextMsn, index: 0 };
    return { msn: this.open.msn, index: this.open.parts.length };
  }

  onInit(bytes: Buffer, info: InitInfo): void {
    if (this.ended) return;
    const lead = info.tracks.find((t) => t.handler === 'vide') ?? info.tracks[0];
    this.init = bytes;
    this.leadTrackId = lead.id;
    this.audioOnly = lead.handler === 'soun';
    this.timescale = lead.timescale;
    this.emit('init');
  }

  onFragment(bytes: Buffer, info: FragmentInfo): void {
    if (this.ended || this.leadTrackId === undefined) return;
    const lead = info.tracks.find((t) => t.trackId === this.leadTrackId);
    const ticks = lead?.duration ?? 0;
    const keyframe = !!lead && lead.sampleCount > 0 && (this.audioOnly || lead.startsWithSync);
    if (!this.open && !keyframe) {
      this.droppedBeforeKeyframe += 1;
      return;
    }
    const partTarget = Math.floor(this.options.partTargetS * this.timescale);
    const maxSegment = Math.floor((this.options.targetDurationS + 0.5) * this.timescale) - 1;
    const minSegment = (this.options.segmentTargetS - this.options.partTargetS) * this.timescale;
    const filled = this.openTicks + this.pending.ticks;
    const cutHere = this.audioOnly
      ? filled + ticks > this.options.segmentTargetS * this.timescale
      : filled >= minSegment;

    let newSegment = false;
    if (!this.open) {
      this.startSegment();
      newSegment = true;
    } else if (keyframe && cutHere) {
      this.flushPart();
      this.closeSegment();
      this.startSegment();
      newSegment = true;
    } else {
      if (
        this.pending.fragments.length > 0 &&
        this.pending.ticks > 0 &&
        this.pending.ticks + ticks > partTarget
      ) {
        this.flushPart();
      }
      if (this.openTicks + this.pending.ticks + ticks > maxSegment) {
        this.flushPart();
        this.closeSegment();
        this.startSegment();
        newSegment = true;
      }
    }
    // Fragments without lead-track samples (audio only) still pending join the new segment's first part.
    if (newSegment || this.pending.fragments.length === 0) this.pending.independent = keyframe;
    this.pending.fragments.push(bytes);
    this.pending.ticks += ticks;
    if (ticks > 0) this.lastFragmentTicks = ticks;
    if (this.pending.ticks + this.lastFragmentTicks > partTarget) this.flushPart();
  }

  /** The stream stopped: publish what is pending, close the segment, no more changes. */
  end(): void {
    if (this.ended) return;
    this.flushPart();
    this.closeSegment();
    this.ended = true;
    this.emit('end');
  }

  /** A part that is held (in a complete segment of the window or in the open one). */
  findPart(msn: number, index: number): Part | undefined {
    const segment = this.open?.msn === msn ? this.open : this.findSegment(msn);
    return segment?.parts[index];
  }

  /** A complete segment of the window. */
  findSegment(msn: number): Segment | undefined {
    const first = this.segments[0]?.msn;
    if (first === undefined || msn < first) return undefined;
    return this.segments[msn - first];
  }

  private startSegment(): void {
    this.open = { msn: this.nextMsn, duration: 0, parts: [], programDateTime: this.now() };
    this.nextMsn += 1;
    this.openTicks = 0;
  }

  private flushPart(): void {
    const open = this.open;
    if (!open || this.pending.fragments.length === 0) return;
    if (this.pending.ticks === 0 && !this.ended) return; // nothing of the lead track yet: keep gathering
    const part: Part = {
      msn: open.msn,
      index: open.parts.length,
      duration: this.pending.ticks / this.timescale,
      independent: this.pending.independent,
      bytes:
        this.pending.fragments.length === 1
          ? this.pending.fragments[0]
          : Buffer.concat(this.pending.fragments),
    };
    if (part.duration === 0) {
      this.pending = { fragments: [], ticks: 0, independent: false };
      return;
    }
    open.parts.push(part);
    this.openTicks += this.pending.ticks;
    open.duration = this.openTicks / this.timescale;
    this.pending = { fragments: [], ticks: 0, independent: false };
    this.emit('part');
  }

  private closeSegment(): void {
    const open = this.open;
    this.open = undefined;
    if (!open || open.parts.length === 0) {
      if (open) this.nextMsn = open.msn; // reuse the number of an empty segment
      return;
    }
    open.bytes = Buffer.concat(open.parts.map((p) => p.bytes));
    this.segments.push(open);
    while (this.segments.length > this.options.windowSegments) this.segments.shift();
    this.emit('segment');
  }

  private emit(event: SegmenterEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }
}
