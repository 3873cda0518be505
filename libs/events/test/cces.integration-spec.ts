import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { eventually, freePort, integrationInfra, startKafka, type RunningKafka } from '@hoot/testing';
import {
  cceTopicFor,
  CcesErrorCode,
  createKafka,
  DEAD_LETTER_HEADERS,
  deadLetterTopicFor,
  describeKafkaCluster,
  JournaledProducer,
  KafkaCcesSender,
  subscribeCces,
  type CcesEvent,
  type CcesPoison,
  type CcesSubscription,
} from '../src';
import { ccesSampleInput, ccesSampleSession } from '../src/testing';

/** CoreMX ids of this run only, and a pattern that matches nothing else on the shared broker. */
const run = `t${process.pid.toString(36)}${Date.now().toString(36)}`;
const coremx = (name: string) => `${run}-${name}`;
const ourTopics = new RegExp(`^hoot\\.coremx\\.(${run}-[a-z0-9-]+)\\.events$`);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

async function openProducer(kafka: Kafka, coremxId: string, journalDir: string) {
  const producer = await JournaledProducer.open({
    coremxId,
    journalDir,
    sender: new KafkaCcesSender(kafka, { partitions: 3 }),
    retryInitialMs: 100,
    retryMaxMs: 1_000,
  });
  cleanups.push(() => producer.close());
  return producer;
}

async function follow(kafka: Kafka, extra: { topicRefreshMs?: number } = {}) {
  const events: CcesEvent[] = [];
  const poison: CcesPoison[] = [];
  const duplicates: CcesEvent[] = [];
  const subscription: CcesSubscription = await subscribeCces({
    kafka,
    groupId: `${run}-${Math.random().toString(36).slice(2)}`,
    fromBeginning: true,
    pattern: ourTopics,
    onEvent: (event) => void events.push(event),
    onPoison: (p) => void poison.push(p),
    onDuplicate: (event) => void duplicates.push(event),
    topicRefreshMs: extra.topicRefreshMs ?? 0,
  });
  cleanups.push(() => subscription.stop());
  return { events, poison, duplicates, subscription };
}

/** Every raw message of a topic, through a plain consumer (no validation, no de-duplication). */
async function readRaw(kafka: Kafka, topic: string, count: number): Promise<KafkaMessage[]> {
  const messages: KafkaMessage[] = [];
  const consumer = kafka.consumer({ groupId: `${run}-raw-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
    await eventually(() => expect(messages.length).toBeGreaterThanOrEqual(count), { timeoutMs: 60_000 });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

const byConference = (events: CcesEvent[], conferenceId: string) =>
  events.filter((event) => event.conferenceId === conferenceId);

describe('CCES on a real broker', () => {
  const { kafkaBrokers } = integrationInfra();
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: 'cces-spec', logLevel: 'nothing' });

  it('creates the topic at start and reads back every event of a session in order, with gap-free seqs', async () => {
    const producer = await openProducer(kafka, coremx('a'), tempDir('hoot-cces-a-'));
    const inputs = [
      ccesSampleInput('coremx.state-changed'),
      ...ccesSampleSession('standup'),
      ...ccesSampleSession('retro'),
      ccesSampleInput('conference.moved', 'standup'),
    ];
    const published: CcesEvent[] = [];
    for (const input of inputs) published.push(await producer.publish(input));
    await producer.flushed();
    expect(producer.status()).toMatchObject({ backlog: 0, lastError: undefined });

    const admin = kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [cceTopicFor(coremx('a'))] });
      expect(metadata.topics[0].partitions).toHaveLength(3);
    } finally {
      await admin.disconnect();
    }

    const { events, poison, subscription } = await follow(kafka);
    await eventually(() => expect(events).toHaveLength(published.length), { timeoutMs: 60_000 });
    expect(subscription.topics()).toEqual([cceTopicFor(coremx('a'))]);
    expect(poison).toEqual([]);
    for (const conferenceId of ['standup', 'retro', '_coremx']) {
      const got = byConference(events, conferenceId);
      expect(got).toEqual(byConference(published, conferenceId));
      expect(got.map((e) => e.seq)).toEqual(got.map((_, i) => i + 1));
    }
    expect(byConference(events, 'standup')).toHaveLength(21);
  });

  it('picks up the topic of a CoreMX that appears after subscribing', async () => {
    const first = await openProducer(kafka, coremx('b1'), tempDir('hoot-cces-b1-'));
    await first.publish(ccesSampleInput('room.started', 'one'));
    await first.flushed();
    const { events, subscription } = await follow(kafka, { topicRefreshMs: 300 });
    await eventually(() => expect(events.map((e) => e.coremxId)).toContain(coremx('b1')), {
      timeoutMs: 60_000,
    });

    const second = await openProducer(kafka, coremx('b2'), tempDir('hoot-cces-b2-'));
    const late = await second.publish(ccesSampleInput('room.started', 'two'));
    await second.flushed();
    await eventually(() => expect(events).toContainEqual(late), { timeoutMs: 60_000 });
    expect(subscription.topics()).toContain(cceTopicFor(coremx('b2')));
  });

  it('sends poison to the dead-letter topic with its reason and keeps delivering valid events', async () => {
    const producer = await openProducer(kafka, coremx('c'), tempDir('hoot-cces-c-'));
    const before = await producer.publish(ccesSampleInput('room.started'));
    await producer.flushed();
    const topic = cceTopicFor(coremx('c'));
    const valid = JSON.stringify({ ...before, seq: 2 });
    const bad = [
      { key: 'standup', value: 'not json' },
      { key: 'other', value: valid },
      { key: 'standup', value: JSON.stringify({ ...before, seq: 2, type: 'room.exploded' }) },
      { key: 'standup', value: JSON.stringify({ ...before, seq: 2, data: { extra: 1 } }) },
    ];
    const raw = kafka.producer();
    await raw.connect();
    try {
      await raw.send({ topic, acks: -1, messages: bad.map((m) => ({ ...m, partition: 0 })) });
    } finally {
      await raw.disconnect();
    }
    const after = await producer.publish(ccesSampleInput('room.ended'));
    await producer.flushed();

    const { events, poison } = await follow(kafka);
    await eventually(
      () => {
        expect(poison).toHaveLength(4);
        const mine = events.filter((e) => e.coremxId === coremx('c'));
        expect(mine.map((e) => e.id)).toEqual([before.id, after.id]);
      },
      { timeoutMs: 60_000 },
    );
    expect(poison.map((p) => p.code)).toEqual([
      CcesErrorCode.Malformed,
      CcesErrorCode.KeyMismatch,
      CcesErrorCode.UnknownType,
      CcesErrorCode.InvalidData,
    ]);
    expect(poison.every((p) => p.deadLetterTopic === deadLetterTopicFor(topic))).toBe(true);

    const letters = await readRaw(kafka, deadLetterTopicFor(topic), 4);
    expect(letters.map((m) => m.value?.toString())).toEqual(bad.map((m) => m.value));
    expect(letters.map((m) => m.key?.toString())).toEqual(bad.map((m) => m.key));
    expect(letters.map((m) => m.headers?.[DEAD_LETTER_HEADERS.code]?.toString())).toEqual(
      poison.map((p) => p.code),
    );
    expect(letters[1].headers?.[DEAD_LETTER_HEADERS.reason]?.toString()).toContain('is not the conferenceId');
    expect(letters.map((m) => m.headers?.[DEAD_LETTER_HEADERS.sourceTopic]?.toString())).toEqual(
      bad.map(() => topic),
    );
  });
});

describe('CCES through a Kafka outage (a dedicated broker)', () => {
  let broker: RunningKafka | undefined;
  let port: number;
  let controllerPort: number;
  let dataDir: string;

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
    dataDir = mkdtempSync(join(tmpdir(), 'hoot-cces-outage-kafka-'));
    await startBroker();
  }, 240_000);

  afterAll(async () => {
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('journals while the broker is down, survives a producer restart, and delivers everything once, in order', async () => {
    const kafka = createKafka({
      brokers: [`127.0.0.1:${port}`],
      clientId: 'cces-outage-spec',
      logLevel: 'nothing',
      retries: 1,
      connectionTimeoutMs: 1_000,
      requestTimeoutMs: 5_000,
    });
    const coremxId = coremx('outage');
    const journalDir = tempDir('hoot-cces-outage-journal-');
    const published: CcesEvent[] = [];
    const session = ccesSampleSession('standup');

    const first = await openProducer(kafka, coremxId, journalDir);
    for (const input of session.slice(0, 5)) published.push(await first.publish(input));
    await first.flushed();

    await broker!.stop();
    broker = undefined;
    for (const input of session.slice(5, 12)) published.push(await first.publish(input));
    expect(first.backlog()).toBe(7);
    await eventually(() => expect(first.status().consecutiveFailures).toBeGreaterThan(0), {
      timeoutMs: 60_000,
    });
    expect(first.status().lastError).toEqual(expect.any(String));

    // CASH restarts while Kafka is still down: the new producer finds the backlog in the journal.
    await first.close();
    const second = await openProducer(kafka, coremxId, journalDir);
    expect(second.backlog()).toBe(7);
    for (const input of session.slice(12)) published.push(await second.publish(input));
    expect(second.backlog()).toBe(7 + session.length - 12);
    expect(published.map((e) => e.seq)).toEqual(session.map((_, i) => i + 1));

    await startBroker(); // same port, controller port and data folder
    await eventually(() => expect(second.backlog()).toBe(0), { timeoutMs: 90_000, intervalMs: 200 });
    await second.flushed();

    // A client of its own for reading: the producer's one retries little on purpose (fast failures).
    const reader = createKafka({
      brokers: [`127.0.0.1:${port}`],
      clientId: 'cces-outage-reader',
      logLevel: 'nothing',
    });
    const { events, duplicates } = await follow(reader);
    await eventually(() => expect(events).toHaveLength(published.length), { timeoutMs: 60_000 });
    expect(events).toEqual(published);
    expect(duplicates).toEqual([]);
    const raw = await readRaw(reader, cceTopicFor(coremxId), published.length);
    expect(raw.map((m) => (JSON.parse(m.value!.toString()) as CcesEvent).seq)).toEqual(
      published.map((e) => e.seq),
    );
  }, 300_000);
});
