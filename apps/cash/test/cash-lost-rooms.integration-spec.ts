/**
 * A CASH killed with SIGKILL and started again with its journal folder (what a StatefulSet pod does) closes
 * the rooms its previous process left open on its own topic before it takes a join: every lost room gets a
 * `room.ended` (reason `system`, listing who was still in it), seq stays gap-free and is never used twice,
 * and a join afterwards opens the room again at the next seq. Same stack as `cash.integration-spec.ts`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { signTestToken, type TestKeyPair } from '@hoot/auth-kit/testing';
import { cceTopicFor, createKafka, readCcesTopicToEnd, type CcesEvent } from '@hoot/events';
import { eventually, integrationInfra, STACK_ISSUER, type RunningCash, SignalingClient } from '@hoot/testing';
import { startCashFixture, type CashFixture } from './support/cash-fixture';

jest.setTimeout(240_000);

const run = randomBytes(3).toString('hex');
const COREMX_ID = `coremx-lost-${run}`;

let fixture: CashFixture;
let signingKey: TestKeyPair;
let restarted: RunningCash | undefined;
const clients: SignalingClient[] = [];

beforeAll(async () => {
  fixture = await startCashFixture(COREMX_ID, `lost_${run}`);
  ({ signingKey } = fixture);
}, 300_000);

afterAll(async () => {
  for (const c of clients) c.terminate();
  await restarted?.stop();
  await fixture?.stop();
});

function ticket(conferenceId: string, identity: string): string {
  return signTestToken(signingKey, {
    issuer: STACK_ISSUER,
    audience: `coremx:${COREMX_ID}`,
    subject: identity,
    ttlSeconds: 300,
    claims: { jti: randomUUID(), cid: conferenceId, name: identity },
  });
}

async function joinAs(on: RunningCash, conferenceId: string, identity: string) {
  const client = await SignalingClient.open(on.signalingUrl);
  clients.push(client);
  const joined = await client.request({ type: 'join', ticket: ticket(conferenceId, identity) });
  expect(joined).toMatchObject({ type: 'joined', participantId: expect.any(String) });
  return joined['participantId'] as string;
}

/** The whole topic, read from its beginning now (each event once: a resend after the kill has the same id). */
async function readTopic(): Promise<CcesEvent[]> {
  const kafka = createKafka({
    clientId: `lost-${run}`,
    brokers: integrationInfra().kafkaBrokers,
    logLevel: 'nothing',
  });
  const byId = new Map<string, CcesEvent>();
  const poison: string[] = [];
  await readCcesTopicToEnd({
    kafka,
    topic: cceTopicFor(COREMX_ID),
    groupId: `lost-${run}-${randomUUID()}`,
    onMessage: (result) => {
      if (result.ok) byId.set(result.event.id, result.event);
      else poison.push(result.reason);
    },
  });
  expect(poison).toEqual([]);
  return [...byId.values()];
}

const of = (events: CcesEvent[], conferenceId: string) =>
  events.filter((e) => e.conferenceId === conferenceId).sort((a, b) => a.seq - b.seq);

describe('CASH closes the rooms a crashed process left open', () => {
  it('after kill -9 and a restart with the same journal: room.ended for each lost room, seq 1..n, then a join opens the room again at the next seq', async () => {
    const { cash, kms, stack, events } = fixture;
    const roomA = `lost-a-${run}`;
    const roomB = `lost-b-${run}`;
    const roomC = `done-c-${run}`;
    const inA = [await joinAs(cash, roomA, 'alice'), await joinAs(cash, roomA, 'bob')];
    const inB = [
      await joinAs(cash, roomB, 'carol'),
      await joinAs(cash, roomB, 'dave'),
      await joinAs(cash, roomB, 'erin'),
    ];
    // A room that ends before the crash gets nothing more.
    await joinAs(cash, roomC, 'frank');
    const ended = await fetch(`${cash.url}/internal/v1/rooms/${roomC}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${fixture.serviceToken}` },
    });
    expect(ended.status).toBeLessThan(300);
    await eventually(
      () => {
        expect(events.filter((e) => e.type === 'participant.joined')).toHaveLength(6);
        expect(events.filter((e) => e.type === 'room.ended')).toHaveLength(1);
      },
      { timeoutMs: 30_000 },
    );

    cash.process.kill('SIGKILL');
    await cash.process.exited;
    for (const c of clients.splice(0)) c.terminate();

    restarted = await stack.startCash({
      coremxId: COREMX_ID,
      kmsUrl: kms.url,
      env: { CCES_JOURNAL_DIR: cash.journalDir },
    });

    // Ready means the lost rooms are closed (journaled before the listener opened); Kafka has them soon after.
    let topic: CcesEvent[] = [];
    await eventually(
      async () => {
        topic = await readTopic();
        expect(topic.filter((e) => e.type === 'room.ended')).toHaveLength(3);
      },
      { timeoutMs: 60_000 },
    );
    for (const [room, present] of [
      [roomA, inA],
      [roomB, inB],
    ] as const) {
      const stream = of(topic, room);
      const last = stream[stream.length - 1];
      expect(last).toMatchObject({ type: 'room.ended', data: { by: null, reason: 'system' } });
      expect([...(last.data as { participantIds: string[] }).participantIds].sort()).toEqual(
        [...present].sort(),
      );
      // The contract: the participants a room.ended lists get no participant.left.
      expect(stream.filter((e) => e.type === 'participant.left')).toEqual([]);
      expect(stream.map((e) => e.seq)).toEqual(stream.map((_, i) => i + 1));
    }
    const done = of(topic, roomC);
    expect(done.filter((e) => e.type === 'room.ended')).toHaveLength(1);
    expect(done.map((e) => e.seq)).toEqual(done.map((_, i) => i + 1));
    // Presence counted from the topic alone: nobody is left in a room.
    const present = new Set<string>();
    for (const e of [...topic].sort((a, b) => a.seq - b.seq)) {
      if (e.type === 'participant.joined') present.add(e.data.participantId);
      if (e.type === 'participant.left' || e.type === 'participant.kicked')
        present.delete(e.data.participantId);
      if (e.type === 'room.ended') for (const id of e.data.participantIds) present.delete(id);
    }
    expect([...present]).toEqual([]);

    // A join after the restart opens the room again, continuing its seq.
    const endSeq = of(topic, roomA).at(-1)!.seq;
    await joinAs(restarted, roomA, 'alice');
    await eventually(
      async () => {
        const again = of(await readTopic(), roomA).filter((e) => e.seq > endSeq);
        expect(again.slice(0, 3).map((e) => [e.type, e.seq])).toEqual([
          ['room.reserved', endSeq + 1],
          ['room.started', endSeq + 2],
          ['participant.joined', endSeq + 3],
        ]);
      },
      { timeoutMs: 30_000 },
    );
  });
});
