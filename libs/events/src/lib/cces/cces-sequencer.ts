import { CcesError, CcesErrorCode } from './cces-error-code';

/**
 * Gap-free sequence numbers per conference (1, 2, 3 …). Pure and in memory: `JournaledProducer` rebuilds
 * it from its journal at start (the journal keeps every seq it handed out), so numbering survives restarts.
 */
export class CcesSequencer {
  private readonly last = new Map<string, number>();

  constructor(snapshot: Readonly<Record<string, number>> = {}) {
    for (const [conferenceId, seq] of Object.entries(snapshot)) {
      if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`bad seq ${seq} for ${conferenceId}`);
      this.last.set(conferenceId, seq);
    }
  }

  /** Hands out the next seq of `conferenceId`. */
  next(conferenceId: string): number {
    const seq = (this.last.get(conferenceId) ?? 0) + 1;
    this.last.set(conferenceId, seq);
    return seq;
  }

  /** The last seq handed out for `conferenceId` (0 before the first). */
  current(conferenceId: string): number {
    return this.last.get(conferenceId) ?? 0;
  }

  /** Replays a seq read back from the journal; anything but the next one means the journal is broken. */
  observe(conferenceId: string, seq: number): void {
    const expected = this.current(conferenceId) + 1;
    if (seq !== expected) {
      throw new CcesError(
        CcesErrorCode.JournalCorrupt,
        `journal has seq ${seq} for ${conferenceId} where ${expected} was expected`,
      );
    }
    this.last.set(conferenceId, seq);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.last);
  }
}
