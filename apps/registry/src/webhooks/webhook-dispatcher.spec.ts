import { createHmac, randomUUID } from 'node:crypto';
import { ccesDefinition, type CcesEvent, type CcesEventType } from '@hoot/events';
import { CCES_SAMPLE_DATA } from '@hoot/events/testing';
import { FakeClock } from '@hoot/testing';
import { InMemoryWebhookStore } from '../testing/in-memory-webhook.store';
import { backoffDelayMs, type WebhookTunables } from './webhook-defaults';
import {
  WEBHOOK_NO_ANSWER,
  WebhookDispatcher,
  type WebhookRequest,
  type WebhookResponse,
  type WebhookSender,
} from './webhook-dispatcher';
import { WebhookIntake } from './webhook-intake';
import { verifyWebhookSignature, webhookSecret } from './webhook-signature';

const KEY = 'unit-test-signing-key-0123456789abcdef';
const ALICE = 'acc-alice-1';
const BOB = 'acc-bob-1';

/** A CCES event of `conferenceId` as the consumer hands it over. */
function cces(conferenceId: string, seq: number, type: CcesEventType, data?: object): CcesEvent {
  return {
    id: randomUUID(),
    type,
    schemaVersion: ccesDefinition(type).schemaVersion,
    coremxId: 'coremx-1',
    conferenceId,
    seq,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    data: { ...structuredClone(CCES_SAMPLE_DATA[type]), ...data },
  } as CcesEvent;
}

/** A conference of `owner`: room.reserved, room.started, then joins, `count` events in all. */
function conference(conferenceId: string, owner: string | null, count: number): CcesEvent[] {
  const events = [cces(conferenceId, 1, 'room.reserved', { creator: owner })];
  if (count > 1) events.push(cces(conferenceId, 2, 'room.started'));
  for (let seq = 3; seq <= count; seq++)
    events.push(cces(conferenceId, seq, 'participant.joined', { participantId: `p-${seq}`, joinOrder: seq }));
  return events;
}

interface Seen extends WebhookRequest {
  at: number;
  eventId: string;
  attempt: number;
  answer: WebhookResponse;
}

/** A receiver whose answers a test scripts per event and attempt; it records every request. */
class ScriptedReceiver implements WebhookSender {
  readonly seen: Seen[] = [];
  constructor(
    private readonly clock: FakeClock,
    public answer: (eventId: string, attempt: number) => WebhookResponse | Promise<WebhookResponse> = () => ({
      status: 204,
    }),
  ) {}

  async send(request: WebhookRequest): Promise<WebhookResponse> {
    const eventId = request.headers['hoot-event-id'];
    const attempt = Number(request.headers['hoot-delivery-attempt']);
    const entry = {
      ...request,
      at: this.clock.now(),
      eventId,
      attempt,
      answer: { status: 0 } as WebhookResponse,
    };
    this.seen.push(entry);
    entry.answer = await this.answer(eventId, attempt);
    return entry.answer;
  }

  /** Event ids in the order the receiver accepted them (2xx). */
  delivered(): string[] {
    return this.seen.filter((s) => 'status' in s.answer && s.answer.status < 300).map((s) => s.eventId);
  }
}

const TUNABLES: Partial<WebhookTunables> = {
  maxAttempts: 8,
  backoffBaseMs: 500,
  backoffMaxMs: 30_000,
  timeoutMs: 1_000,
  pollIntervalMs: 1_000,
  concurrency: 4,
};

function setup(options: { random?: () => number; tunables?: Partial<WebhookTunables> } = {}) {
  const clock = new FakeClock();
  const store = new InMemoryWebhookStore();
  const receiver = new ScriptedReceiver(clock);
  const dispatcher = new WebhookDispatcher({
    store,
    sender: receiver,
    secretFor: (accountId, generation) => webhookSecret(KEY, accountId, generation),
    tunables: { ...TUNABLES, ...options.tunables },
    clock,
    random: options.random ?? (() => 0.5),
  });
  const intake = new WebhookIntake(store, () => undefined, clock);
  const register = (accountId: string, generation = 1) =>
    store.putWebhook(accountId, `https://hooks.example.com/${accountId}`, generation, new Date(clock.now()));
  const accept = async (events: CcesEvent[]) => {
    for (const event of events) await intake.accept(event);
  };
  /** Passes until nothing is left to do, moving the clock to each next due time. */
  const runUntilIdle = async () => {
    for (let pass = 0; pass < 10_000; pass++) {
      const next = await dispatcher.runOnce();
      if (next === Infinity) return;
      clock.set(Math.max(next, clock.now()));
    }
    throw new Error('the dispatcher never went idle');
  };
  return { clock, store, receiver, dispatcher, intake, register, accept, runUntilIdle };
}

describe('WebhookDispatcher', () => {
  it('POSTs the CCES envelope with its id, type, attempt and a signature the receiver can recompute', async () => {
    const { store, receiver, register, accept, runUntilIdle, clock } = setup();
    const hook = await register(ALICE, 41);
    const events = conference('standup', ALICE, 2);
    await accept(events);
    await runUntilIdle();

    expect(receiver.seen).toHaveLength(2);
    const [first] = receiver.seen;
    expect(first.url).toBe(hook.url);
    expect(JSON.parse(first.body)).toEqual(events[0]);
    expect(first.headers).toMatchObject({
      'content-type': 'application/json',
      'hoot-event-id': events[0].id,
      'hoot-event-type': 'room.reserved',
      'hoot-delivery-attempt': '1',
    });
    // t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>, recomputed by hand.
    const secret = webhookSecret(KEY, ALICE, 41);
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(first.headers['hoot-signature']);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBe(Math.floor(clock.now() / 1000));
    expect(match![2]).toBe(createHmac('sha256', secret).update(`${match![1]}.${first.body}`).digest('hex'));
    expect(
      verifyWebhookSignature(secret, first.headers['hoot-signature'], first.body, Number(match![1])),
    ).toBe(true);
    expect(
      verifyWebhookSignature(secret, first.headers['hoot-signature'], `${first.body} `, Number(match![1])),
    ).toBe(false);
    expect(await store.countPending()).toBe(0);
  });

  it('keeps seq order per conference while the receiver fails the first two attempts of every event', async () => {
    const { receiver, register, accept, runUntilIdle, dispatcher } = setup();
    await register(ALICE);
    receiver.answer = (_id, attempt) => (attempt <= 2 ? { status: 500 } : { status: 200 });
    const a = conference('conf-a', ALICE, 6);
    const b = conference('conf-b', ALICE, 5);
    // Interleaved, as two CoreMX topics would hand them over.
    for (let i = 0; i < 6; i++) await accept([a[i], b[i]].filter(Boolean));
    await runUntilIdle();

    const delivered = receiver.delivered();
    expect(delivered.filter((id) => a.some((e) => e.id === id))).toEqual(a.map((e) => e.id));
    expect(delivered.filter((id) => b.some((e) => e.id === id))).toEqual(b.map((e) => e.id));
    // Nothing of a conference is attempted before its previous event was delivered.
    for (const events of [a, b]) {
      const attempts = receiver.seen.filter((s) => events.some((e) => e.id === s.eventId));
      const order = attempts.map((s) => events.findIndex((e) => e.id === s.eventId));
      expect(order).toEqual(events.flatMap((_, i) => [i, i, i]));
      expect(attempts.map((s) => s.attempt)).toEqual(events.flatMap(() => [1, 2, 3]));
    }
    expect(dispatcher.counters).toMatchObject({ delivered: 11, failedAttempts: 22, deadLettered: 0 });
  });

  it('waits base · 2^(n−1) between attempts, capped, with jitter between half and all of it', async () => {
    for (const [random, factor] of [
      [() => 0.999_999, 1],
      [() => 0, 0.5],
    ] as const) {
      const { receiver, register, accept, runUntilIdle } = setup({ random });
      await register(ALICE);
      receiver.answer = () => ({ status: 503 });
      await accept(conference('conf-a', ALICE, 1));
      await runUntilIdle();
      const times = receiver.seen.map((s) => s.at);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      expect(gaps).toEqual(
        [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000].map((ms) => Math.round(ms * factor)),
      );
    }
    expect(backoffDelayMs(20, { backoffBaseMs: 500, backoffMaxMs: 30_000 }, () => 0.5)).toBe(22_500);
  });

  it('stores one generic reason for every failure without an HTTP answer (no port scanning through dead letters)', async () => {
    const { store, receiver, register, accept, runUntilIdle } = setup();
    await register(ALICE);
    const events = conference('conf-scan', ALICE, 4);
    const causes = [
      'ECONNREFUSED',
      'connect ECONNREFUSED 10.0.0.7:6379',
      'no answer within 5000 ms',
      'EWEBHOOKINTERNAL',
    ];
    receiver.answer = (id) => {
      const i = events.findIndex((e) => e.id === id);
      return i >= 0 ? { error: causes[i] } : { status: 200 };
    };
    await accept(events);
    await runUntilIdle();
    const dead = await store.listDeadLetters(ALICE, 10);
    expect(dead).toHaveLength(4);
    expect(new Set(dead.map((d) => d.lastError))).toEqual(new Set([WEBHOOK_NO_ANSWER]));
    for (const d of dead) expect(d.lastError).not.toMatch(/ECONN|EWEBHOOK|\d+\.\d+\.\d+\.\d+|:\d+|ms/);
  });

  it('dead-letters an event after its last attempt, then delivers the next one, and redelivers on request', async () => {
    const { store, receiver, register, accept, runUntilIdle, dispatcher, clock } = setup();
    const hook = await register(ALICE);
    const events = conference('conf-a', ALICE, 3);
    receiver.answer = (id) => (id === events[0].id ? { error: 'ECONNREFUSED' } : { status: 200 });
    await accept(events);
    await runUntilIdle();

    expect(receiver.seen.filter((s) => s.eventId === events[0].id).map((s) => s.attempt)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
    expect(receiver.delivered()).toEqual([events[1].id, events[2].id]);
    const [dead] = await store.listDeadLetters(ALICE, 10);
    expect(dead).toMatchObject({
      eventId: events[0].id,
      state: 'dead',
      attempts: 8,
      lastStatus: null,
      lastError: WEBHOOK_NO_ANSWER,
      lastUrl: hook.url,
    });
    expect(dead.deadAt!.getTime()).toBe(receiver.seen[7].at);
    expect(dispatcher.counters).toMatchObject({ delivered: 2, failedAttempts: 8, deadLettered: 1 });

    receiver.answer = () => ({ status: 202 });
    expect(await store.redeliver(ALICE, events[0].id, new Date(clock.now()))).toBe(true);
    await runUntilIdle();
    expect(receiver.delivered()).toEqual([events[1].id, events[2].id, events[0].id]);
    expect(receiver.seen.at(-1)!.attempt).toBe(1);
    expect(await store.listDeadLetters(ALICE, 10)).toEqual([]);
  });

  it('never sends the same attempt twice from two dispatchers sharing a store (lease)', async () => {
    const { store, register, accept, clock } = setup();
    await register(ALICE);
    await accept(conference('conf-a', ALICE, 1));
    let release: (answer: WebhookResponse) => void = () => undefined;
    const receiver = new ScriptedReceiver(clock, () => new Promise((resolve) => (release = resolve)));
    const replica = () =>
      new WebhookDispatcher({
        store,
        sender: receiver,
        secretFor: (accountId, generation) => webhookSecret(KEY, accountId, generation),
        tunables: TUNABLES,
        clock,
        random: () => 0.5,
      });
    const [one, two] = [replica(), replica()];
    const first = one.runOnce();
    // Let the first replica reach the receiver, then run the second one while the attempt is in flight.
    while (receiver.seen.length === 0) await new Promise((resolve) => setImmediate(resolve));
    await two.runOnce();
    expect(receiver.seen).toHaveLength(1);
    release({ status: 500 });
    await first;
    expect(two.counters.delivered + one.counters.delivered).toBe(0);

    // After the backoff, whichever replica runs makes attempt 2, once.
    clock.advance(500);
    receiver.answer = () => ({ status: 200 });
    await Promise.all([one.runOnce(), two.runOnce()]);
    expect(receiver.seen.map((s) => s.attempt)).toEqual([1, 2]);
    expect(await store.countPending()).toBe(0);
  });

  it('refuses a stale lease: attempts must match and the lease must have run out', async () => {
    const { store, register, accept, clock } = setup();
    await register(ALICE);
    const [event] = conference('conf-a', ALICE, 1);
    await accept([event]);
    const now = new Date(clock.now());
    const until = new Date(clock.now() + 1_000);
    expect(await store.lease(ALICE, event.id, 0, 'a', until, now)).toBe(true);
    expect(await store.lease(ALICE, event.id, 0, 'b', until, now)).toBe(false);
    expect(await store.complete(ALICE, event.id, 'b')).toBe(false);
    expect(await store.lease(ALICE, event.id, 1, 'c', until, until)).toBe(false);
    expect(await store.lease(ALICE, event.id, 0, 'c', until, until)).toBe(true);
    expect(await store.complete(ALICE, event.id, 'a')).toBe(false);
    expect(await store.complete(ALICE, event.id, 'c')).toBe(true);
  });

  it('signs with the new secret once it is rotated', async () => {
    const { store, receiver, register, accept, runUntilIdle, clock } = setup();
    await register(ALICE, 7);
    await store.rotateWebhookSecret(ALICE, new Date(clock.now()));
    await accept(conference('conf-a', ALICE, 1));
    await runUntilIdle();
    const [seen] = receiver.seen;
    const t = Math.floor(clock.now() / 1000);
    expect(
      verifyWebhookSignature(webhookSecret(KEY, ALICE, 8), seen.headers['hoot-signature'], seen.body, t),
    ).toBe(true);
    expect(
      verifyWebhookSignature(webhookSecret(KEY, ALICE, 7), seen.headers['hoot-signature'], seen.body, t),
    ).toBe(false);
  });

  it('runs at once when woken, and again after the backoff without being woken', async () => {
    const clock = new FakeClock();
    const store = new InMemoryWebhookStore();
    const receiver = new ScriptedReceiver(clock, (_id, attempt) =>
      attempt === 1 ? { status: 500 } : { status: 200 },
    );
    const dispatcher = new WebhookDispatcher({
      store,
      sender: receiver,
      secretFor: (accountId, generation) => webhookSecret(KEY, accountId, generation),
      tunables: TUNABLES,
      clock,
      random: () => 0.5,
    });
    const intake = new WebhookIntake(store, () => dispatcher.wake(), clock);
    await store.putWebhook(ALICE, 'https://hooks.example.com/a', 1, new Date(clock.now()));
    dispatcher.start();
    clock.advance(0);
    await dispatcher.idle();
    expect(await intake.accept(conference('conf-a', ALICE, 1)[0])).toBe('queued');
    clock.advance(0);
    await dispatcher.idle();
    expect(receiver.seen.map((s) => s.attempt)).toEqual([1]);
    clock.advance(375); // the retry is due after 500 · 0.75
    await dispatcher.idle();
    expect(receiver.delivered()).toHaveLength(1);
    await dispatcher.stop();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('WebhookIntake', () => {
  it("queues a conference's events for its creator's webhook only, once per event id", async () => {
    const { store, intake, register, runUntilIdle, receiver } = setup();
    await register(ALICE);
    await register(BOB);
    const alices = conference('conf-alice', ALICE, 3);
    const bobs = conference('conf-bob', BOB, 2);
    for (const event of [...alices, ...bobs]) expect(await intake.accept(event)).toBe('queued');
    expect(await intake.accept(alices[1])).toBe('duplicate');
    await runUntilIdle();
    const to = (account: string) =>
      receiver.seen.filter((s) => s.url.endsWith(account)).map((s) => (JSON.parse(s.body) as CcesEvent).id);
    expect(to(ALICE)).toEqual(alices.map((e) => e.id));
    expect(to(BOB)).toEqual(bobs.map((e) => e.id));
    expect(await store.countPending()).toBe(0);
  });

  it('forwards chat.message like every conference event, in seq order, typed for the receiver to filter (issue 21)', async () => {
    const { intake, register, runUntilIdle, receiver } = setup();
    await register(ALICE);
    const events = [
      ...conference('conf-chat', ALICE, 3),
      cces('conf-chat', 4, 'chat.message'),
      cces('conf-chat', 5, 'hand.raised'),
    ];
    for (const event of events) expect(await intake.accept(event)).toBe('queued');
    await runUntilIdle();
    expect(
      receiver.seen.map((s) => [s.headers['hoot-event-type'], (JSON.parse(s.body) as CcesEvent).seq]),
    ).toEqual([
      ['room.reserved', 1],
      ['room.started', 2],
      ['participant.joined', 3],
      ['chat.message', 4],
      ['hand.raised', 5],
    ]);
    expect(JSON.parse(receiver.seen[3].body)).toEqual(events[3]);
  });

  it('stores nothing for accounts without a webhook, unknown conferences or CoreMX events', async () => {
    const { store, intake, register } = setup();
    await register(ALICE);
    const [reserved, started] = conference('conf-carol', 'acc-carol', 2);
    expect(await intake.accept(reserved)).toBe('no-webhook');
    expect(await intake.accept(started)).toBe('no-webhook');
    expect(await intake.accept(cces('never-reserved', 4, 'room.started'))).toBe('no-owner');
    expect(await intake.accept(conference('conf-anon', null, 1)[0])).toBe('no-owner');
    expect(
      await intake.accept({
        ...cces('xxx', 1, 'coremx.state-changed'),
        conferenceId: '_coremx',
      } as CcesEvent),
    ).toBe('not-a-conference');
    expect(store.deliveries.size).toBe(0);
  });

  it('drops the queue of a webhook that is deleted before its events were sent', async () => {
    const { store, receiver, register, accept, runUntilIdle } = setup();
    await register(ALICE);
    await accept(conference('conf-a', ALICE, 3));
    expect(await store.deleteWebhook(ALICE)).toBe(true);
    await runUntilIdle();
    expect(receiver.seen).toEqual([]);
    expect(store.deliveries.size).toBe(0);
  });
});
