/**
 * CASH under pressure, as a real process against real infrastructure (the same stack as
 * `cash.integration-spec.ts`): the publisher cap under many concurrent approvals over real WebSockets.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signTestToken, type TestKeyPair } from '@hoot/auth-kit/testing';
import {
  createKafka,
  describeKafkaCluster,
  subscribeCces,
  type CcesEvent,
  type CcesSubscription,
} from '@hoot/events';
import type { KmsLiteProcess } from '@hoot/media/testing';
import {
  eventually,
  freePort,
  startKafka,
  type RunningKafka,
  CashStack,
  STACK_ISSUER,
  type RunningCash,
  SignalingClient,
} from '@hoot/testing';
import { startCashFixture, type CashFixture } from './support/cash-fixture';

jest.setTimeout(240_000);

const run = randomBytes(3).toString('hex');
const COREMX_ID = `coremx-res-${run}`;

let stack: CashStack;
let kms: KmsLiteProcess;
let cash: RunningCash;
let signingKey: TestKeyPair;
let serviceToken: string;
let events: CcesEvent[] = [];
let anomalies: string[] = [];
let fixture: CashFixture | undefined;
const clients: SignalingClient[] = [];

beforeAll(async () => {
  fixture = await startCashFixture(COREMX_ID, `res_${run}`);
  ({ stack, kms, cash, signingKey, serviceToken, events, anomalies } = fixture);
}, 300_000);

afterAll(async () => {
  for (const c of clients) c.terminate();
  await fixture?.stop();
});

function ticket(conferenceId: string, identity: string, coremxId = COREMX_ID): string {
  return signTestToken(signingKey, {
    issuer: STACK_ISSUER,
    audience: `coremx:${coremxId}`,
    subject: identity,
    ttlSeconds: 300,
    claims: { jti: randomUUID(), cid: conferenceId, name: identity },
  });
}

async function joinAs(conferenceId: string, identity: string, on: RunningCash = cash) {
  const client = await SignalingClient.open(on.signalingUrl);
  clients.push(client);
  const joined = await client.request({ type: 'join', ticket: ticket(conferenceId, identity, on.coremxId) });
  expect(joined).toMatchObject({ type: 'joined', participantId: expect.any(String) });
  return { client, id: joined['participantId'] as string };
}

async function api(method: string, path: string, body?: unknown, on: RunningCash = cash) {
  const res = await fetch(`${on.url}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      authorization: `Bearer ${serviceToken}`,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const eventsOf = (conferenceId: string) => events.filter((e) => e.conferenceId === conferenceId);

describe('CASH resilience against real auth, registry, kms-lite, Kafka and FerretDB', () => {
  it('holds the publisher cap under 20 concurrent approvals over the real WebSocket', async () => {
    const room = `crowd-${run}`;
    expect((await api('POST', '/internal/v1/rooms', { id: room, type: 'm2m', owner: 'owner' })).status).toBe(
      201,
    );
    const owner = await joinAs(room, 'owner');
    const viewers = await Promise.all(Array.from({ length: 20 }, (_, i) => joinAs(room, `viewer${i}`)));
    const raised = await Promise.all(viewers.map((v) => v.client.request({ type: 'raise-hand' })));
    expect(raised.every((r) => r.type === 'ok')).toBe(true);
    await eventually(() => expect(owner.client.ofType('publish-request')).toHaveLength(20));
    await eventually(() => expect(eventsOf(room).filter((e) => e.type === 'hand.raised')).toHaveLength(20));
    const before = eventsOf(room).length;

    // All 20 approvals leave the owner's socket before the first answer comes back.
    const answers = await Promise.all(
      viewers.map((v) => owner.client.request({ type: 'approve', target: v.id })),
    );
    const approved = viewers.filter((_, i) => answers[i].type === 'ok').map((v) => v.id);
    const refused = answers.filter((a) => a.type === 'error').map((a) => a.code);
    expect(approved).toHaveLength(8);
    expect(refused).toEqual(Array.from({ length: 12 }, () => 'ROOM_FULL'));

    const info = await api('GET', `/internal/v1/rooms/${room}`);
    expect(info.body).toMatchObject({ participants: 21, publishers: 9 });

    // Kafka agrees: exactly one approval and one role change per promoted viewer, nothing for the refused.
    await eventually(() => expect(eventsOf(room)).toHaveLength(before + 16), { timeoutMs: 30_000 });
    const after = eventsOf(room).slice(before);
    const ids = (type: string) =>
      after
        .filter((e) => e.type === type)
        .map((e) => (e.data as { participantId: string }).participantId)
        .sort();
    expect(ids('hand.approved')).toEqual([...approved].sort());
    expect(ids('participant.role-changed')).toEqual([...approved].sort());
    expect(
      after
        .filter((e) => e.type === 'participant.role-changed')
        .every((e) => (e.data as { to: string }).to === 'publisher'),
    ).toBe(true);
    expect(eventsOf(room).map((e) => e.seq)).toEqual(eventsOf(room).map((_, i) => i + 1));
    expect(anomalies).toEqual([]);
  });
  it('refuses new rooms and joins while kms-lite reports high load, keeps existing rooms working, and recovers below the low watermark', async () => {
    const room = `busy-${run}`;
    const user = await stack.userToken(`ops${run}`);
    const listed = async () => {
      const res = await fetch(`${stack.registryUrl}/v1/coremx`, {
        headers: { authorization: `Bearer ${user}` },
      });
      return ((await res.json()) as { coremx: Array<Record<string, unknown>> }).coremx.find(
        (c) => c['coremxId'] === COREMX_ID,
      );
    };
    const setLoad = async (cpuPercent: number | null) => {
      const res = await fetch(`${kms.adminUrl}/faults/load`, {
        method: cpuPercent === null ? 'DELETE' : 'PUT',
        headers: { 'content-type': 'application/json' },
        ...(cpuPercent === null ? {} : { body: JSON.stringify({ cpuPercent }) }),
      });
      expect(res.ok).toBe(true);
    };
    const status = async () => (await api('GET', '/internal/v1/coremx/status')).body;
    const owner = await joinAs(room, 'olga');
    const viewer = await joinAs(room, 'pete');
    await eventually(async () => expect(await listed()).toMatchObject({ state: 'active' }), {
      timeoutMs: 30_000,
    });

    try {
      await setLoad(95);
      await eventually(async () => expect(await status()).toMatchObject({ state: 'overloaded' }), {
        timeoutMs: 30_000,
      });
      await eventually(async () => expect(await listed()).toMatchObject({ state: 'overloaded' }), {
        timeoutMs: 30_000,
      });
      const refused = await fetch(`${cash.url}/internal/v1/rooms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${serviceToken}` },
        body: JSON.stringify({ id: `late-${run}`, type: 'm2m' }),
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await refused.json()) as { code: string }).code).toBe('cash.overloaded');
      const newcomer = await SignalingClient.open(cash.signalingUrl);
      clients.push(newcomer);
      expect(await newcomer.request({ type: 'join', ticket: ticket(room, 'quinn') })).toMatchObject({
        type: 'error',
        code: 'OVERLOADED',
        retryAfterS: expect.any(Number),
      });
      expect((await api('GET', `/internal/v1/rooms/late-${run}`)).status).toBe(404);

      // The room that exists keeps working for the people in it.
      expect(await viewer.client.request({ type: 'raise-hand' })).toMatchObject({ type: 'ok' });
      await owner.client.next('publish-request', (m) => m['participantId'] === viewer.id);
      expect(await owner.client.request({ type: 'approve', target: viewer.id })).toMatchObject({
        type: 'ok',
      });
      expect((await api('GET', `/internal/v1/rooms/${room}`)).body).toMatchObject({
        participants: 2,
        publishers: 2,
      });

      // Between the watermarks (0.7 < 0.78 < 0.85) it stays overloaded: hysteresis.
      await setLoad(78);
      await eventually(async () => expect((await status())['load']).toBeCloseTo(0.78, 5), {
        timeoutMs: 30_000,
      });
      expect(await status()).toMatchObject({ state: 'overloaded' });

      await setLoad(10);
      await eventually(async () => expect(await status()).toMatchObject({ state: 'active' }), {
        timeoutMs: 30_000,
      });
      await eventually(async () => expect(await listed()).toMatchObject({ state: 'active' }), {
        timeoutMs: 30_000,
      });
    } finally {
      await setLoad(null);
    }
    expect((await api('POST', '/internal/v1/rooms', { id: `late-${run}`, type: 'm2m' })).status).toBe(201);
    await joinAs(room, 'quinn');
    expect(eventsOf(room).map((e) => e.seq)).toEqual(eventsOf(room).map((_, i) => i + 1));
    expect(anomalies).toEqual([]);
  });
});

describe('CASH through a Kafka outage (a dedicated broker)', () => {
  const coremxId = `coremx-outage-${run}`;
  let broker: RunningKafka | undefined;
  let port: number;
  let controllerPort: number;
  let dataDir: string;
  let outageCash: RunningCash | undefined;
  let reader: CcesSubscription | undefined;

  const startBroker = async () => {
    broker = await startKafka({
      probe: (brokers) => describeKafkaCluster(brokers, 2_000),
      port,
      controllerPort,
      dataDir,
    });
  };

  beforeAll(async () => {
    port = await freePort();
    controllerPort = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), 'hoot-cash-outage-kafka-'));
    await startBroker();
    outageCash = await stack.startCash({
      coremxId,
      kmsUrl: kms.url,
      kafkaBrokers: [`127.0.0.1:${port}`],
      env: { DRAIN_DEADLINE_MS: '2000' },
    });
  }, 300_000);

  afterAll(async () => {
    await reader?.stop();
    await outageCash?.stop();
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('keeps signaling during the outage, journals every event and delivers them all once, in order', async () => {
    const on = outageCash!;
    const room = `outage-${run}`;
    const backlog = async () =>
      ((await api('GET', '/internal/v1/coremx/status', undefined, on)).body['events'] as { backlog: number })
        .backlog;
    const alice = await joinAs(room, 'alice', on);
    const bob = await joinAs(room, 'bob', on);
    await eventually(async () => expect(await backlog()).toBe(0), { timeoutMs: 30_000 });

    // Kafka goes away in the middle of the session: 7 events are journaled, none is sent.
    await broker!.stop();
    broker = undefined;
    expect(await bob.client.request({ type: 'raise-hand' })).toMatchObject({ type: 'ok' });
    expect(await alice.client.request({ type: 'approve', target: bob.id })).toMatchObject({ type: 'ok' });
    const carol = await joinAs(room, 'carol', on);
    expect(await carol.client.request({ type: 'raise-hand' })).toMatchObject({ type: 'ok' });
    expect(await alice.client.request({ type: 'deny', target: carol.id })).toMatchObject({ type: 'ok' });
    expect(await carol.client.request({ type: 'leave' })).toMatchObject({ type: 'ok' });
    expect((await api('GET', `/internal/v1/rooms/${room}`, undefined, on)).body).toMatchObject({
      participants: 2,
      publishers: 2,
    });
    expect(await backlog()).toBe(7);

    await startBroker(); // same port, controller port and data folder
    await eventually(async () => expect(await backlog()).toBe(0), { timeoutMs: 90_000 });

    const seen: CcesEvent[] = [];
    const problems: string[] = [];
    reader = await subscribeCces({
      kafka: createKafka({ clientId: `cash-outage-${run}`, brokers: [`127.0.0.1:${port}`] }),
      groupId: `cash-outage-${run}`,
      fromBeginning: true,
      pattern: new RegExp(`^hoot\\.coremx\\.${coremxId}\\.events$`),
      topicRefreshMs: 500,
      onEvent: (event) => {
        if (event.conferenceId === room) seen.push(event);
      },
      onGap: (event, expected) => problems.push(`gap in ${event.conferenceId}: ${event.seq} for ${expected}`),
      onDuplicate: (event) => problems.push(`duplicate ${event.conferenceId} #${event.seq}`),
      onPoison: (poison) => problems.push(`poison ${poison.code}: ${poison.reason}`),
    });
    const expected = [
      'room.reserved', // by the first join
      'room.started',
      'participant.joined', // alice
      'room.owner-changed',
      'participant.joined', // bob
      // Kafka is down from here.
      'hand.raised',
      'hand.approved',
      'participant.role-changed',
      'participant.joined', // carol
      'hand.raised',
      'hand.denied',
      'participant.left',
    ];
    await eventually(() => expect(seen.map((e) => e.type)).toEqual(expected), { timeoutMs: 60_000 });
    expect(seen.map((e) => e.seq)).toEqual(expected.map((_, i) => i + 1));
    expect(problems).toEqual([]);
  });
});
