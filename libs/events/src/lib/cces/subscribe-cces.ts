import { systemClock, type Clock } from '@hoot/domain';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { ensureTopic } from '../ensure-topic';
import { parseCcesMessage, type CcesEvent } from './cces-envelope';
import type { CcesErrorCode } from './cces-error-code';
import { CcesSeqTracker, type CcesSeqTrackerOptions } from './cces-seq-tracker';
import { CCES_TOPIC_PATTERN, deadLetterTopicFor } from './cces-topic';
import { publishDeadLetter } from './dead-letter';

export interface CcesMessageMeta {
  topic: string;
  partition: number;
  offset: string;
}

export interface CcesPoison extends CcesMessageMeta {
  code: CcesErrorCode;
  reason: string;
  deadLetterTopic: string;
}

/** Consumer group timings of `subscribeCces` (see the comment where the consumer is made). */
export const CCES_CONSUMER_TIMINGS = {
  sessionTimeoutMs: 10_000,
  rebalanceTimeoutMs: 10_000,
  heartbeatIntervalMs: 1_000,
} as const;

export interface SubscribeCcesOptions {
  kafka: Kafka;
  groupId: string;
  /** For topics that exist at start and have no committed offset; topics found later are read from their start. */
  fromBeginning?: boolean;
  /** Which topics; default every CCES topic (`CCES_TOPIC_PATTERN`). Dead-letter topics never match. */
  pattern?: RegExp;
  /** Each valid event once, per (topic, conference) in seq order; a throw makes kafkajs deliver it again. */
  onEvent: (event: CcesEvent, meta: CcesMessageMeta) => void | Promise<void>;
  /** A message that failed validation, after it reached the dead-letter topic. */
  onPoison?: (poison: CcesPoison) => void;
  /** An event whose seq this subscription already delivered (a resend after a producer crash): skipped. */
  onDuplicate?: (event: CcesEvent, meta: CcesMessageMeta) => void;
  /**
   * An event whose seq skips some (never expected from `JournaledProducer` within one life of a room;
   * a room opened again after its `room.ended` may start higher, which is not a gap); delivered anyway.
   */
  onGap?: (event: CcesEvent, expectedSeq: number, meta: CcesMessageMeta) => void;
  /** A failed topic refresh (retried on the next one) or a kafkajs consumer crash (kafkajs restarts it when it can). */
  onError?: (error: Error) => void;
  /** How often to look for new matching topics (a new CoreMX); 0 turns it off. Default 10 s. */
  topicRefreshMs?: number;
  clock?: Clock;
  /** How many streams the duplicate check remembers (`CCES_SEQ_TRACKER_DEFAULTS`). */
  seqMemory?: CcesSeqTrackerOptions;
}

export interface CcesSubscription {
  /** Topics subscribed so far. */
  topics(): string[];
  /** Looks for new matching topics now (also done every `topicRefreshMs`). */
  refreshTopics(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Consumes every CCES topic matching `pattern` with one consumer group. Every message is validated
 * (`parseCcesMessage`): poison goes to `<topic>.dlq` with its reason before the offset is committed; valid
 * events reach `onEvent`, with duplicates (same or lower seq for a conference) dropped. kafkajs resolves a
 * pattern only when subscribing, so new topics are picked up by a periodic refresh (stop, subscribe, run).
 */
export async function subscribeCces(options: SubscribeCcesOptions): Promise<CcesSubscription> {
  const pattern = options.pattern ?? CCES_TOPIC_PATTERN;
  const clock = options.clock ?? systemClock;
  const refreshMs = options.topicRefreshMs ?? 10_000;
  const { kafka } = options;
  const subscribed = new Set<string>();
  const readyDeadLetterTopics = new Set<string>();
  const seqs = new CcesSeqTracker(options.seqMemory);
  let running = false;
  let stopped = false;
  let timer: ReturnType<Clock['setTimeout']> | undefined;
  let refreshing: Promise<void> | undefined;

  // A new CoreMX topic restarts this member (stop, subscribe, run) and so rebalances the group; kafkajs's
  // defaults (30 s session, 60 s rebalance) would let one slow sibling hold every member's events up to a
  // minute. Our handlers are short (one database write), so much tighter bounds are safe.
  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    sessionTimeout: CCES_CONSUMER_TIMINGS.sessionTimeoutMs,
    rebalanceTimeout: CCES_CONSUMER_TIMINGS.rebalanceTimeoutMs,
    heartbeatInterval: CCES_CONSUMER_TIMINGS.heartbeatIntervalMs,
  });
  const deadLetters: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });

  const sendToDeadLetter = async (
    meta: CcesMessageMeta,
    message: { key: Buffer | null; value: Buffer | null; headers?: Record<string, unknown> },
    code: CcesErrorCode,
    reason: string,
  ) => {
    const dlq = deadLetterTopicFor(meta.topic);
    if (!readyDeadLetterTopics.has(dlq)) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        await ensureTopic(admin, dlq, 1);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      readyDeadLetterTopics.add(dlq);
    }
    await publishDeadLetter(deadLetters, {
      sourceTopic: meta.topic,
      partition: meta.partition,
      offset: meta.offset,
      key: message.key,
      value: message.value,
      code,
      reason,
      headers: message.headers as Record<string, Buffer | string | undefined>,
    });
    options.onPoison?.({ ...meta, code, reason, deadLetterTopic: dlq });
  };

  const run = () =>
    consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const meta = { topic, partition, offset: message.offset };
        const result = parseCcesMessage(message.key, message.value, topic);
        if (!result.ok) return sendToDeadLetter(meta, message, result.code, result.reason);
        const { event } = result;
        const verdict = seqs.check(topic, event);
        if (verdict.kind === 'duplicate') return options.onDuplicate?.(event, meta);
        if (verdict.kind === 'gap') options.onGap?.(event, verdict.expected, meta);
        await options.onEvent(event, meta);
        seqs.delivered(topic, event);
      },
    });

  const refreshTopics = (initial = false): Promise<void> => {
    refreshing ??= (async () => {
      try {
        if (stopped) return;
        const admin = kafka.admin();
        await admin.connect();
        let found: string[];
        try {
          found = (await admin.listTopics()).filter(
            (topic) => pattern.test(topic) && !topic.endsWith('.dlq'),
          );
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
        const fresh = found.filter((topic) => !subscribed.has(topic)).sort();
        if (fresh.length === 0 || stopped) return;
        if (running) await consumer.stop();
        running = false;
        await consumer.subscribe({
          topics: fresh,
          fromBeginning: initial ? (options.fromBeginning ?? false) : true,
        });
        for (const topic of fresh) subscribed.add(topic);
        await run();
        running = true;
      } finally {
        refreshing = undefined;
      }
    })();
    return refreshing;
  };

  const schedule = () => {
    if (stopped || refreshMs <= 0) return;
    timer = clock.setTimeout(() => {
      refreshTopics().then(schedule, (error: Error) => {
        options.onError?.(error);
        schedule();
      });
    }, refreshMs);
  };

  consumer.on(consumer.events.CRASH, (event) => options.onError?.(event.payload.error));
  await consumer.connect();
  await deadLetters.connect();
  try {
    await refreshTopics(true);
  } catch (error) {
    await Promise.allSettled([consumer.disconnect(), deadLetters.disconnect()]);
    throw error;
  }
  schedule();

  return {
    topics: () => [...subscribed].sort(),
    refreshTopics: () => refreshTopics(),
    async stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      await refreshing?.catch(() => undefined);
      await consumer.disconnect();
      await deadLetters.disconnect();
    },
  };
}
