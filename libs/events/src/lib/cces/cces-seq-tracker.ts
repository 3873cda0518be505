import type { CcesEvent } from './cces-envelope';

export const CCES_SEQ_TRACKER_DEFAULTS = {
  /**
   * Streams whose room ended, remembered (newest ends kept) so a resend of their last events after a
   * producer restart is still dropped. Resends follow a restart within seconds; 10 000 ends is far more
   * than a registry sees across every CoreMX in that time.
   */
  maxEnded: 10_000,
  /**
   * Live streams at most (least recently seen forgotten first). Only streams that never end (a CoreMX
   * gone for good, `_coremx`) could reach it: far above the rooms of every CoreMX of a cloud.
   */
  maxLive: 100_000,
} as const;

export interface CcesSeqTrackerOptions {
  maxEnded?: number;
  maxLive?: number;
}

/** What to do with an event: deliver it (after a gap if seqs were skipped) or drop it as already delivered. */
export type CcesSeqVerdict = { kind: 'new' } | { kind: 'gap'; expected: number } | { kind: 'duplicate' };

/**
 * The last delivered seq per (topic, conference) stream, for `subscribeCces`: an event at or below it is a
 * duplicate (a resend after a producer crash), one above it by more than 1 a gap. Memory holds the live
 * streams and the last `maxEnded` that ended (`room.ended`); a forgotten stream's next event counts as
 * new, so forgetting never drops an event (at worst a very late resend is delivered again, and consumers
 * keep their own idempotence: the registry's directory checks `applied` seqs). An ended stream that
 * comes back (the conference opened again on that CoreMX) may start higher: not a gap.
 */
export class CcesSeqTracker {
  private readonly live = new Map<string, number>();
  private readonly ended = new Map<string, number>();
  private readonly maxEnded: number;
  private readonly maxLive: number;

  constructor(options: CcesSeqTrackerOptions = {}) {
    this.maxEnded = options.maxEnded ?? CCES_SEQ_TRACKER_DEFAULTS.maxEnded;
    this.maxLive = options.maxLive ?? CCES_SEQ_TRACKER_DEFAULTS.maxLive;
    for (const [name, value] of Object.entries({ maxEnded: this.maxEnded, maxLive: this.maxLive })) {
      if (!Number.isSafeInteger(value) || value < 1)
        throw new RangeError(`${name} must be a positive integer`);
    }
  }

  check(topic: string, event: CcesEvent): CcesSeqVerdict {
    const key = streamKey(topic, event);
    const last = this.live.get(key);
    if (last !== undefined) {
      if (event.seq <= last) return { kind: 'duplicate' };
      return event.seq === last + 1 ? { kind: 'new' } : { kind: 'gap', expected: last + 1 };
    }
    const endedAt = this.ended.get(key);
    return endedAt !== undefined && event.seq <= endedAt ? { kind: 'duplicate' } : { kind: 'new' };
  }

  /** Records a delivered event (its stream moves to the ended ones at `room.ended`). */
  delivered(topic: string, event: CcesEvent): void {
    const key = streamKey(topic, event);
    this.live.delete(key);
    this.ended.delete(key);
    if (event.type === 'room.ended') {
      this.ended.set(key, event.seq);
      if (this.ended.size > this.maxEnded) this.ended.delete(this.ended.keys().next().value as string);
    } else {
      this.live.set(key, event.seq);
      if (this.live.size > this.maxLive) this.live.delete(this.live.keys().next().value as string);
    }
  }

  /** Streams remembered (live and ended). */
  get size(): number {
    return this.live.size + this.ended.size;
  }
}

const streamKey = (topic: string, event: CcesEvent) => `${topic}\u0000${event.conferenceId}`;
