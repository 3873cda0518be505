import type { AuthRevocationEvent } from '@hoot/events';

/** Where revocations go so every verifier learns of them (Kafka in production, a list in unit tests). */
export interface RevocationEventPublisher {
  publish(event: AuthRevocationEvent): Promise<void>;
}
