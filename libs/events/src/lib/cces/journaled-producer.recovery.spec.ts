import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { eventually } from '@hoot/testing';
import { ccesSampleInput, ccesSampleSession, FakeCcesSender } from '../../testing';
import type { CcesEvent } from './cces-envelope';
import { CcesError, CcesErrorCode } from './cces-error-code';
import { CCES_JOURNAL_FILE } from './cces-journal';
import { JournaledProducer } from './journaled-producer';
import { seqsOf, useProducerHarness } from './journaled-producer.fixture';

describe('JournaledProducer across restarts, crashes and compaction', () => {
  const h = useProducerHarness();
  const { start, settle, journalLines } = h;

  it('loses nothing across a restart: unsent events go first, in order, and seq numbering continues', async () => {
    const down = new FakeCcesSender();
    down.down = true;
    const first = await start(down);
    const before = await Promise.all(
      ccesSampleSession('standup')
        .slice(0, 8)
        .map((i) => first.publish(i)),
    );
    await first.close();
    expect(down.closed).toBe(true);

    const up = new FakeCcesSender();
    up.hold();
    const second = await start(up);
    expect(second.backlog()).toBe(8);
    const after = await second.publish(ccesSampleInput('hand.denied'));
    expect(after.seq).toBe(9);
    up.release();
    await second.flushed();
    expect(up.events()).toEqual([...before, after]);
  });

  it('does not resend what Kafka acknowledged before a restart', async () => {
    const sender = new FakeCcesSender();
    const first = await start(sender);
    await Promise.all(
      ccesSampleSession('standup')
        .slice(0, 3)
        .map((i) => first.publish(i)),
    );
    await first.flushed();
    await first.close();

    const again = new FakeCcesSender();
    const second = await start(again);
    expect(second.backlog()).toBe(0);
    const next = await second.publish(ccesSampleInput('room.started'));
    await second.flushed();
    expect(next.seq).toBe(4);
    expect(again.events()).toEqual([next]);
  });

  it('resends, identically, events whose acknowledgement was lost in a crash (consumers drop them by seq)', async () => {
    const sender = new FakeCcesSender();
    const first = await start(sender);
    const sent = await Promise.all(
      ccesSampleSession('standup')
        .slice(0, 3)
        .map((i) => first.publish(i)),
    );
    await first.flushed();
    await first.close();
    // The crash: the ack line never reached the disk.
    const file = join(h.dir, CCES_JOURNAL_FILE);
    const kept = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line && !line.includes('"k":"ack"'));
    writeFileSync(file, `${kept.join('\n')}\n`);

    const again = new FakeCcesSender();
    const second = await start(again);
    await second.flushed();
    expect(again.events()).toEqual(sent);
  });

  it('cuts a torn last line (a crash during a write) and keeps every whole event', async () => {
    const down = new FakeCcesSender();
    down.down = true;
    const first = await start(down);
    const events = await Promise.all(
      ccesSampleSession('standup')
        .slice(0, 4)
        .map((i) => first.publish(i)),
    );
    await first.close();
    appendFileSync(join(h.dir, CCES_JOURNAL_FILE), '{"k":"event","n":5,"event":{"id":"0f8f');

    const up = new FakeCcesSender();
    const second = await start(up);
    expect(second.status().tornBytesAtOpen).toBe(38);
    expect((await second.publish(ccesSampleInput('room.started'))).seq).toBe(5);
    await second.flushed();
    expect(up.events().slice(0, 4)).toEqual(events);
  });

  it.each([
    ['a broken line in the middle', (lines: string[]) => [lines[0], '{"k":', ...lines.slice(1)]],
    ['a gap in the seqs', (lines: string[]) => [lines[0], lines[2]]],
    [
      'an event that fails its contract',
      (lines: string[]) => [lines[0].replace('"roomType":"m2m"', '"roomType":1')],
    ],
    ['an unknown line kind', (lines: string[]) => [...lines, '{"k":"mystery"}']],
  ])('refuses to start on a corrupt journal: %s', async (_what, corrupt) => {
    const first = await start(Object.assign(new FakeCcesSender(), { down: true }));
    await Promise.all(
      ccesSampleSession('standup')
        .slice(0, 3)
        .map((i) => first.publish(i)),
    );
    await first.close();
    const file = join(h.dir, CCES_JOURNAL_FILE);
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    writeFileSync(file, `${corrupt(lines).join('\n')}\n`);
    await expect(start(new FakeCcesSender())).rejects.toMatchObject({ code: CcesErrorCode.JournalCorrupt });
    // The failed open released the folder: a repaired journal opens.
    writeFileSync(file, `${lines.join('\n')}\n`);
    expect((await start(Object.assign(new FakeCcesSender(), { down: true }))).backlog()).toBe(3);
  });

  it("refuses a journal holding another CoreMX's events", async () => {
    const first = await start(Object.assign(new FakeCcesSender(), { down: true }));
    await first.publish(ccesSampleInput('room.started'));
    await first.close();
    await expect(start(new FakeCcesSender(), { coremxId: 'coremx-2' })).rejects.toMatchObject({
      code: CcesErrorCode.JournalCorrupt,
    });
  });

  it('allows one producer per journal folder; a stale lock of a dead process is taken over', async () => {
    const first = await start(new FakeCcesSender());
    await expect(start(new FakeCcesSender())).rejects.toMatchObject({ code: CcesErrorCode.JournalLocked });
    await first.close();
    writeFileSync(join(h.dir, 'cces-journal.lock'), JSON.stringify({ pid: 2 ** 22 + 12_345 }));
    await expect(start(new FakeCcesSender())).resolves.toBeInstanceOf(JournaledProducer);
  });

  it('compacts acknowledged entries away and keeps numbering and unsent events across it', async () => {
    const sender = new FakeCcesSender();
    const first = await start(sender, { compactAfterLines: 10 });
    for (let i = 0; i < 30; i += 1) await first.publish(ccesSampleInput('hand.raised'));
    await first.flushed();
    sender.down = true;
    const unsent = await first.publish(ccesSampleInput('hand.lowered'));
    const lines = journalLines();
    expect(lines.length).toBeLessThan(12);
    expect(lines[0]).toMatchObject({ k: 'state', seqs: { standup: expect.any(Number) } });
    expect(lines.filter((line) => line.k === 'event').map((line) => line.event?.seq)).toContain(31);
    await first.close();

    const up = new FakeCcesSender();
    up.hold();
    const second = await start(up, { compactAfterLines: 10 });
    expect(second.backlog()).toBe(1);
    const next = await second.publish(ccesSampleInput('hand.raised'));
    up.release();
    await second.flushed();
    expect([unsent.seq, next.seq]).toEqual([31, 32]);
    expect(up.events()).toEqual([unsent, next]);
  });

  it('refuses new events once the backlog limit is reached, without consuming a seq', async () => {
    const sender = new FakeCcesSender();
    sender.down = true;
    const producer = await start(sender, { maxBacklog: 2 });
    await producer.publish(ccesSampleInput('room.started'));
    await producer.publish(ccesSampleInput('room.started'));
    const full = producer.publish(ccesSampleInput('room.started'));
    await expect(full).rejects.toBeInstanceOf(CcesError);
    await expect(full).rejects.toMatchObject({ code: CcesErrorCode.JournalFull });
    sender.down = false;
    await settle(() => expect(producer.backlog()).toBe(0));
    expect((await producer.publish(ccesSampleInput('room.started'))).seq).toBe(3);
  });

  it('close waits for an in-flight send and records its acknowledgement; publishing after close is refused', async () => {
    const sender = new FakeCcesSender();
    sender.hold();
    const producer = await start(sender);
    await producer.publish(ccesSampleInput('room.started'));
    await eventually(() => expect(sender.attempts).toHaveLength(1));
    const closing = producer.close();
    sender.release();
    await closing;
    await expect(producer.publish(ccesSampleInput('room.started'))).rejects.toMatchObject({
      code: CcesErrorCode.ProducerClosed,
    });
    expect(journalLines().at(-1)).toEqual({ k: 'ack', n: 1 });
  });

  it('close with a drain timeout sends the backlog first when Kafka answers', async () => {
    const sender = new FakeCcesSender();
    sender.down = true;
    const producer = await start(sender);
    await producer.publish(ccesSampleInput('room.started'));
    const closing = producer.close({ drainTimeoutMs: 60_000 });
    sender.down = false;
    await settle(() => expect(sender.delivered).toHaveLength(1));
    await closing;
    expect(producer.backlog()).toBe(0);
  });

  it('flushed() pending at close rejects with a stable code', async () => {
    const sender = new FakeCcesSender();
    sender.down = true;
    const producer = await start(sender);
    await producer.publish(ccesSampleInput('room.started'));
    const flushed = producer.flushed();
    const closing = producer.close();
    await expect(flushed).rejects.toMatchObject({ code: CcesErrorCode.ProducerClosed });
    await closing;
  });

  it('delivers every event exactly once and gap-free through any mix of outages and restarts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({
              op: fc.constant('publish' as const),
              conference: fc.constantFrom('aaa', 'bbb', 'ccc'),
            }),
            fc.record({
              op: fc.constantFrom('down' as const, 'up' as const, 'restart' as const, 'tick' as const),
            }),
          ),
          { maxLength: 40 },
        ),
        async (ops) => {
          rmSync(h.dir, { recursive: true, force: true });
          let sender = new FakeCcesSender();
          const delivered: CcesEvent[] = [];
          const published: CcesEvent[] = [];
          let producer = await JournaledProducer.open({
            coremxId: 'coremx-1',
            journalDir: h.dir,
            sender,
            clock: h.clock,
          });
          const collect = () => delivered.push(...sender.events());
          try {
            for (const step of ops) {
              if (step.op === 'publish')
                published.push(await producer.publish(ccesSampleInput('hand.raised', step.conference)));
              else if (step.op === 'down') sender.down = true;
              else if (step.op === 'up') sender.down = false;
              else if (step.op === 'tick') h.clock.advance(10_000);
              else {
                const wasDown = sender.down;
                await producer.close();
                collect();
                sender = new FakeCcesSender();
                sender.down = wasDown;
                producer = await JournaledProducer.open({
                  coremxId: 'coremx-1',
                  journalDir: h.dir,
                  sender,
                  clock: h.clock,
                });
              }
            }
            sender.down = false;
            await eventually(() => {
              h.clock.advance(10_000);
              expect(producer.backlog()).toBe(0);
            });
          } finally {
            await producer.close();
          }
          collect();
          expect(delivered).toEqual(published);
          for (const conference of ['aaa', 'bbb', 'ccc']) {
            const seqs = seqsOf(delivered, conference);
            expect(seqs).toEqual(seqs.map((_, i) => i + 1));
          }
        },
      ),
      { numRuns: 30 },
    );
  });
});
