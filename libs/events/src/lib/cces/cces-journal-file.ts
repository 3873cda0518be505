import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { parseCcesEnvelope, type CcesEvent } from './cces-envelope';
import { CcesError, CcesErrorCode } from './cces-error-code';
import { CcesSequencer } from './cces-sequencer';
import { isPlainObject } from './validation';

/**
 * The file of a CCES journal (`CcesJournal`, cces-journal.ts): one append-only file of JSON lines —
 *
 * - `{"k":"event","n":…,"event":{…}}`: an event, written (and fsynced) before it may be sent;
 * - `{"k":"ack","n":…}`: Kafka acknowledged every event up to `n`;
 * - `{"k":"state","v":1,"acked":…,"seqs":{…}}`: first line after a compaction, carrying what was dropped —
 *
 * how its lines are written, how it is opened for appending, and how it is read back on open.
 */

/** One journaled event: `n` numbers journal entries (1, 2, 3 … for the life of the journal). */
export interface CcesJournalRecord {
  n: number;
  event: CcesEvent;
  /** `JSON.stringify(event)` when the caller has it already (the producer's Kafka value): not made twice. */
  eventJson?: string;
}

/** What a journal held when it was opened. */
export interface CcesJournalContents {
  /** The last seq of every conference ever journaled (including acknowledged and compacted ones). */
  seqs: Record<string, number>;
  /** Entries not yet acknowledged by Kafka, in journal order. */
  unacked: CcesJournalRecord[];
  /** The `n` of the next entry. */
  nextN: number;
  /** Bytes of a torn last line (a crash in the middle of a write) that were cut off. */
  tornBytes: number;
}

export const CCES_JOURNAL_FILE = 'cces-journal.jsonl';
export const CCES_JOURNAL_TMP_FILE = `${CCES_JOURNAL_FILE}.tmp`;
const FORMAT_VERSION = 1;

export const eventLine = (record: CcesJournalRecord) =>
  record.eventJson === undefined
    ? `${JSON.stringify({ k: 'event', n: record.n, event: record.event })}\n`
    : `{"k":"event","n":${record.n},"event":${record.eventJson}}\n`;

/** The first line of a compacted file: what the dropped lines said (acknowledged up to, last seqs). */
export const stateLine = (acked: number, seqs: Record<string, number>): string =>
  `${JSON.stringify({ k: 'state', v: FORMAT_VERSION, acked, seqs })}\n`;

/**
 * Append; with `durable`, also O_DSYNC where the platform has it (every write is on disk when it returns,
 * as a write then fdatasync), otherwise a plain append (then `writeGroup` fsyncs itself).
 */
export const HAS_O_DSYNC = typeof constants.O_DSYNC === 'number';
export const appendFlags = (durable: boolean): number =>
  constants.O_WRONLY |
  constants.O_CREAT |
  constants.O_APPEND |
  (durable && HAS_O_DSYNC ? constants.O_DSYNC : 0);

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const corrupt = (line: number, what: string) =>
  new CcesError(CcesErrorCode.JournalCorrupt, `${CCES_JOURNAL_FILE} line ${line}: ${what}`);

/**
 * Reads back the journal file (absent: empty): cuts a torn last line off the file, checks every line
 * (`cces.journal-corrupt` naming the line) and answers what it holds, the acknowledged `n` and its line count.
 */
export async function loadJournal(
  file: string,
): Promise<{ contents: CcesJournalContents; acked: number; lines: number }> {
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    buffer = Buffer.alloc(0);
  }
  // Only whole lines count: a crash during a write leaves at most one partial line at the end.
  const end = buffer.lastIndexOf(0x0a) + 1;
  const tornBytes = buffer.length - end;
  if (tornBytes > 0) {
    const handle = await open(file, 'r+');
    try {
      await handle.truncate(end);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }
  const lines =
    end === 0
      ? []
      : buffer
          .subarray(0, end - 1)
          .toString('utf8')
          .split('\n');
  let seqs = new CcesSequencer();
  let acked = 0;
  let lastN = 0;
  let unacked: CcesJournalRecord[] = [];
  lines.forEach((text, index) => {
    const lineNo = index + 1;
    let entry: unknown;
    try {
      entry = JSON.parse(text);
    } catch {
      throw corrupt(lineNo, 'not JSON');
    }
    if (!isPlainObject(entry)) throw corrupt(lineNo, 'not an object');
    switch (entry['k']) {
      case 'state': {
        const { v, acked: stateAcked, seqs: stateSeqs } = entry;
        if (index !== 0) throw corrupt(lineNo, 'a state line after the first line');
        if (v !== FORMAT_VERSION) throw corrupt(lineNo, `unknown journal format ${JSON.stringify(v)}`);
        if (typeof stateAcked !== 'number' || !Number.isSafeInteger(stateAcked) || stateAcked < 0) {
          throw corrupt(lineNo, 'bad acked');
        }
        if (!isPlainObject(stateSeqs)) throw corrupt(lineNo, 'bad seqs');
        try {
          seqs = new CcesSequencer(stateSeqs as Record<string, number>);
        } catch {
          throw corrupt(lineNo, 'bad seqs');
        }
        acked = stateAcked;
        lastN = stateAcked;
        return;
      }
      case 'event': {
        const n = entry['n'];
        if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= lastN)
          throw corrupt(lineNo, 'bad entry number');
        const parsed = parseCcesEnvelope(entry['event']);
        if (!parsed.ok) throw corrupt(lineNo, `bad event (${parsed.code}: ${parsed.reason})`);
        try {
          seqs.observe(parsed.event.conferenceId, parsed.event.seq);
          if (parsed.event.type === 'room.ended') seqs.end(parsed.event.conferenceId);
        } catch (error) {
          throw corrupt(lineNo, (error as Error).message);
        }
        lastN = n;
        if (n > acked) unacked.push({ n, event: parsed.event });
        return;
      }
      case 'ack': {
        const n = entry['n'];
        if (typeof n !== 'number' || !Number.isSafeInteger(n) || n > lastN) throw corrupt(lineNo, 'bad ack');
        if (n > acked) {
          acked = n;
          unacked = unacked.filter((record) => record.n > n);
        }
        return;
      }
      default:
        throw corrupt(lineNo, `unknown line kind ${JSON.stringify(entry['k'])}`);
    }
  });
  return {
    contents: { seqs: seqs.snapshot(), unacked, nextN: lastN + 1, tornBytes },
    acked,
    lines: lines.length,
  };
}
