import { Partitioners, type ICustomPartitioner, type Kafka, type Producer } from 'kafkajs';
import { ensureTopic } from '../ensure-topic';
import type { CcesMessage, CcesSender } from './cces-sender.port';

export interface KafkaCcesSenderOptions {
  /** Partitions of a topic this sender creates (key = conference id spreads conferences over them). */
  partitions?: number;
  /**
   * Attempts kafkajs makes inside one `send` before it gives up (then `JournaledProducer` keeps the batch
   * and retries it with its own backoff, forever). kafkajs warns once that limited retries may weaken
   * idempotence: a failed batch is resent unchanged, so the broker still recognises a duplicate.
   */
  sendRetries?: number;
}

/** kafkajs errors after which the producer's id or sequence numbers are no longer valid. */
const PRODUCER_STATE_ERRORS = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_PRODUCER_ID_MAPPING',
]);

/**
 * The real `CcesSender`: kafkajs's idempotent producer (`idempotent: true`, one request in flight) with
 * `acks: -1` (all in-sync replicas). After an error that invalidates the producer's identity it starts a
 * new producer (a new id): the batch is then resent, and consumers drop the duplicate by `seq`.
 *
 * Why one request at a time, not pipelined: kafkajs's idempotent producer holds a per-broker lock around
 * each produce request, whatever `maxInFlightRequests` says; and two producers splitting the partitions
 * (two requests in flight, order kept per partition) measured no faster on the project machine (20,000
 * events: 359 vs 369 ms), because a send is bound by this process's CPU (kafkajs encodes every record,
 * with a zeroed 512-byte buffer per record and per header), not by the broker round trip.
 */
export class KafkaCcesSender implements CcesSender {
  private producer: Producer | undefined;
  private connected = false;
  private readonly partitions: number;
  private readonly sendRetries: number;

  constructor(
    private readonly kafka: Kafka,
    options: KafkaCcesSenderOptions = {},
  ) {
    this.partitions = options.partitions ?? 3;
    this.sendRetries = options.sendRetries ?? 3;
  }

  async ensureTopic(topic: string): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureTopic(admin, topic, this.partitions);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  async send(topic: string, messages: readonly CcesMessage[]): Promise<void> {
    const producer = await this.connectedProducer();
    try {
      await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ ...m })) });
    } catch (error) {
      if (invalidatesProducer(error)) await this.dropProducer();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.dropProducer();
  }

  private async connectedProducer(): Promise<Producer> {
    if (!this.producer) {
      this.producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: keyCachingPartitioner,
        retry: { retries: this.sendRetries, initialRetryTime: 200, maxRetryTime: 2_000 },
      });
      this.connected = false;
    }
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
    return this.producer;
  }

  private async dropProducer(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    this.connected = false;
    await producer?.disconnect().catch(() => undefined);
  }
}

function invalidatesProducer(error: unknown): boolean {
  let current = error as { type?: string; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; current && depth < 5; depth += 1) {
    if (current.type && PRODUCER_STATE_ERRORS.has(current.type)) return true;
    current = (current.originalError ?? current.cause) as typeof current;
  }
  return false;
}

/** Keys remembered per partition count before the cache starts over (conferences of one CoreMX: far fewer). */
const PARTITION_CACHE_KEYS = 10_000;

/**
 * kafkajs's `DefaultPartitioner` (murmur2 of the key modulo the partition count, as the Java client), with
 * the answer remembered per key and partition count: a batch holds many events of few conferences, and
 * the hash (with a scan of the partition list) was a visible part of a send's CPU. The same key always
 * gets the same partition as without the cache; a message with an explicit partition or no key is
 * passed through.
 */
export const keyCachingPartitioner: ICustomPartitioner = () => {
  const inner = Partitioners.DefaultPartitioner();
  const cache = new Map<string, number>();
  let partitions = -1;
  return (args) => {
    const { partitionMetadata, message } = args;
    const key = message.key;
    if (typeof key !== 'string' || (message.partition !== null && message.partition !== undefined)) {
      return inner(args);
    }
    if (partitionMetadata.length !== partitions || cache.size >= PARTITION_CACHE_KEYS) {
      cache.clear();
      partitions = partitionMetadata.length;
    }
    let partition = cache.get(key);
    if (partition === undefined) {
      partition = inner(args);
      cache.set(key, partition);
    }
    return partition;
  };
};
