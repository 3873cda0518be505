import { INTEGRATION_ENV } from './integration-env';
import { startKafka, startMongo, type RunningKafka, type RunningMongo } from './local-infra';

interface Started {
  kafka?: RunningKafka;
  mongo?: RunningMongo;
}

// Kept on globalThis: Jest loads the setup and the teardown modules separately.
const holder = globalThis as typeof globalThis & { __hootIntegrationInfra?: Started };
const started: Started = (holder.__hootIntegrationInfra ??= {});

/**
 * Jest global setup: starts Kafka and the MongoDB-protocol server once per run on free ports, in parallel,
 * and publishes their addresses to the workers through the environment.
 */
export interface IntegrationProbes {
  kafka: (brokers: string[]) => Promise<unknown>;
  mongo: (uri: string) => Promise<unknown>;
}

export async function setUpIntegrationInfra(probes: IntegrationProbes): Promise<void> {
  const t0 = Date.now();
  process.stdout.write('\n[hoot] starting Kafka and the MongoDB-protocol server for integration specs…\n');
  const [kafka, mongo] = await Promise.allSettled([
    startKafka({ probe: probes.kafka }),
    startMongo({ probe: probes.mongo }),
  ]);
  if (kafka.status === 'fulfilled') started.kafka = kafka.value;
  if (mongo.status === 'fulfilled') started.mongo = mongo.value;
  const failure = [kafka, mongo].find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await tearDownIntegrationInfra();
    throw failure.reason;
  }
  process.env[INTEGRATION_ENV.kafkaBrokers] = started.kafka!.brokers.join(',');
  process.env[INTEGRATION_ENV.mongoUri] = started.mongo!.uri;
  process.env[INTEGRATION_ENV.kafkaPid] = String(started.kafka!.process.pid ?? '');
  process.env[INTEGRATION_ENV.mongoPid] = String(started.mongo!.process.pid ?? '');
  process.stdout.write(
    `[hoot] infrastructure ready in ${((Date.now() - t0) / 1000).toFixed(1)} s: kafka ${started.kafka!.brokers[0]}, mongo ${started.mongo!.uri}\n`,
  );
}

/** Jest global teardown: stops whatever the setup started (also after failed tests). */
export async function tearDownIntegrationInfra(): Promise<void> {
  await Promise.all([started.kafka?.stop(), started.mongo?.stop()]);
  started.kafka = undefined;
  started.mongo = undefined;
}
