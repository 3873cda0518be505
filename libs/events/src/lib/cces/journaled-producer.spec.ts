import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '@hoot/testing';
import { ccesSampleInput, ccesSampleSession, FakeCcesSender } from '../../testing';
import { CCES_CATALOG } from './cces-catalog';
import { CCES_MAX_VALUE_BYTES, parseCcesMessage } from './cces-envelope';
import { CcesError, CcesErrorCode } from './cces-error-code';
import { COREMX_STREAM_KEY } from './cces-fields';
import { ccesValueBytesAtMost } from './cces-publisher.port';
import { JournaledProducer } from './journaled-producer';
import { seqsOf, TOPIC, useProducerHarness } from './journaled-producer.fixture';

describe('JournaledProducer', () => {
  const h = useProducerHarness();
  const { start, settle, journalLines } = h;

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
    h.open.splice(h.open.indexOf(producer), 1);
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
    expect(published[0].occurredAt).toBe(new Date(h.clock.now()).toISOString());

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
      h.clock.advance(ms);
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
      const inner = join(h.dir, 'not-created');
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
