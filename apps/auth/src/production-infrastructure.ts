import { systemClock } from '@hoot/domain';
import { RevocationPublisher, createKafka, describeKafkaCluster } from '@hoot/events';
import { connectMongo, createAuthStores, pingConnection } from '@hoot/mongo';
import type { AuthInfrastructure } from './auth-infrastructure';
import type { AuthConfig } from './config/auth.config';

/** Connects MongoDB (stores with their indexes) and Kafka (the revocation publisher). */
export async function connectInfrastructure(config: AuthConfig): Promise<AuthInfrastructure> {
  const connection = await connectMongo(config.MONGO_URI, { appName: `hoot-auth-${config.NODE_ID}` });
  try {
    const stores = await createAuthStores(connection);
    const kafka = createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: `hoot-auth-${config.NODE_ID}`,
      logLevel: 'error',
    });
    const publisher = new RevocationPublisher(kafka, config.AUTH_REVOCATIONS_TOPIC);
    await publisher.connect();
    return {
      ...stores,
      publisher,
      clock: systemClock,
      checks: [
        { name: 'mongo', check: () => pingConnection(connection) },
        { name: 'kafka', check: () => describeKafkaCluster(config.KAFKA_BROKERS, 2_000) },
      ],
      async close() {
        await publisher.disconnect().catch(() => undefined);
        await connection.close();
      },
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}
