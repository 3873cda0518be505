import type { ConferenceStore } from '@hoot/mongo';
import { subscribeCces, type CcesEvent, type CcesSubscription, type createKafka } from '@hoot/events';

type Kafka = ReturnType<typeof createKafka>;
import { reduceDirectory } from './directory.reducer';

export interface DirectoryLog {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
}

export interface DirectoryCounters {
  applied: number;
  ignored: number;
  poison: number;
}

/** Applies one event to the stored directory: read, reduce, compare-and-set; again on a conflict. */
export async function applyToDirectory(store: ConferenceStore, event: CcesEvent): Promise<boolean> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = await store.get(event.conferenceId);
    const next = reduceDirectory(current, event);
    if (!next) return false;
    if (await store.compareAndSet(next)) return true;
  }
  throw new Error(`directory: too many concurrent writes to ${event.conferenceId}`);
}

/**
 * The conference directory of a registry node: every CoreMX topic (pattern subscription, new CoreMX
 * found by a periodic refresh), read from the beginning by the node's own consumer group (its replicas
 * share the work), each event applied to MongoDB before its offset is committed. Poison goes to the
 * topic's dead-letter topic (libs/events) and is counted.
 */
export class ConferenceDirectory {
  readonly counters: DirectoryCounters = { applied: 0, ignored: 0, poison: 0 };
  private subscription: CcesSubscription | undefined;

  constructor(
    private readonly options: {
      kafka: Kafka;
      /** Its consumer group (`registryConsumerGroup(id, mongoUri, 'directory')`). */
      groupId: string;
      store: ConferenceStore;
      log: DirectoryLog;
      topicRefreshMs?: number;
    },
  ) {}

  get isRunning(): boolean {
    return this.subscription !== undefined;
  }

  async start(): Promise<void> {
    const { store, log } = this.options;
    this.subscription = await subscribeCces({
      kafka: this.options.kafka,
      groupId: this.options.groupId,
      fromBeginning: true,
      topicRefreshMs: this.options.topicRefreshMs ?? 5_000,
      onEvent: async (event) => {
        if (await applyToDirectory(store, event)) this.counters.applied++;
        else this.counters.ignored++;
      },
      onPoison: (poison) => {
        this.counters.poison++;
        log.warn(
          { topic: poison.topic, offset: poison.offset, code: poison.code, reason: poison.reason },
          'directory: poison message sent to the dead-letter topic',
        );
      },
      onError: (error) => log.warn({ err: error.message }, 'directory: consumer error (retried)'),
    });
  }

  /** Looks for new CoreMX topics now. */
  refresh(): Promise<void> {
    return this.subscription?.refreshTopics() ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
  }
}
