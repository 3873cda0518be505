import type { ApiKeyStore, Clock, RevocationStore, TicketKeyStore } from '@hoot/domain';
import type { DependencyCheck } from '@hoot/service-kit';
import type { AuthAccountStore } from './accounts/auth-account-store.port';
import type { PasswordHasher } from './accounts/password-hasher';
import type { RevocationEventPublisher } from './revocations/revocation-publisher.port';

export const INFRASTRUCTURE = Symbol('INFRASTRUCTURE');

/** What the service runs on: Mongo-backed stores and the Kafka publisher in production, fakes in unit tests. */
export interface AuthInfrastructure {
  accounts: AuthAccountStore;
  apiKeys: ApiKeyStore;
  revocations: RevocationStore;
  /** Registries' join-ticket keys (published at `/.well-known/join-ticket-keys.json`). */
  ticketKeys: TicketKeyStore;
  publisher: RevocationEventPublisher;
  clock: Clock;
  /** Readiness checks of the dependencies (mongo, kafka). */
  checks: DependencyCheck[];
  /** Overrides the production scrypt cost (unit tests). */
  passwordHasher?: PasswordHasher;
  /** Closes connections at shutdown. */
  close(): Promise<void>;
}
