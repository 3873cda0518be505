import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, FakeClock } from '@hoot/testing';
import type { FakeCcesSender } from '../../testing';
import type { CcesEvent } from './cces-envelope';
import { CCES_JOURNAL_FILE } from './cces-journal';
import { JournaledProducer, type JournaledProducerOptions } from './journaled-producer';

// What the specs of JournaledProducer share (journaled-producer.spec.ts: numbering, sending, batches,
// journal groups; journaled-producer.recovery.spec.ts: restarts, crashes, compaction, close).

export const TOPIC = 'hoot.coremx.coremx-1.events';

export const seqsOf = (events: CcesEvent[], conferenceId: string) =>
  events.filter((e) => e.conferenceId === conferenceId).map((e) => e.seq);

export interface ProducerHarness {
  /** This spec's journal folder (a fresh temporary one per spec). */
  readonly dir: string;
  /** This spec's clock. */
  readonly clock: FakeClock;
  /** Producers still open, closed after each spec. */
  readonly open: JournaledProducer[];
  start(sender: FakeCcesSender, extra?: Partial<JournaledProducerOptions>): Promise<JournaledProducer>;
  /** Lets backoff timers fire until the check passes. */
  settle<T>(check: () => T): Promise<T>;
  /** The journal file's lines, parsed. */
  journalLines(): { k: string; n?: number; event?: CcesEvent }[];
}

/** Per spec: a fresh journal folder and clock; every producer opened with `start` is closed afterwards. */
export function useProducerHarness(): ProducerHarness {
  let dir = '';
  let clock = new FakeClock();
  const open: JournaledProducer[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hoot-cces-journal-'));
    clock = new FakeClock();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((producer) => producer.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  return {
    get dir() {
      return dir;
    },
    get clock() {
      return clock;
    },
    open,
    async start(sender, extra = {}) {
      const producer = await JournaledProducer.open({
        coremxId: 'coremx-1',
        journalDir: dir,
        sender,
        clock,
        retryInitialMs: 100,
        retryMaxMs: 1_000,
        ...extra,
      });
      open.push(producer);
      return producer;
    },
    settle: <T>(check: () => T) =>
      eventually(() => {
        clock.advance(1_000);
        return check();
      }),
    journalLines: () =>
      readFileSync(join(dir, CCES_JOURNAL_FILE), 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as { k: string; n?: number; event?: CcesEvent }),
  };
}
