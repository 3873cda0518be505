import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ccesSampleInput } from '../../testing';
import type { CcesEvent } from './cces-envelope';
import { CCES_JOURNAL_FILE, CcesJournal, type CcesJournalRecord } from './cces-journal';

describe('CcesJournal', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hoot-cces-journal-unit-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const record = (n: number): CcesJournalRecord => {
    const input = ccesSampleInput('hand.raised');
    const event = {
      id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      type: input.type,
      schemaVersion: 1,
      coremxId: 'coremx-1',
      conferenceId: input.conferenceId,
      seq: n,
      occurredAt: '2026-01-01T00:00:00.000Z',
      data: input.data,
    } as CcesEvent;
    return { n, event, eventJson: JSON.stringify(event) };
  };
  const lineBytes = (r: CcesJournalRecord) => `{"k":"event","n":${r.n},"event":${r.eventJson}}\n`.length;

  it('writes a burst in groups of at most maxGroupBytes: an append is done once its own group is on disk', async () => {
    const records = Array.from({ length: 10 }, (_, i) => record(i + 1));
    // Room for two lines per group.
    const maxGroupBytes = 2 * Math.max(...records.map(lineBytes)) + 1;
    const { journal } = await CcesJournal.open(dir, { maxGroupBytes });
    try {
      const linesWhenDone: number[] = [];
      await Promise.all(
        records.map((r) => journal.append(r).then(() => linesWhenDone.push(journal.lineCount))),
      );
      // Two lines per write from the first one on (the write starts a microtask after the first append, so
      // what is appended in the same turn joins it): a single write of all ten would have them all done with
      // ten lines on disk, and a first write of one line alone would give 1, 3, 3, ….
      expect(linesWhenDone).toEqual([2, 2, 4, 4, 6, 6, 8, 8, 10, 10]);
      const lines = readFileSync(join(dir, CCES_JOURNAL_FILE), 'utf8').split('\n').filter(Boolean);
      expect(lines.map((line) => (JSON.parse(line) as { n: number }).n)).toEqual(records.map((r) => r.n));
    } finally {
      await journal.close();
    }
  });

  it('writes a line longer than maxGroupBytes on its own rather than never', async () => {
    const { journal, contents } = await CcesJournal.open(dir, { maxGroupBytes: 1 });
    expect(contents.nextN).toBe(1);
    await Promise.all([journal.append(record(1)), journal.append(record(2)), journal.ack(1)]);
    await journal.close();
    const again = await CcesJournal.open(dir);
    try {
      expect(again.contents.unacked.map((r) => r.n)).toEqual([2]);
      expect(again.contents.nextN).toBe(3);
    } finally {
      await again.journal.close();
    }
  });

  it('refuses a maxGroupBytes that is not a positive integer', async () => {
    for (const maxGroupBytes of [0, -5, 2.5, Number.POSITIVE_INFINITY]) {
      await expect(CcesJournal.open(dir, { maxGroupBytes })).rejects.toThrow(/maxGroupBytes/);
    }
    // Nothing was locked: the folder opens.
    const { journal } = await CcesJournal.open(dir);
    await journal.close();
  });
});
