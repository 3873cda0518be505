/** Environment the integration global setup hands to every test worker. */
export const INTEGRATION_ENV = {
  kafkaBrokers: 'HOOT_TEST_KAFKA_BROKERS',
  mongoUri: 'HOOT_TEST_MONGO_URI',
  kafkaPid: 'HOOT_TEST_KAFKA_PID',
  mongoPid: 'HOOT_TEST_MONGO_PID',
} as const;

export interface IntegrationInfra {
  kafkaBrokers: string[];
  /** Base URI of the MongoDB-protocol server; pick a database per spec with `mongoUriFor`. */
  mongoUri: string;
  /** Process (group) ids of the broker and the MongoDB-protocol server, for fault specs (SIGSTOP/SIGCONT). */
  kafkaPid?: number;
  mongoPid?: number;
}

/** The infrastructure started by the integration global setup; fails loudly when run outside it. */
export function integrationInfra(): IntegrationInfra {
  const brokers = process.env[INTEGRATION_ENV.kafkaBrokers];
  const mongoUri = process.env[INTEGRATION_ENV.mongoUri];
  if (!brokers || !mongoUri) {
    throw new Error(
      'integration infrastructure is not running: run integration specs with `npx jest -c jest.integration.config.js` ' +
        '(its global setup starts Kafka and the MongoDB-protocol server)',
    );
  }
  const pid = (name: string) => {
    const value = Number(process.env[name]);
    return Number.isInteger(value) && value > 0 ? value : undefined;
  };
  return {
    kafkaBrokers: brokers.split(','),
    mongoUri,
    kafkaPid: pid(INTEGRATION_ENV.kafkaPid),
    mongoPid: pid(INTEGRATION_ENV.mongoPid),
  };
}

let counter = 0;

/** A MongoDB URI with a database of its own, so specs never see each other's data. */
export function mongoUriFor(prefix: string): string {
  const { mongoUri } = integrationInfra();
  counter += 1;
  const db = `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`.replace(/[^a-zA-Z0-9_]/g, '_');
  return `${mongoUri.replace(/\/?$/, '/')}${db}`;
}

/** A Kafka topic name no other spec uses. */
export function uniqueTopic(prefix: string): string {
  counter += 1;
  return `${prefix}.${process.pid}.${Date.now().toString(36)}.${counter}`;
}
