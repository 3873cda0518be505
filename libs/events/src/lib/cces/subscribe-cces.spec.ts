import type { Kafka } from 'kafkajs';
import { InMemoryCcesPublisher, ccesSampleSession } from '../../testing';
import { ccesMessageOf, type CcesEvent } from './cces-envelope';
import { subscribeCces } from './subscribe-cces';

const TOPIC = 'hoot.coremx.coremx-1.events';

type EachMessage = (payload: {
  topic: string;
  partition: number;
  message: { key: Buffer; value: Buffer; offset: string; headers: Record<string, Buffer> };
}) => Promise<void>;

/** Just enough of kafkajs for subscribeCces: one topic, messages handed to its eachMessage by the spec. */
function fakeKafka() {
  let eachMessage: EachMessage | undefined;
  let offset = 0;
  const idle = async () => undefined;
  const consumer = {
    events: { CRASH: 'consumer.crash' },
    on: () => undefined,
    connect: idle,
    disconnect: idle,
    subscribe: idle,
    stop: idle,
    run: async (config: { eachMessage: EachMessage }) => {
      eachMessage = config.eachMessage;
    },
  };
  const kafka = {
    consumer: () => consumer,
    producer: () => ({ connect: idle, disconnect: idle, send: async () => [] }),
    admin: () => ({ connect: idle, disconnect: idle, listTopics: async () => [TOPIC] }),
  } as unknown as Kafka;
  const deliver = async (event: CcesEvent) => {
    const { key, value, headers } = ccesMessageOf(event);
    await eachMessage!({
      topic: TOPIC,
      partition: 0,
      message: {
        key: Buffer.from(key),
        value: Buffer.from(value),
        offset: String(offset++),
        headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
      },
    });
  };
  return { kafka, deliver };
}

/** One life of a room: reserved … ended, numbered from `firstSeq`. */
async function roomLife(conferenceId: string, firstSeq: number): Promise<CcesEvent[]> {
  const publisher = new InMemoryCcesPublisher('coremx-1');
  for (const input of ccesSampleSession(conferenceId)) await publisher.publish(input);
  return publisher.events.map((event, i) => ({ ...event, seq: firstSeq + i }) as CcesEvent);
}

describe('subscribeCces: duplicates and gaps per (topic, conference)', () => {
  const seen = { delivered: [] as number[], duplicates: [] as number[], gaps: [] as number[] };
  let fake: ReturnType<typeof fakeKafka>;
  let stop: () => Promise<void>;

  beforeEach(async () => {
    seen.delivered = [];
    seen.duplicates = [];
    seen.gaps = [];
    fake = fakeKafka();
    const subscription = await subscribeCces({
      kafka: fake.kafka,
      groupId: 'spec',
      topicRefreshMs: 0,
      onEvent: (event) => void seen.delivered.push(event.seq),
      onDuplicate: (event) => void seen.duplicates.push(event.seq),
      onGap: (event) => void seen.gaps.push(event.seq),
    });
    stop = () => subscription.stop();
  });
  afterEach(() => stop());

  it('drops a resend of an ended room (a producer restart) and delivers its next life, which may start higher', async () => {
    const first = await roomLife('standup', 1);
    expect(first.at(-1)?.type).toBe('room.ended');
    for (const event of [...first, ...first.slice(-2)]) await fake.deliver(event);
    const last = first.at(-1)!.seq;
    expect(seen.delivered).toEqual(first.map((e) => e.seq));
    expect(seen.duplicates).toEqual([last - 1, last]);
    // The producer forgot the conference after its end: the next life starts above every forgotten seq.
    const second = await roomLife('standup', last + 40);
    for (const event of second) await fake.deliver(event);
    expect(seen.delivered).toEqual([...first, ...second].map((e) => e.seq));
    expect(seen.gaps).toEqual([]);
  });

  it('still reports a gap inside one life of a room', async () => {
    const life = await roomLife('standup', 1);
    await fake.deliver(life[0]);
    await fake.deliver(life[2]);
    expect(seen.gaps).toEqual([3]);
    expect(seen.delivered).toEqual([1, 3]);
  });
});
