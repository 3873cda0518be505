import { randomUUID } from 'node:crypto';
import { cceTopicFor, createKafka, subscribeCces, type CcesMessageMeta } from '@hoot/events';
import type { EventReadOptions, EventSource } from '../cli.context';
import { CliError, CliErrorCode, ExitCode } from '../errors/cli.error';

/** Connection tunables of the CLI's Kafka client: fail fast (a person is waiting), a few retries. */
const KAFKA_TUNING = {
  /** An unreachable broker is reported within seconds rather than after kafkajs's long default retries. */
  connectionTimeoutMs: 3_000,
  /** Through the Kubernetes API a connection first looks up the pod, then opens a WebSocket: more time. */
  tunnelConnectionTimeoutMs: 10_000,
  retries: 2,
  /** With --follow, how often to look for the topic when it does not exist yet (a CoreMX that never published). */
  topicRefreshMs: 2_000,
} as const;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * Reads one CoreMX topic through libs/events: `subscribeCces` with a pattern matching only that topic
 * (validation, de-duplication by seq), in a throw-away consumer group that is deleted afterwards.
 * Without `follow` the end is the topic's high watermarks taken at start: once every partition's last
 * message was seen (delivered, duplicate or poison), it stops.
 */
export class KafkaEventSource implements EventSource {
  async read(options: EventReadOptions): Promise<void> {
    const topic = cceTopicFor(options.coremxId);
    const kafka = createKafka({
      brokers: options.brokers,
      clientId: 'hoot-cli',
      logLevel: 'nothing',
      connectionTimeoutMs: options.socketFactory
        ? KAFKA_TUNING.tunnelConnectionTimeoutMs
        : KAFKA_TUNING.connectionTimeoutMs,
      retries: KAFKA_TUNING.retries,
      ...(options.socketFactory ? { socketFactory: options.socketFactory } : {}),
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
    } catch (error) {
      throw new CliError(
        CliErrorCode.Unreachable,
        `Kafka at ${options.brokers.join(',')} did not answer: ${(error as Error).message}`,
        ExitCode.Unreachable,
      );
    }
    const groupId = `hoot-cli-${randomUUID()}`;
    try {
      const exists = (await admin.listTopics()).includes(topic);
      if (!exists && !options.follow) {
        options.onNotice(`no events: topic ${topic} does not exist (no such CoreMX, or it never published)`);
        return;
      }
      if (!exists) options.onNotice(`topic ${topic} does not exist yet; waiting for it…`);
      // Without --follow: the last offset of each non-empty partition, as it is now.
      const pending = new Map<number, bigint>();
      if (!options.follow) {
        for (const p of await admin.fetchTopicOffsets(topic)) {
          if (BigInt(p.high) > BigInt(p.low)) pending.set(p.partition, BigInt(p.high) - 1n);
        }
        if (pending.size === 0) return;
      }
      let reachedEnd!: () => void;
      const end = new Promise<void>((resolve) => (reachedEnd = resolve));
      const seen = (meta: CcesMessageMeta) => {
        const last = pending.get(meta.partition);
        if (last !== undefined && BigInt(meta.offset) >= last) pending.delete(meta.partition);
        if (!options.follow && pending.size === 0) reachedEnd();
      };
      const subscription = await subscribeCces({
        kafka,
        groupId,
        pattern: new RegExp(`^${escapeRegExp(topic)}$`),
        fromBeginning: options.fromBeginning,
        topicRefreshMs: options.follow && !exists ? KAFKA_TUNING.topicRefreshMs : 0,
        onEvent: (event, meta) => {
          options.onEvent(event);
          seen(meta);
        },
        onDuplicate: (_event, meta) => seen(meta),
        onPoison: (poison) => {
          options.onNotice(
            `refused message at ${poison.topic}/${poison.partition}@${poison.offset}: ${poison.code} (${poison.reason})`,
          );
          seen(poison);
        },
        onError: (error) => options.onNotice(`kafka: ${error.message}`),
      });
      try {
        await Promise.race([
          untilAborted(options.signal),
          options.follow ? new Promise(() => undefined) : end,
        ]);
      } finally {
        await subscription.stop();
      }
    } finally {
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
    }
  }
}
