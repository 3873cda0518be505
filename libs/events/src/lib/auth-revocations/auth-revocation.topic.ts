import { randomUUID } from 'node:crypto';
import type { Kafka, Producer, Consumer, Admin } from 'kafkajs';
import {
  AUTH_REVOCATIONS_TOPIC,
  decodeAuthRevocationEvent,
  type AuthRevocationEvent,
} from './auth-revocation.event';

/** Creates the topic if it does not exist (one partition: revocations are few and must stay ordered). */
export async function ensureRevocationTopic(kafka: Kafka, topic = AUTH_REVOCATIONS_TOPIC): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = await admin.listTopics();
    if (!existing.includes(topic)) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 1, replicationFactor: -1 }],
      });
    }
  } catch (error) {
    if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
  } finally {
    await admin.disconnect();
  }
}

/** Publishes revocations; `publish` resolves only once every in-sync replica has the event. */
export class RevocationPublisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic = AUTH_REVOCATIONS_TOPIC,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  async connect(): Promise<void> {
    await ensureRevocationTopic(this.kafka, this.topic);
    await this.producer.connect();
    this.connected = true;
  }

  async publish(event: AuthRevocationEvent): Promise<void> {
    if (!this.connected) throw new Error('revocation publisher is not connected');
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: [{ key: event.sub, value: JSON.stringify(event), headers: { type: event.type } }],
    });
  }

  async disconnect(): Promise<void> {
    this.connected = false;
    await this.producer.disconnect();
  }
}

export interface FollowRevocationsOptions {
  kafka: Kafka;
  topic?: string;
  /** Each process reads the whole topic with a consumer group of its own: `<prefix>-<uuid>`. */
  groupIdPrefix: string;
  onEvent: (event: AuthRevocationEvent) => void;
  /** A message that fails validation (skipped, never retried). */
  onInvalid?: (error: Error, offset: string) => void;
}

export interface RevocationFollower {
  /** Resolves once every event that existed when following started has been handed to `onEvent`. */
  readonly caughtUp: Promise<void>;
  /** True once `caughtUp` resolved. */
  isCaughtUp(): boolean;
  stop(): Promise<void>;
}

/**
 * Reads `hoot.auth.revocations` from the beginning and keeps following it. Used by every verifier at start,
 * so it knows all revocations (the topic is small: one event per revocation).
 */
export async function followRevocations(options: FollowRevocationsOptions): Promise<RevocationFollower> {
  const topic = options.topic ?? AUTH_REVOCATIONS_TOPIC;
  await ensureRevocationTopic(options.kafka, topic);
  const admin: Admin = options.kafka.admin();
  await admin.connect();
  let targets: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    // Partitions still to reach: the high watermark at start, where the topic is not empty.
    targets = new Map(
      offsets
        .filter((o) => BigInt(o.high) > BigInt(o.low))
        .map((o) => [o.partition, BigInt(o.high)] as const),
    );
  } finally {
    await admin.disconnect();
  }
  let resolveCaughtUp: () => void = () => undefined;
  let caughtUpFlag = false;
  const caughtUp = new Promise<void>((resolve) => (resolveCaughtUp = resolve));
  const markIfCaughtUp = () => {
    if (!caughtUpFlag && targets.size === 0) {
      caughtUpFlag = true;
      resolveCaughtUp();
    }
  };
  markIfCaughtUp();

  const consumer: Consumer = options.kafka.consumer({
    groupId: `${options.groupIdPrefix}-${randomUUID()}`,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      try {
        options.onEvent(decodeAuthRevocationEvent(message.value));
      } catch (error) {
        options.onInvalid?.(error as Error, message.offset);
      }
      const target = targets.get(partition);
      if (target !== undefined && BigInt(message.offset) + 1n >= target) {
        targets.delete(partition);
        markIfCaughtUp();
      }
    },
  });
  return {
    caughtUp,
    isCaughtUp: () => caughtUpFlag,
    stop: () => consumer.disconnect(),
  };
}
