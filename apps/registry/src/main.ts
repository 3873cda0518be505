import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { RevocationFeed, ServiceCredentialClient } from '@hoot/auth-kit';
import { createKafka } from '@hoot/events';
import { loadKubeConfig, type PodWatcher } from '@hoot/k8s';
import {
  MongoConferenceStore,
  MongoGcasStore,
  MongoWebhookStore,
  connectMongo,
  pingConnection,
} from '@hoot/mongo';
import { createServiceApp } from '@hoot/service-kit';
import { AppModule } from './app.module';
import { registryConfigFromEnvironment, registryTrustProxy } from './config/registry.config';
import { HttpPeerTransport } from './gcas/http-peer.transport';
import { RegistryNode, type RegistryNodeLog } from './gcas/registry-node';
import { watchCoreMxPods } from './k8s/coremx-pod-watch';
import { createConferences, type ConferencesRuntime } from './conferences/conferences.runtime';
import { probeCash } from './gcas/cash-probe';
import { createWebhooks } from './webhooks/webhooks.runtime';

async function main(): Promise<void> {
  const config = registryConfigFromEnvironment();
  const connection = await connectMongo(config.MONGO_URI, { appName: `hoot-${config.REGISTRY_ID}` });
  const logger = new Logger('RegistryNode');
  const log: RegistryNodeLog = {
    info: (data, message) => logger.log(data, message),
    warn: (data, message) => logger.warn(data, message),
  };
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
  // The re-homing starts as soon as this node declares a CoreMX down (the runtime is made below).
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
  const webhookLogger = new Logger('Webhooks');
  const webhooks = createWebhooks(config, new MongoWebhookStore(connection), {
    info: (data, message) => webhookLogger.log(data, message),
    warn: (data, message) => webhookLogger.warn(data, message),
  });
  const conferenceLogger = new Logger('Conferences');
  const conferences = createConferences(config, {
    node,
    store: new MongoConferenceStore(connection, config.REGISTRY_ID),
    credentials,
    log: {
      info: (data, message) => conferenceLogger.log(data, message),
      warn: (data, message) => conferenceLogger.warn(data, message),
    },
  });
  late.conferences = conferences;
  let watcher: PodWatcher | undefined;
  const app = await createServiceApp(
    AppModule.forRoot(config, {
      node,
      pingStore: () => pingConnection(connection),
      revocations: { check: feed.revocations, isCaughtUp: () => feed.isCaughtUp() },
      webhooks,
      conferences,
      close: async () => {
        watcher?.stop();
        await webhooks.stop();
        await conferences.stop();
        await feed.stop().catch(() => undefined);
        await connection.close();
      },
    }),
    { bodyLimitBytes: config.BODY_LIMIT_BYTES, trustProxy: registryTrustProxy(config) },
  );
  const docs = new DocumentBuilder()
    .setTitle('hoot registry')
    .setDescription('Registry node: GCAS, CoreMX membership, iroulette, conferences and join, webhooks')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, docs));
  await node.start();
  await webhooks.start();
  await conferences.start();
  if (config.K8S_POD_WATCH) {
    const source = config.K8S_KUBECONFIG
      ? loadKubeConfig({ kubeconfigPath: config.K8S_KUBECONFIG })
      : loadKubeConfig({ inCluster: true });
    watcher = watchCoreMxPods({
      source,
      namespace: config.K8S_NAMESPACE,
      labelSelector: config.K8S_COREMX_SELECTOR,
      node,
      log,
    });
    void watcher.start();
  }
  await app.listen(config.PORT, config.HOST);
  new Logger('Main').log(
    { url: await app.getUrl(), registryId: config.REGISTRY_ID, peers: config.REGISTRY_PEERS.length },
    'registry node listening',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `registry: failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
