import { Logger } from '@nestjs/common';
import { RevocationFeed, ServiceCredentialClient } from '@hoot/auth-kit';
import { createKafka } from '@hoot/events';
import { loadKubeConfig } from '@hoot/k8s';
import {
  MongoConferenceStore,
  MongoGcasStore,
  MongoWebhookStore,
  connectMongo,
  pingConnection,
} from '@hoot/mongo';
import { createConferences, type ConferencesRuntime } from './conferences/conferences.runtime';
import type { RegistryConfig } from './config/registry.config';
import { probeCash } from './gcas/cash-probe';
import { HttpPeerTransport } from './gcas/http-peer.transport';
import { RegistryNode, type RegistryNodeLog } from './gcas/registry-node';
import { watchCoreMxPods } from './k8s/coremx-pod-watch';
import type { RegistryInfrastructure } from './registry-infrastructure';
import { createWebhooks } from './webhooks/webhooks.runtime';

/** A `{info, warn}` log on a Nest logger of this context. */
function logOf(context: string): RegistryNodeLog {
  const logger = new Logger(context);
  return {
    info: (data, message) => logger.log(data, message),
    warn: (data, message) => logger.warn(data, message),
  };
}

/**
 * The real connections: MongoDB (the GCAS, conference and webhook stores), auth's revocation feed (read to
 * its end before anything is served), service credentials, the GCAS node with its peers, the webhook and
 * conference features, and the CoreMX pod watch in a cluster. Nothing is started but the feed:
 * `RegistryLifecycle` starts the rest.
 */
export async function connectInfrastructure(config: RegistryConfig): Promise<RegistryInfrastructure> {
  const connection = await connectMongo(config.MONGO_URI, { appName: `hoot-${config.REGISTRY_ID}` });
  // Revocations first: nothing is served before every revocation already published has been applied.
  const revocationLogger = new Logger('Revocations');
  const feed = new RevocationFeed({
    kafka: createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: `hoot-${config.REGISTRY_ID}-revocations`,
      logLevel: 'error',
    }),
    topic: config.AUTH_REVOCATIONS_TOPIC,
    groupIdPrefix: `hoot-${config.REGISTRY_ID}-revocations`,
    onInvalid: (error, offset) =>
      revocationLogger.warn({ err: error.message, offset }, 'invalid revocation event skipped'),
  });
  const close = async () => {
    await feed.stop().catch(() => undefined);
    await connection.close();
  };
  try {
    await feed.start();
    if (config.CASH_SHARED_SERVICE_ACCOUNTS.length)
      new Logger('Membership').warn(
        { accounts: config.CASH_SHARED_SERVICE_ACCOUNTS },
        'CASH_SHARED_SERVICE_ACCOUNTS is set: these service accounts may advertise ANY CoreMX (migration only; give each CASH its own cash-<coremxId> account)',
      );
    const credentials = new ServiceCredentialClient({
      authUrl: config.AUTH_URL,
      apiKey: config.REGISTRY_SERVICE_API_KEY,
    });
    const log = logOf('RegistryNode');
    // The re-homing starts as soon as this node declares a CoreMX down (the conferences are made below).
    const late: { conferences?: ConferencesRuntime } = {};
    const node = new RegistryNode({
      meta: {
        registryId: config.REGISTRY_ID,
        cloud: config.cloud,
        priority: config.priority,
        url: config.REGISTRY_PUBLIC_URL.replace(/\/$/, ''),
        region: config.REGISTRY_REGION,
        latitude: config.REGISTRY_LATITUDE,
        longitude: config.REGISTRY_LONGITUDE,
      },
      peers: config.REGISTRY_PEERS,
      store: new MongoGcasStore(connection, config.REGISTRY_ID),
      transport: new HttpPeerTransport(credentials, config.GOSSIP_TIMEOUT_MS, config.BODY_LIMIT_BYTES),
      tunables: {
        exchangeIntervalMs: config.GOSSIP_INTERVAL_MS,
        changeDebounceMs: config.GOSSIP_DEBOUNCE_MS,
        suspectAfterMs: config.SUSPECT_AFTER_MS,
        deadAfterMs: config.DEAD_AFTER_MS,
        coremxSuspectAfterMs: config.COREMX_SUSPECT_AFTER_MS,
        coremxHardTimeoutMs: config.COREMX_HARD_TIMEOUT_MS,
      },
      probe: probeCash(config.COREMX_PROBE_TIMEOUT_MS),
      coremxCheckIntervalMs: config.COREMX_CHECK_INTERVAL_MS,
      onDeclaredDown: () => late.conferences?.rehomeNow(),
      log,
    });
    const webhooks = createWebhooks(config, new MongoWebhookStore(connection), logOf('Webhooks'));
    const conferences = createConferences(config, {
      node,
      store: new MongoConferenceStore(connection, config.REGISTRY_ID),
      credentials,
      log: logOf('Conferences'),
    });
    late.conferences = conferences;
    const podWatcher = config.K8S_POD_WATCH
      ? watchCoreMxPods({
          source: config.K8S_KUBECONFIG
            ? loadKubeConfig({ kubeconfigPath: config.K8S_KUBECONFIG })
            : loadKubeConfig({ inCluster: true }),
          namespace: config.K8S_NAMESPACE,
          labelSelector: config.K8S_COREMX_SELECTOR,
          node,
          log,
        })
      : undefined;
    return {
      node,
      revocations: { check: feed.revocations, isCaughtUp: () => feed.isCaughtUp() },
      webhooks,
      conferences,
      podWatcher,
      checks: [{ name: 'mongo', check: () => pingConnection(connection) }],
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
