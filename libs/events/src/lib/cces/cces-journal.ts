import { mkdir, open, realpath, rename, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CcesError, CcesErrorCode } from './cces-error-code';
import {
  CCES_JOURNAL_FILE,
  CCES_JOURNAL_TMP_FILE,
  HAS_O_DSYNC,
  appendFlags,
  eventLine,
  loadJournal,
  stateLine,
  syncDir,
  type CcesJournalContents,
  type CcesJournalRecord,
} from './cces-journal-file';
import { releaseLock, takeLock } from './cces-journal-lock';
import { CcesSequencer } from './cces-sequencer';

// The journal's file format (its lines, reading it back, how it is opened) is in cces-journal-file.ts,
// the lock on its folder (one process at a time) in cces-journal-lock.ts.
export { CCES_JOURNAL_FILE, type CcesJournalContents, type CcesJournalRecord } from './cces-journal-file';

export interface CcesJournalOptions {
  /**
   * Appended events count as written only once on disk: the file is opened O_DSYNC (each write returns
   * once durable), or, where the platform has no O_DSYNC, `fdatasync` after each write. Default true.
   */
  fsync?: boolean;
  /**
   * Bytes of lines per write (and fsync); a burst larger than this is written as several groups, each
   * durable (and so sendable) as soon as it is on disk, instead of all of it only after one long write.
   * Default `CCES_JOURNAL_DEFAULTS.maxGroupBytes`.
   */
  maxGroupBytes?: number;
}

export const CCES_JOURNAL_DEFAULTS = {
  /**
   * ≈ 250–700 events of 0.2–0.5 KiB: on this project's disk one such durable (O_DSYNC) write takes about a
   * millisecond, so the first events of a burst of thousands are durable (and the producer sends them)
   * while the rest is still being written; small enough to overlap, large enough that the writes stay few.
   */
  maxGroupBytes: 128 * 1024,
} as const;

/** Called once an op is written (no error) or refused (the journal's failure). */
type Done = (error?: CcesError) => void;

interface LineOp {
  kind: 'line';
  text: string;
  durable: boolean;
  /** The event this line journals (then remembered as unacknowledged once written). */
  record?: CcesJournalRecord;
  /** The `n` this ack line acknowledges up to. */
  ackN?: number;
  done: Done;
}

type Op = LineOp | { kind: 'compact'; done: Done };

interface Pending {
  n: number;
  conferenceId: string;
  seq: number;
  line: string;
}

/**
 * The on-disk journal of one CCES producer: one append-only file of JSON lines in a folder of its own.
 *
 * - `{"k":"event","n":…,"event":{…}}`: an event, written (and fsynced) before it may be sent;
 * - `{"k":"ack","n":…}`: Kafka acknowledged every event up to `n` (nobody waits for it: a lost ack only means a resend);
 * - `{"k":"state","v":1,"acked":…,"seqs":{…}}`: first line after a compaction, carrying what was dropped.
 *
 * All writes go through one queue (group commit: one durable write per group of lines queued meanwhile,
 * at most `maxGroupBytes` of them, so a large burst becomes durable in steps; the next group's write starts
 * before the callbacks of the one just written run). A failed write is
 * final: the journal rejects everything afterwards and must be reopened (which cuts a torn tail).
 */
export class CcesJournal {
  private readonly queue: Op[] = [];
  private writing = false;
  private failure: CcesError | undefined;
  private closed = false;
  private readonly seqs: CcesSequencer;
  private unacked: Pending[];
  private acked: number;
  private linesSinceCompaction: number;

  private constructor(
    private readonly dir: string,
    private readonly lockKey: string,
    private handle: FileHandle,
    private readonly fsync: boolean,
    private readonly maxGroupBytes: number,
    contents: CcesJournalContents,
    acked: number,
    lines: number,
  ) {
    this.seqs = new CcesSequencer(contents.seqs);
    this.unacked = contents.unacked.map((record) => pending(record, eventLine(record)));
    this.acked = acked;
    this.linesSinceCompaction = lines;
  }

  /** Opens (creating if needed) and reads back the journal in `dir`; takes the folder's lock. */
  static async open(
    dir: string,
    options: CcesJournalOptions = {},
  ): Promise<{ journal: CcesJournal; contents: CcesJournalContents }> {
    const maxGroupBytes = options.maxGroupBytes ?? CCES_JOURNAL_DEFAULTS.maxGroupBytes;
    if (!Number.isSafeInteger(maxGroupBytes) || maxGroupBytes < 1) {
      throw new RangeError(`maxGroupBytes must be a positive integer, not ${maxGroupBytes}`);
    }
    await mkdir(dir, { recursive: true });
    const lockKey = await realpath(dir);
    await takeLock(lockKey);
    try {
      await unlink(join(dir, CCES_JOURNAL_TMP_FILE)).catch(() => undefined);
      const { contents, acked, lines } = await loadJournal(join(dir, CCES_JOURNAL_FILE));
      const handle = await open(join(dir, CCES_JOURNAL_FILE), appendFlags(options.fsync ?? true));
      const journal = new CcesJournal(
        dir,
        lockKey,
        handle,
        options.fsync ?? true,
        maxGroupBytes,
        contents,
        acked,
        lines,
      );
      return { journal, contents };
    } catch (error) {
      await releaseLock(lockKey);
      throw error;
    }
  }

  /** Why the journal stopped accepting writes, if it did. */
  get failed(): CcesError | undefined {
    return this.failure;
  }

  /** Lines in the file since the last compaction (acknowledged ones included). */
  get lineCount(): number {
    return this.linesSinceCompaction;
  }

  /** Appends an event; resolves once it is on disk (fsynced, unless `fsync: false`). */
  append(record: CcesJournalRecord): Promise<void> {
    return new Promise((resolve, reject) =>
      this.appendThen(record, (error) => (error ? reject(error) : resolve())),
    );
  }

  /**
   * `append` without a promise of its own (the producer's hot path makes one per event, not three): `done`
   * is called once the event is on disk, or with the journal's failure (at once if it has failed already).
   */
  appendThen(record: CcesJournalRecord, done: Done): void {
    this.enqueue({ kind: 'line', text: eventLine(record), durable: true, record, done });
  }

  /** Records that Kafka acknowledged every entry up to `n`. */
  ack(n: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.enqueue({
        kind: 'line',
        text: `${JSON.stringify({ k: 'ack', n })}\n`,
        durable: false,
        ackN: n,
        done: (error) => (error ? reject(error) : resolve()),
      }),
    );
  }

  /** Rewrites the file as one state line plus the unacknowledged entries (atomic rename). */
  compact(): Promise<void> {
    return new Promise((resolve, reject) =>
      this.enqueue({ kind: 'compact', done: (error) => (error ? reject(error) : resolve()) }),
    );
  }

  /** Writes what is queued, then closes the file and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      // An empty line op is a barrier: it is done (or fails) after everything queued before it.
      this.enqueue({ kind: 'line', text: '', durable: false, done: () => resolve() });
    });
    this.closed = true;
    await this.handle.close().catch(() => undefined);
    await releaseLock(this.lockKey);
  }

  private enqueue(op: Op): void {
    if (this.closed) return op.done(new CcesError(CcesErrorCode.ProducerClosed, 'the journal is closed'));
    if (this.failure) return op.done(this.failure);
    this.queue.push(op);
    if (!this.writing) {
      this.writing = true;
      // A microtask later: what else is appended in this same turn (a room's creation and its first join,
      // a burst of events) goes into the first group — one write and one trip to the disk, not two.
      queueMicrotask(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    try {
      let current = this.startGroup();
      while (!this.failure) {
        if (!current) {
          // Nothing is being written: the queue is empty, or a compaction is next.
          const first = this.queue.shift();
          if (!first) break;
          if (first.kind === 'compact') {
            try {
              await this.rewrite();
            } catch (error) {
              first.done(this.fail(error));
              break;
            }
            first.done();
          }
          current = this.startGroup();
          continue;
        }
        const { batch, written } = current;
        try {
          await written;
        } catch (error) {
          const failure = this.fail(error);
          for (const op of batch) op.done(failure);
          break;
        }
        // The next group goes to the disk before this one's callbacks run (they wake the sender, which
        // encodes a Kafka request): the disk works meanwhile. Still one write at a time, in queue order.
        current = this.startGroup();
        this.complete(batch);
      }
    } finally {
      this.writing = false;
    }
  }

  /**
   * Takes the next group from the queue (the lines queued so far, up to maxGroupBytes, at least one) and
   * starts its write and fsync; nothing when the queue is empty or starts with a compaction.
   */
  private startGroup(): { batch: LineOp[]; written: Promise<void> } | undefined {
    if (this.failure || this.queue.length === 0 || this.queue[0].kind !== 'line') return undefined;
    const batch: LineOp[] = [];
    let taken = 0;
    let size = 0;
    while (taken < this.queue.length) {
      const op = this.queue[taken];
      if (op.kind !== 'line' || (taken > 0 && size + op.text.length > this.maxGroupBytes)) break;
      size += op.text.length;
      batch.push(op);
      taken += 1;
    }
    this.queue.splice(0, taken);
    const written = this.writeGroup(batch);
    // Awaited by drain right after the group before it completes; this only keeps an early failure quiet.
    written.catch(() => undefined);
    return { batch, written };
  }

  private async writeGroup(batch: LineOp[]): Promise<void> {
    const text = batch.map((op) => op.text).join('');
    if (text.length > 0) await this.handle.appendFile(text, 'utf8');
    // With fsync on, the file is open with O_DSYNC: the write returns once the data is on disk (as a write
    // then fdatasync would, in one trip to the thread pool instead of two).
    if (this.fsync && !HAS_O_DSYNC && batch.some((op) => op.durable)) await this.handle.datasync();
  }

  /** A group is on disk: apply what it records, then tell each op's caller. */
  private complete(batch: LineOp[]): void {
    for (const op of batch) {
      if (op.text.length > 0) this.linesSinceCompaction += 1;
      if (op.record) {
        this.seqs.observe(op.record.event.conferenceId, op.record.event.seq);
        // A room's end: its numbering is kept among the recent ends only (the state line stays small).
        if (op.record.event.type === 'room.ended') this.seqs.end(op.record.event.conferenceId);
        this.unacked.push(pending(op.record, op.text));
      } else if (op.ackN !== undefined) {
        this.acknowledge(op.ackN);
      }
      op.done();
    }
  }

  private acknowledge(n: number): void {
    this.acked = Math.max(this.acked, n);
    let drop = 0;
    while (drop < this.unacked.length && this.unacked[drop].n <= n) drop += 1;
    if (drop > 0) this.unacked = this.unacked.slice(drop);
  }

  private fail(error: unknown): CcesError {
    if (!this.failure) {
      const reason = error instanceof Error ? error.message : String(error);
      this.failure = new CcesError(
        CcesErrorCode.JournalFailed,
        `journal write failed in ${this.dir}: ${reason}`,
      );
      for (const op of this.queue.splice(0)) op.done(this.failure);
    }
    return this.failure;
  }

  private async rewrite(): Promise<void> {
    // The state line covers what it replaces (acknowledged events): the unacknowledged ones after it
    // replay their own seqs, so each conference restarts at the seq before its first kept event.
    const seqs = this.seqs.snapshot();
    const seen = new Set<string>();
    for (const entry of this.unacked) {
      if (seen.has(entry.conferenceId)) continue;
      seen.add(entry.conferenceId);
      seqs[entry.conferenceId] = entry.seq - 1;
    }
    const text = [stateLine(this.acked, seqs), ...this.unacked.map((entry) => entry.line)].join('');
    const tmp = join(this.dir, CCES_JOURNAL_TMP_FILE);
    const file = join(this.dir, CCES_JOURNAL_FILE);
    const out = await open(tmp, 'w');
    try {
      await out.writeFile(text, 'utf8');
      if (this.fsync) await out.datasync();
    } finally {
      await out.close();
    }
    await rename(tmp, file);
    if (this.fsync) await syncDir(this.dir);
    const previous = this.handle;
    this.handle = await open(file, appendFlags(this.fsync));
    await previous.close().catch(() => undefined);
    this.linesSinceCompaction = 1 + this.unacked.length;
  }
}

const pending = (record: CcesJournalRecord, line: string): Pending => ({
  n: record.n,
  conferenceId: record.event.conferenceId,
  seq: record.event.seq,
  line,
});
