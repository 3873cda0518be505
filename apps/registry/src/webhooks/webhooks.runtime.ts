import { createKafka, subscribeCces, type CcesSubscription } from '@hoot/events';
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
 * Builds the webhook feature on `store`. The consumer group `hoot-registry-<REGISTRY_ID>-webhooks` is
 * shared by the replicas of one registry node (each event is taken in once per node), read from the
 * beginning the first time so the owners of existing conferences are known.
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
        groupId: `hoot-registry-${config.REGISTRY_ID}-webhooks`,
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
