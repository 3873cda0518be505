import { createKafka, subscribeCces, type CcesSubscription } from '@hoot/events';
import { registryConsumerGroup } from '../config/consumer-group';
import type { WebhookStore } from '@hoot/mongo';
import type { RegistryConfig } from '../config/registry.config';
import { HttpWebhookSender } from './http-webhook.sender';
import { WebhookDispatcher, type WebhookLog } from './webhook-dispatcher';
import { WebhookIntake } from './webhook-intake';
import { webhookSecret } from './webhook-signature';
import { WebhookService } from './webhook.service';

/** The webhook feature of a registry node: the API's service, the consumer (intake) and the dispatcher. */
export interface WebhooksRuntime {
  store: WebhookStore;
  service: WebhookService;
  dispatcher: WebhookDispatcher;
  /** Subscribes to every CoreMX topic and starts the dispatcher. */
  start(): Promise<void>;
  /** Stops consuming, then dispatching (attempts in flight are recorded first). */
  stop(): Promise<void>;
}

/**
 * The consumer group that feeds one outbox: `hoot-registry-<REGISTRY_ID>-webhooks-<database>`. Replicas of a
 * node share its database and so the group (each event is taken in once per node). The database is part of
 * the name because a member of the group writes what it consumes into its own database: two deployments
 * with the same REGISTRY_ID on one Kafka (two environments, two test runs) must not split the partitions
 * between them, or each would see only part of the events and drop the rest as conferences it knows no
 * owner of.
 */
export function webhookConsumerGroup(registryId: string, mongoUri: string): string {
  return registryConsumerGroup(registryId, mongoUri, 'webhooks');
}

/**
 * Builds the webhook feature on `store`. Consumes in `webhookConsumerGroup`, read from the beginning the
 * first time so the owners of existing conferences are known.
 */
export function createWebhooks(
  config: RegistryConfig,
  store: WebhookStore,
  log: WebhookLog,
): WebhooksRuntime {
  const dispatcher = new WebhookDispatcher({
    store,
    sender: new HttpWebhookSender({ allowPrivate: config.WEBHOOK_ALLOW_PRIVATE_URLS }),
    secretFor: (accountId, generation) => webhookSecret(config.WEBHOOK_SIGNING_KEY, accountId, generation),
    tunables: {
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      backoffBaseMs: config.WEBHOOK_BACKOFF_BASE_MS,
      backoffMaxMs: config.WEBHOOK_BACKOFF_MAX_MS,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      pollIntervalMs: config.WEBHOOK_POLL_INTERVAL_MS,
      concurrency: config.WEBHOOK_CONCURRENCY,
    },
    log,
  });
  const service = new WebhookService(store, {
    signingKey: config.WEBHOOK_SIGNING_KEY,
    allowPrivateUrls: config.WEBHOOK_ALLOW_PRIVATE_URLS,
    onRedeliver: () => dispatcher.wake(),
  });
  const intake = new WebhookIntake(store, () => dispatcher.wake());
  const groupId = webhookConsumerGroup(config.REGISTRY_ID, config.MONGO_URI);
  let subscription: CcesSubscription | undefined;
  return {
    store,
    service,
    dispatcher,
    async start() {
      dispatcher.start();
      subscription = await subscribeCces({
        kafka: createKafka({
          brokers: config.KAFKA_BROKERS,
          clientId: `hoot-registry-${config.REGISTRY_ID}-webhooks`,
          logLevel: 'error',
          logSink: { ...log, error: log.warn, debug: () => undefined },
        }),
        groupId,
        fromBeginning: true,
        topicRefreshMs: config.WEBHOOK_TOPIC_REFRESH_MS,
        onEvent: async (event) => {
          await intake.accept(event);
        },
        onPoison: (poison) =>
          log.warn(
            { topic: poison.topic, offset: poison.offset, code: poison.code, reason: poison.reason },
            'webhooks: CCES message refused (sent to its dead-letter topic)',
          ),
        onError: (error) => log.warn({ err: error.message }, 'webhooks: CCES consumer error'),
      });
    },
    async stop() {
      await subscription?.stop();
      await dispatcher.stop();
    },
  };
}
