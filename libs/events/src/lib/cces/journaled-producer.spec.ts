import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { eventually, FakeClock } from '@hoot/testing';
import { ccesSampleInput, ccesSampleSession, FakeCcesSender } from '../../testing';
import { CCES_CATALOG } from './cces-catalog';
import { CCES_MAX_VALUE_BYTES, parseCcesMessage, type CcesEvent } from './cces-envelope';
import { CcesError, CcesErrorCode } from './cces-error-code';
import { COREMX_STREAM_KEY } from './cces-fields';
import { CCES_JOURNAL_FILE } from './cces-journal';
import { ccesValueBytesAtMost } from './cces-publisher.port';
import { JournaledProducer, type JournaledProducerOptions } from './journaled-producer';

const TOPIC = 'hoot.coremx.coremx-1.events';

describe('JournaledProducer', () => {
  let dir: string;
  let clock: FakeClock;
  const open: JournaledProducer[] = [];

  const start = async (sender: FakeCcesSender, extra: Partial<JournaledProducerOptions> = {}) => {
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
  };
  /** Lets backoff timers fire until the check passes. */
  const settle = <T>(check: () => T) =>
    eventually(() => {
      clock.advance(1_000);
      return check();
    });
  const journalLines = () =>
    readFileSync(join(dir, CCES_JOURNAL_FILE), 'utf8')
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as { k: string; n?: number; event?: CcesEvent });
  const seqsOf = (events: CcesEvent[], conferenceId: string) =>
    events.filter((e) => e.conferenceId === conferenceId).map((e) => e.seq);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hoot-cces-journal-'));
    clock = new FakeClock();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((producer) => producer.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the numbering of live rooms and recent ends only: the state line stays small after many rooms, and no seq repeats across a restart (issue 20)', async () => {
    const sender = new FakeCcesSender();
    const producer = await start(sender, { compactAfterLines: 200 });
    const rooms = 1_200;
    for (let i = 0; i < rooms; i++) {
      await producer.publish(ccesSampleInput('room.started', `room-${i}`));
      await producer.publish(ccesSampleInput('room.ended', `room-${i}`));
    }
    await producer.publish(ccesSampleInput('room.started', 'still-open'));
    await producer.flushed();
    await settle(() => expect(producer.status().backlog).toBe(0));
    // Compacted at least once: the state line lists live rooms, the last 1,000 ends and a floor — not all 1,200.
    const states = journalLines().filter((l) => l.k === 'state') as unknown as {
      seqs: Record<string, number>;
    }[];
    expect(states.length).toBeGreaterThan(0);
    const keys = Object.keys(states[states.length - 1].seqs);
    expect(keys.length).toBeLessThanOrEqual(1_000 + 2 + 1);
    expect(keys).toContain('*');
    // A room ended long ago (forgotten) opens again above every seq it had; a recent one continues at last + 1.
    await producer.close();
    open.splice(open.indexOf(producer), 1);
    const again = await start(sender, { compactAfterLines: 200 });
    const old = await again.publish(ccesSampleInput('room.started', 'room-0'));
    const recent = await again.publish(ccesSampleInput('room.started', `room-${rooms - 1}`));
    const lastOf = (id: string) =>
      Math.max(
        ...sender
          .events()
          .filter((e) => e.conferenceId === id && e.id !== old.id && e.id !== recent.id)
          .map((e) => e.seq),
      );
    // (A conference first seen after some were forgotten starts above the floor, not at 1: still never a repeat.)
    expect(old.seq).toBeGreaterThan(lastOf('room-0'));
    expect(recent.seq).toBe(lastOf(`room-${rooms - 1}`) + 1);
    // Never one seq twice for a conference, over everything ever numbered (by event id, resends counted once).
    const byId = new Map([...sender.events(), old, recent].map((e) => [e.id, e]));
    const keys2 = [...byId.values()].map((e) => `${e.conferenceId}#${e.seq}`);
    expect(new Set(keys2).size).toBe(keys2.length);
  });

  it('journals, numbers per conference and sends in order with the conference as key', async () => {
    const sender = new FakeCcesSender();
    const producer = await start(sender);
    const session = [...ccesSampleSession('standup'), ...ccesSampleSession('retro')];
    const published = await Promise.all(session.map((input) => producer.publish(input)));
    await producer.flushed();

    expect(published.map((e) => e.type)).toEqual(session.map((i) => i.type));
    expect(seqsOf(published, 'standup')).toEqual(session.slice(0, 20).map((_, i) => i + 1));
    expect(seqsOf(published, 'retro')).toEqual(session.slice(0, 20).map((_, i) => i + 1));
    expect(new Set(published.map((e) => e.id)).size).toBe(published.length);
    expect(published.every((e) => e.coremxId === 'coremx-1')).toBe(true);
    expect(published.every((e) => e.schemaVersion === CCES_CATALOG[e.type].schemaVersion)).toBe(true);
    expect(published[0].occurredAt).toBe(new Date(clock.now()).toISOString());

    expect(sender.topics).toEqual(new Set([TOPIC]));
    expect(sender.events()).toEqual(published);
    expect(
      sender.delivered.every(({ message }) => message.key === JSON.parse(message.value).conferenceId),
    ).toBe(true);
    expect(sender.delivered[0].message.headers).toEqual({
      'cces-type': 'room.reserved',
      'cces-schema-version': '2',
    });
    expect(producer.backlog()).toBe(0);
    expect(producer.status()).toMatchObject({
      topic: TOPIC,
      backlog: 0,
      lastError: undefined,
      failed: undefined,
    });
  });

  it('has the event on disk (fsynced) when publish resolves, before Kafka has it', async () => {
    const sender = new FakeCcesSender();
    sender.down = true;
    const producer = await start(sender);
    const event = await producer.publish(ccesSampleInput('room.started'));
    expect(journalLines()).toEqual([{ k: 'event', n: 1, event }]);
    expect(sender.delivered).toHaveLength(0);
    expect(producer.backlog()).toBe(1);
  });

  it.each([
    [
      'an unknown type',
      { type: 'room.exploded', conferenceId: 'standup', data: {} },
      CcesErrorCode.UnknownType,
    ],
    [
      'a bad conference id',
      { ...ccesSampleInput('room.started'), conferenceId: 'Bad Id' },
      CcesErrorCode.InvalidEnvelope,
    ],
    [
      'a CoreMX event on a conference',
      { ...ccesSampleInput('coremx.state-changed'), conferenceId: 'standup' },
      CcesErrorCode.InvalidEnvelope,
    ],
    [
      'bad data',
      { type: 'hand.raised', conferenceId: 'standup', data: { participantId: 1 } },
      CcesErrorCode.InvalidData,
    ],
    [
      'an invalid date',
      { ...ccesSampleInput('room.started'), occurredAt: new Date('nope') },
      CcesErrorCode.InvalidEnvelope,
    ],
  ])('refuses %s with a stable code and changes nothing', async (_what, input, code) => {
    const sender = new FakeCcesSender();
    const producer = await start(sender);
    await expect(producer.publish(input as never)).rejects.toMatchObject({ name: 'CcesError', code });
    const next = await producer.publish(ccesSampleInput('room.started'));
    expect(next.seq).toBe(1);
    expect(journalLines().filter((line) => line.k === 'event')).toHaveLength(1);
  });

  it('gives CoreMX events their own gap-free stream under the `_coremx` key', async () => {
    const producer = await start(new FakeCcesSender());
    const a = await producer.publish(ccesSampleInput('coremx.state-changed'));
    const b = await producer.publish({
      type: 'coremx.state-changed',
      conferenceId: COREMX_STREAM_KEY,
      data: { from: 'ready', to: 'draining', reason: 'drain requested' },
    });
    await producer.publish(ccesSampleInput('room.started'));
    expect([a.conferenceId, a.seq, b.seq]).toEqual([COREMX_STREAM_KEY, 1, 2]);
  });

  it('journals a re-homed conference as room.reserved (v2) then conference.moved, with consecutive seqs', async () => {
    const sender = new FakeCcesSender();
    const producer = await start(sender);
    await producer.publish(ccesSampleInput('room.started', 'other'));
    const address = 'hoot.mx://standup@coremx-1.c1.hoot.mx';
    const [reserved, moved] = await Promise.all([
      producer.publish({
        type: 'room.reserved',
        conferenceId: 'standup',
        data: {
          roomType: 'm2m',
          creator: 'acc-alice',
          address,
          public: true,
          allowed: null,
          maxParticipants: 8,
        },
      }),
      producer.publish({
        type: 'conference.moved',
        conferenceId: 'standup',
        data: { fromCoremxId: 'coremx-9', toCoremxId: 'coremx-1', toAddress: address, reason: 'coremx-down' },
      }),
    ]);
    await producer.flushed();

    expect([reserved.seq, moved.seq]).toEqual([1, 2]);
    expect(reserved.schemaVersion).toBe(2);
    const standup = sender.events().filter((e) => e.conferenceId === 'standup');
    expect(standup.map((e) => [e.type, e.seq])).toEqual([
      ['room.reserved', 1],
      ['conference.moved', 2],
    ]);
    for (const { message } of sender.delivered) {
      expect(parseCcesMessage(message.key, message.value, TOPIC)).toMatchObject({ ok: true });
    }
  });

  it('bounds the size of a value before publishing (ccesValueBytesAtMost), so a caller can refuse what consumers would', async () => {
    const sender = new FakeCcesSender();
    const producer = await start(sender);
    const input = ccesSampleInput('room.reserved');
    const bound = ccesValueBytesAtMost(input, 'coremx-1');
    await producer.publish(input);
    await producer.flushed();
    const actual = Buffer.byteLength(sender.delivered[0].message.value);
    // seq 1 is counted as the largest safe integer (16 digits): the bound is exact but for those digits.
    expect(bound - actual).toBe(String(Number.MAX_SAFE_INTEGER).length - 1);

    const allowed = Array.from({ length: 1_000 }, (_, i) => `account-${String(i).padStart(6, '0')}`);
    const large = { ...input, data: { ...input.data, allowed } };
    expect(ccesValueBytesAtMost(large, 'coremx-1')).toBeGreaterThan(CCES_MAX_VALUE_BYTES);
    expect(() =>
      ccesValueBytesAtMost({ ...input, data: { ...input.data, public: 'yes' } } as never, 'c'),
    ).toThrow(CcesError);
  });

  it('keeps events while Kafka is down, retries the same batch with backoff, then sends all in order', async () => {
    const sender = new FakeCcesSender();
    const errors: number[] = [];
    const producer = await start(sender, { onSendError: (_e, attempt) => errors.push(attempt) });
    await producer.publish(ccesSampleInput('room.reserved'));
    await producer.flushed();
    sender.down = true;
    const during = await Promise.all(ccesSampleSession('retro').map((input) => producer.publish(input)));
    expect(producer.backlog()).toBe(during.length);
    await settle(() => expect(producer.status().consecutiveFailures).toBeGreaterThanOrEqual(3));
    expect(producer.status()).toMatchObject({
      backlog: during.length,
      lastError: 'fake broker unreachable',
      oldestUnsentAt: during[0].occurredAt,
    });
    expect(errors.slice(0, 3)).toEqual([1, 2, 3]);
    // Every retry carried exactly the batch of the first failed attempt.
    const failed = sender.attempts.slice(1);
    expect(failed.every((a) => JSON.stringify(a.messages) === JSON.stringify(failed[0].messages))).toBe(true);

    const flushed = producer.flushed();
    sender.down = false;
    await settle(() => expect(producer.backlog()).toBe(0));
    await flushed;
    expect(sender.events().slice(1)).toEqual(during);
    expect(producer.status()).toMatchObject({ consecutiveFailures: 0, lastError: undefined });
  });

  it('ends a batch at maxBatchBytes of values before maxBatch events, and sends the rest in order', async () => {
    const sender = new FakeCcesSender();
    sender.hold();
    const producer = await start(sender, { maxBatch: 10, maxBatchBytes: 700 });
    const events = await Promise.all(
      Array.from({ length: 10 }, () => producer.publish(ccesSampleInput('hand.raised'))),
    );
    sender.release();
    await producer.flushed();
    const one = sender.attempts[0].messages[0].value.length;
    expect(3 * one).toBeLessThanOrEqual(700); // three of the sample fit, four do not
    expect(4 * one).toBeGreaterThan(700);
    const sizes = sender.attempts.map((a) => a.messages.length);
    expect(Math.max(...sizes)).toBe(3);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
    expect(sender.events()).toEqual(events);
  });

  it('sends at most maxBatch events per request when the values are small', async () => {
    const sender = new FakeCcesSender();
    sender.hold();
    const producer = await start(sender, { maxBatch: 4 });
    const events = await Promise.all(
      Array.from({ length: 9 }, () => producer.publish(ccesSampleInput('hand.raised'))),
    );
    sender.release();
    await producer.flushed();
    const sizes = sender.attempts.map((a) => a.messages.length);
    expect(Math.max(...sizes)).toBe(4);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(9);
    expect(sender.events()).toEqual(events);
  });

  it('waits longer after each failure, up to the maximum', async () => {
    const sender = new FakeCcesSender();
    sender.down = true;
    const producer = await start(sender, { retryInitialMs: 100, retryMaxMs: 400 });
    await producer.publish(ccesSampleInput('room.started'));
    const attemptsAfter = async (ms: number) => {
      clock.advance(ms);
      await eventually(() => expect(producer.status().consecutiveFailures).toBeGreaterThan(0));
      return producer.status().consecutiveFailures;
    };
    await eventually(() => expect(producer.status().consecutiveFailures).toBe(1));
    expect(await attemptsAfter(99)).toBe(1);
    await eventually(async () => expect(await attemptsAfter(1)).toBe(2));
    expect(await attemptsAfter(199)).toBe(2);
    await eventually(async () => expect(await attemptsAfter(1)).toBe(3));
    expect(await attemptsAfter(399)).toBe(3);
    await eventually(async () => expect(await attemptsAfter(1)).toBe(4));
    expect(await attemptsAfter(399)).toBe(4); // capped at 400 ms
    await eventually(async () => expect(await attemptsAfter(1)).toBe(5));
  });

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
    const file = join(dir, CCES_JOURNAL_FILE);
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
    appendFileSync(join(dir, CCES_JOURNAL_FILE), '{"k":"event","n":5,"event":{"id":"0f8f');

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
    const file = join(dir, CCES_JOURNAL_FILE);
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
    writeFileSync(join(dir, 'cces-journal.lock'), JSON.stringify({ pid: 2 ** 22 + 12_345 }));
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
          rmSync(dir, { recursive: true, force: true });
          let sender = new FakeCcesSender();
          const delivered: CcesEvent[] = [];
          const published: CcesEvent[] = [];
          let producer = await JournaledProducer.open({
            coremxId: 'coremx-1',
            journalDir: dir,
            sender,
            clock,
          });
          const collect = () => delivered.push(...sender.events());
          try {
            for (const step of ops) {
              if (step.op === 'publish')
                published.push(await producer.publish(ccesSampleInput('hand.raised', step.conference)));
              else if (step.op === 'down') sender.down = true;
              else if (step.op === 'up') sender.down = false;
              else if (step.op === 'tick') clock.advance(10_000);
              else {
                const wasDown = sender.down;
                await producer.close();
                collect();
                sender = new FakeCcesSender();
                sender.down = wasDown;
                producer = await JournaledProducer.open({
                  coremxId: 'coremx-1',
                  journalDir: dir,
                  sender,
                  clock,
                });
              }
            }
            sender.down = false;
            await eventually(() => {
              clock.advance(10_000);
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

  describe('journal groups (a burst becomes durable, and is sent, in steps)', () => {
    it('sends the first group of a burst while later ones are still being written, in journal order', async () => {
      const sender = new FakeCcesSender();
      // One line per group: every event is its own write and fsync.
      const producer = await start(sender, { journalGroupBytes: 1 });
      const events = await Promise.all(
        ccesSampleSession('standup')
          .slice(0, 10)
          .map((input) => producer.publish(input)),
      );
      await producer.flushed();
      // A single write for the burst would give two sends: the first event alone, then the nine others.
      expect(sender.attempts.length).toBeGreaterThan(2);
      expect(sender.events()).toEqual(events);
      expect(seqsOf(sender.events(), 'standup')).toEqual(events.map((_, i) => i + 1));
      expect(journalLines().filter((line) => line.k === 'event')).toHaveLength(10);
    });

    it('retries a failed batch unchanged and keeps order and seqs while later groups become durable behind it', async () => {
      const sender = new FakeCcesSender();
      const producer = await start(sender, { journalGroupBytes: 1, maxBatch: 3 });
      await producer.publish(ccesSampleInput('room.reserved'));
      await producer.flushed();
      sender.down = true;
      const burst = await Promise.all(
        ccesSampleSession('standup')
          .slice(0, 12)
          .map((input) => producer.publish(input)),
      );
      await settle(() => expect(producer.status().consecutiveFailures).toBeGreaterThanOrEqual(2));
      const failed = sender.attempts.slice(1);
      expect(failed.every((a) => JSON.stringify(a.messages) === JSON.stringify(failed[0].messages))).toBe(
        true,
      );
      sender.down = false;
      await settle(() => expect(producer.backlog()).toBe(0));
      const delivered = sender.events().slice(1);
      expect(delivered).toEqual(burst);
      expect(new Set(delivered.map((e) => e.id)).size).toBe(delivered.length);
    });

    it('after a restart resends exactly the events not acknowledged, in order, once each', async () => {
      const first = new FakeCcesSender();
      const producer = await start(first, { journalGroupBytes: 1, maxBatch: 4 });
      // Kafka takes two batches, then stops answering.
      let accepted = 0;
      const send = first.send.bind(first);
      first.send = async (topic, messages) => {
        if (accepted >= 2) first.down = true;
        await send(topic, messages);
        accepted += 1;
      };
      const events = await Promise.all(
        ccesSampleSession('standup')
          .slice(0, 12)
          .map((input) => producer.publish(input)),
      );
      await eventually(() => expect(first.delivered.length).toBeGreaterThan(0));
      await eventually(() => expect(producer.status().consecutiveFailures).toBeGreaterThan(0));
      const sentBefore = first.events();
      expect(sentBefore.length).toBeLessThan(events.length);
      await producer.close();

      const second = new FakeCcesSender();
      second.hold();
      const again = await start(second, { journalGroupBytes: 1, maxBatch: 4 });
      expect(again.backlog()).toBe(events.length - sentBefore.length);
      second.release();
      await again.flushed();
      expect(second.attempts.map((a) => a.messages.length)).toEqual([4, 4, 2]);
      expect([...sentBefore, ...second.events()]).toEqual(events);
    });

    it('refuses a journal group size that is not a positive integer, creating nothing', async () => {
      const inner = join(dir, 'not-created');
      for (const journalGroupBytes of [0, -1, 1.5, Number.NaN]) {
        await expect(
          JournaledProducer.open({
            coremxId: 'coremx-1',
            journalDir: inner,
            sender: new FakeCcesSender(),
            journalGroupBytes,
          }),
        ).rejects.toBeInstanceOf(RangeError);
      }
      expect(existsSync(inner)).toBe(false);
    });
  });
});
