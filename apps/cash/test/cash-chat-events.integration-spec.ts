/**
 * Issue 21 item 4: chat on the CoreMX's topic. Two CASH processes against real auth, registry, kms-lite
 * and Kafka: one with the default `CHAT_EVENTS=text`, one with `CHAT_EVENTS=metadata`. Two participants
 * chat in each; the topics, read from the beginning, hold `chat.message` in the conference's seq stream.
 * A malformed chat event written straight to the topic is dead-lettered by every consumer.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { signTestToken } from '@hoot/auth-kit/testing';
import { cceTopicFor, createKafka, subscribeCces, type CcesEvent, type CcesSubscription } from '@hoot/events';
import { eventually, integrationInfra, type RunningCash, STACK_ISSUER, SignalingClient } from '@hoot/testing';
import { startCashFixture, type CashFixture } from './support/cash-fixture';

jest.setTimeout(240_000);

const run = randomBytes(3).toString('hex');
const TEXT_COREMX = `coremx-chat-${run}`;
const META_COREMX = `coremx-chatmeta-${run}`;

let fixture: CashFixture | undefined;
let metaCash: RunningCash | undefined;
let metaReader: CcesSubscription | undefined;
const metaEvents: CcesEvent[] = [];
const metaAnomalies: string[] = [];
const clients: SignalingClient[] = [];

beforeAll(async () => {
  fixture = await startCashFixture(TEXT_COREMX, `chat_${run}`);
  metaCash = await fixture.stack.startCash({
    coremxId: META_COREMX,
    kmsUrl: fixture.kms.url,
    env: { DRAIN_DEADLINE_MS: '2000', CHAT_EVENTS: 'metadata' },
  });
  metaReader = await subscribeCces({
    kafka: createKafka({ clientId: `chatmeta-${run}`, brokers: integrationInfra().kafkaBrokers }),
    groupId: `chatmeta-${run}`,
    fromBeginning: true,
    pattern: new RegExp(`^hoot\\.coremx\\.${META_COREMX}\\.events$`),
    topicRefreshMs: 500,
    onEvent: (event) => {
      metaEvents.push(event);
    },
    onGap: (event, expected) => metaAnomalies.push(`gap ${event.conferenceId}: ${event.seq} for ${expected}`),
    onDuplicate: (event) => metaAnomalies.push(`duplicate ${event.conferenceId} #${event.seq}`),
    onPoison: (poison) => metaAnomalies.push(`poison ${poison.code}: ${poison.reason}`),
  });
}, 300_000);

afterAll(async () => {
  for (const c of clients) c.terminate();
  await metaReader?.stop();
  await metaCash?.stop();
  await fixture?.stop();
});

async function joinAs(
  cash: RunningCash,
  coremxId: string,
  conferenceId: string,
  identity: string,
  name: string,
) {
  const client = await SignalingClient.open(cash.signalingUrl);
  clients.push(client);
  const ticket = signTestToken(fixture!.signingKey, {
    issuer: STACK_ISSUER,
    audience: `coremx:${coremxId}`,
    subject: identity,
    ttlSeconds: 300,
    claims: { jti: randomUUID(), cid: conferenceId, name },
  });
  const joined = await client.request({ type: 'join', ticket });
  expect(joined).toMatchObject({ type: 'joined', participantId: expect.any(String) });
  return { client, id: joined['participantId'] as string };
}

/** Two participants chat around a raised hand; returns their participant ids. */
async function chatSession(cash: RunningCash, coremxId: string, room: string) {
  const alice = await joinAs(cash, coremxId, room, 'alice', 'Alice Ångström');
  const bob = await joinAs(cash, coremxId, room, 'bob', 'Bob');
  expect(await alice.client.request({ type: 'chat', text: 'hello bob 👋' })).toMatchObject({ type: 'ok' });
  expect(await bob.client.request({ type: 'raise-hand' })).toMatchObject({ type: 'ok' });
  expect(await bob.client.request({ type: 'chat', text: 'hi alice\nsecond line' })).toMatchObject({
    type: 'ok',
  });
  expect(await alice.client.request({ type: 'chat', text: 'bye' })).toMatchObject({ type: 'ok' });
  return { alice: alice.id, bob: bob.id };
}

const SESSION_TYPES = [
  'room.reserved', // the first join creates the room
  'room.started',
  'participant.joined', // alice
  'room.owner-changed',
  'participant.joined', // bob
  'chat.message',
  'hand.raised',
  'chat.message',
  'chat.message',
];

/** Every file under `dir`, concatenated (the CCES journal on disk). */
function readTree(dir: string): string {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .map((path) => (statSync(path).isDirectory() ? readTree(path) : readFileSync(path, 'utf8')))
    .join('\n');
}

describe('chat on the CoreMX topic (CHAT_EVENTS)', () => {
  it('text (default): chat.message with author and text, in order, seq gap-free with the room’s other events', async () => {
    const { cash, events, anomalies } = fixture!;
    const room = `chat-${run}`;
    const { alice, bob } = await chatSession(cash, TEXT_COREMX, room);
    const ofRoom = () => events.filter((e) => e.conferenceId === room);
    await eventually(() => expect(ofRoom().map((e) => e.type)).toEqual(SESSION_TYPES), {
      timeoutMs: 30_000,
      description: 'the topic holds the session with its chat',
    });
    expect(ofRoom().map((e) => e.seq)).toEqual(SESSION_TYPES.map((_, i) => i + 1));
    const chats = ofRoom().filter((e) => e.type === 'chat.message');
    expect(chats.map((e) => e.data)).toEqual([
      {
        messageId: expect.any(String),
        participantId: alice,
        identity: 'alice',
        displayName: 'Alice Ångström',
        length: 11,
        text: 'hello bob 👋',
      },
      {
        messageId: expect.any(String),
        participantId: bob,
        identity: 'bob',
        displayName: 'Bob',
        length: 20,
        text: 'hi alice\nsecond line',
      },
      {
        messageId: expect.any(String),
        participantId: alice,
        identity: 'alice',
        displayName: 'Alice Ångström',
        length: 3,
        text: 'bye',
      },
    ]);
    expect(new Set(chats.map((e) => e.data.messageId)).size).toBe(3);
    expect(anomalies).toEqual([]);
  });

  it('metadata: author and length with textOmitted; no chat text on the topic or in the journal', async () => {
    const room = `chatmeta-${run}`;
    const { alice, bob } = await chatSession(metaCash!, META_COREMX, room);
    const ofRoom = () => metaEvents.filter((e) => e.conferenceId === room);
    await eventually(() => expect(ofRoom().map((e) => e.type)).toEqual(SESSION_TYPES), {
      timeoutMs: 30_000,
      description: 'the metadata topic holds the session with its chat',
    });
    expect(ofRoom().map((e) => e.seq)).toEqual(SESSION_TYPES.map((_, i) => i + 1));
    expect(
      ofRoom()
        .filter((e) => e.type === 'chat.message')
        .map((e) => e.data),
    ).toEqual([
      expect.objectContaining({
        participantId: alice,
        displayName: 'Alice Ångström',
        length: 11,
        textOmitted: true,
      }),
      expect.objectContaining({ participantId: bob, displayName: 'Bob', length: 20, textOmitted: true }),
      expect.objectContaining({ participantId: alice, length: 3, textOmitted: true }),
    ]);
    const onTopic = JSON.stringify(ofRoom());
    const onDisk = readTree(metaCash!.journalDir);
    expect(onDisk).toContain(room); // the journal holds the session's events…
    for (const text of ['hello bob', 'second line', '"bye"']) {
      expect(onTopic).not.toContain(text); // …but none of its texts
      expect(onDisk).not.toContain(text);
    }
    expect(metaAnomalies).toEqual([]);
  });

  it('dead-letters a malformed chat.message written to the topic; the registry’s directory counts it as poison', async () => {
    const { stack, anomalies } = fixture!;
    // Poison on this spec's own topic, from the registry's log: its directory reads every CoreMX topic of the
    // shared broker, and specs running beside this one put poison on theirs (the metric is a total).
    const topic = cceTopicFor(TEXT_COREMX);
    const poisonOf = async () =>
      readFileSync(stack.registryLogFile, 'utf8')
        .split('\n')
        .filter((line) => line.includes('directory: poison message'))
        .map((line) => JSON.parse(line) as { topic?: string })
        .filter((entry) => entry.topic === topic).length;
    const before = await poisonOf();
    const kafka = createKafka({ clientId: `chat-poison-${run}`, brokers: integrationInfra().kafkaBrokers });
    const producer = kafka.producer();
    await producer.connect();
    const conferenceId = `chat-poison-${run}`;
    const envelope = (data: Record<string, unknown>, seq: number) =>
      JSON.stringify({
        id: randomUUID(),
        type: 'chat.message',
        schemaVersion: 1,
        coremxId: TEXT_COREMX,
        conferenceId,
        seq,
        occurredAt: new Date().toISOString(),
        data,
      });
    const author = { messageId: 'c1', participantId: 'p-x', identity: 'mallory', displayName: 'Mallory' };
    try {
      await producer.send({
        topic,
        messages: [
          // 2001 characters: more than a room accepts
          { key: conferenceId, value: envelope({ ...author, length: 2000, text: 'x'.repeat(2001) }, 1) },
          // an unknown field
          { key: conferenceId, value: envelope({ ...author, length: 2, text: 'hi', html: '<b>hi</b>' }, 1) },
          // a terminal escape sequence
          { key: conferenceId, value: envelope({ ...author, length: 6, text: '\u001b[2J!!' }, 1) },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    await eventually(
      () =>
        expect(anomalies.filter((a) => a.startsWith('poison cces.invalid-data: data.'))).toEqual([
          expect.stringContaining('data.text'),
          expect.stringContaining('data.html'),
          expect.stringContaining('data.text'),
        ]),
      { timeoutMs: 30_000, description: 'the reader dead-letters the three messages' },
    );
    await eventually(async () => expect(await poisonOf()).toBe(before + 3), {
      timeoutMs: 30_000,
      description: 'the registry’s directory dead-letters them too',
    });
    expect(fixture!.events.filter((e) => e.conferenceId === conferenceId)).toEqual([]);
  });
});
