import type { Kafka } from 'kafkajs';
import { parseCcesMessage, type CcesParseResult } from './cces-envelope';
import type { CcesMessageMeta } from './subscribe-cces';

export interface ReadCcesTopicOptions {
  kafka: Kafka;
  topic: string;
  /** A consumer group of this read alone (nothing is committed; the group is deleted afterwards). */
  groupId: string;
  /** Every message up to the end offsets taken at the start, validated (`ok: false` for poison), in partition order. */
  onMessage: (result: CcesParseResult, meta: CcesMessageMeta) => void;
  /** Gives up (rejects) when the read has not reached the end by then. Default 60 s. */
  timeoutMs?: number;
}

/**
 * Reads a CCES topic once, from its beginning up to the end offsets it has when the call starts (what is
 * written meanwhile is not waited for). A missing or empty topic resolves at once with nothing read.
 * Rejects when Kafka cannot be reached or the read does not finish within `timeoutMs`; the caller retries.
 */
export async function readCcesTopicToEnd(options: ReadCcesTopicOptions): Promise<{ messages: number }> {
  const { kafka, topic, groupId } = options;
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, number>();
  try {
    if (!(await admin.listTopics()).includes(topic)) return { messages: 0 };
    for (const p of await admin.fetchTopicOffsets(topic)) {
      const high = Number(p.high);
      if (high > Number(p.low)) ends.set(p.partition, high);
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (ends.size === 0) return { messages: 0 };

  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const pending = new Set(ends.keys());
  let messages = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`reading ${topic} did not reach its end offsets in time`)),
      options.timeoutMs ?? 60_000,
    );
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) reject(event.payload.error);
    });
    consumer
      .connect()
      .then(() => consumer.subscribe({ topics: [topic], fromBeginning: true }))
      .then(() =>
        consumer.run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition);
            if (end === undefined || !pending.has(partition)) return;
            const offset = Number(message.offset);
            if (offset < end) {
              messages += 1;
              options.onMessage(parseCcesMessage(message.key, message.value, topic), {
                topic,
                partition,
                offset: message.offset,
              });
            }
            if (offset + 1 >= end) {
              pending.delete(partition);
              if (pending.size === 0) resolve();
            }
          },
        }),
      )
      .catch(reject);
  });
  try {
    await finished;
    return { messages };
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
    const cleanup = kafka.admin();
    await cleanup
      .connect()
      .then(() => cleanup.deleteGroups([groupId]))
      .catch(() => undefined)
      .finally(() => cleanup.disconnect().catch(() => undefined));
  }
}
