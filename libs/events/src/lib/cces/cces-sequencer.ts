import { CcesError, CcesErrorCode } from './cces-error-code';

export const CCES_SEQUENCER_DEFAULTS = {
  /**
   * Ended conferences remembered (newest ends kept). A conference opened again on the same CoreMX while
   * still remembered continues 1 after its last seq; one forgotten starts above every forgotten seq (a
   * jump, never a seq used before). 1 000 ends is hours of churn on a busy CoreMX and keeps the journal's
   * state line at a few tens of KiB.
   */
  maxEnded: 1_000,
} as const;

export interface CcesSequencerOptions {
  /** Default `CCES_SEQUENCER_DEFAULTS.maxEnded`. */
  maxEnded?: number;
}

/** Snapshot keys that are not conference ids (ids are `[a-z0-9-]`, or `_coremx`). */
const FLOOR_KEY = '*';
const ENDED_PREFIX = '~';

/**
 * Sequence numbers per conference (1, 2, 3 …), never one handed out twice. Pure and in memory:
 * `JournaledProducer` rebuilds it from its journal at start, so numbering survives restarts.
 *
 * Memory holds the live conferences and the last `maxEnded` that ended (`end`, at `room.ended`); an
 * older end is forgotten and raises `floor` to its last seq. A conference not remembered continues from
 * `floor`, so it never repeats a seq, and numbering is gap-free except for a conference opened again
 * after it was forgotten (its first seq jumps). The snapshot is `{conferenceId: last}` for live ones,
 * `{"~conferenceId": last}` for ended ones (oldest end first) and `{"*": floor}`; a snapshot of plain
 * ids (the journal's format before ends were forgotten) reads as every conference live.
 */
export class CcesSequencer {
  private readonly live = new Map<string, number>();
  private readonly ended = new Map<string, number>();
  private floor = 0;
  private readonly maxEnded: number;

  constructor(snapshot: Readonly<Record<string, number>> = {}, options: CcesSequencerOptions = {}) {
    this.maxEnded = options.maxEnded ?? CCES_SEQUENCER_DEFAULTS.maxEnded;
    if (!Number.isSafeInteger(this.maxEnded) || this.maxEnded < 0) {
      throw new RangeError(`maxEnded must be a non-negative integer, not ${this.maxEnded}`);
    }
    for (const [key, seq] of Object.entries(snapshot)) {
      if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`bad seq ${seq} for ${key}`);
      if (key === FLOOR_KEY) this.floor = seq;
      else if (key.startsWith(ENDED_PREFIX)) this.ended.set(key.slice(ENDED_PREFIX.length), seq);
      else this.live.set(key, seq);
    }
    // A conference both ended and live (the journal rewinds a conference to before its unacknowledged
    // events, which may include its end) is live: replaying those events ends it again.
    for (const conferenceId of this.live.keys()) this.ended.delete(conferenceId);
    this.forgetOldEnds();
  }

  /** Hands out the next seq of `conferenceId`. */
  next(conferenceId: string): number {
    const seq = this.current(conferenceId) + 1;
    this.ended.delete(conferenceId);
    this.live.set(conferenceId, seq);
    return seq;
  }

  /** The last seq handed out for `conferenceId` (the floor when it is not remembered; 0 before any). */
  current(conferenceId: string): number {
    return this.live.get(conferenceId) ?? this.ended.get(conferenceId) ?? this.floor;
  }

  /**
   * Replays a seq read back from the journal. A live conference must take the next one; an ended one may
   * start its new life higher (it may have been forgotten when it was numbered); one not remembered may
   * take any seq once something was forgotten (the journal's snapshot can be newer than the events after
   * it), else only 1. Anything else means the journal is broken.
   */
  observe(conferenceId: string, seq: number): void {
    const last = this.live.get(conferenceId);
    const endedAt = this.ended.get(conferenceId);
    const ok =
      last !== undefined
        ? seq === last + 1
        : endedAt !== undefined
          ? Number.isSafeInteger(seq) && seq > endedAt
          : this.floor === 0
            ? seq === 1
            : Number.isSafeInteger(seq) && seq >= 1;
    if (!ok) {
      throw new CcesError(
        CcesErrorCode.JournalCorrupt,
        `journal has seq ${seq} for ${conferenceId} where ${this.current(conferenceId) + 1} was expected`,
      );
    }
    this.ended.delete(conferenceId);
    this.live.set(conferenceId, seq);
  }

  /** The conference's room ended (its `room.ended` was numbered or replayed): remembered a while, then forgotten. */
  end(conferenceId: string): void {
    const last = this.live.get(conferenceId);
    if (last === undefined) return;
    this.live.delete(conferenceId);
    this.ended.set(conferenceId, last);
    this.forgetOldEnds();
  }

  /** How many conferences are remembered (live and ended). */
  get size(): number {
    return this.live.size + this.ended.size;
  }

  snapshot(): Record<string, number> {
    const out: Record<string, number> = Object.fromEntries(this.live);
    for (const [conferenceId, seq] of this.ended) out[`${ENDED_PREFIX}${conferenceId}`] = seq;
    if (this.floor > 0) out[FLOOR_KEY] = this.floor;
    return out;
  }

  private forgetOldEnds(): void {
    for (const [conferenceId, seq] of this.ended) {
      if (this.ended.size <= this.maxEnded) return;
      this.ended.delete(conferenceId);
      this.floor = Math.max(this.floor, seq);
    }
  }
}
