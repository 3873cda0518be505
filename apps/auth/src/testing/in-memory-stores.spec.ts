import {
  describeAccountStoreContract,
  describeApiKeyStoreContract,
  describeRevocationStoreContract,
  describeTicketKeyStoreContract,
} from '@hoot/domain/testing';
import {
  InMemoryAccountStore,
  InMemoryApiKeyStore,
  InMemoryRevocationStore,
  InMemoryTicketKeyStore,
} from './in-memory-stores';

// The fakes keep the same contracts as the MongoDB stores (libs/mongo/test/auth-stores.integration-spec.ts).
describeAccountStoreContract('in memory', async () => new InMemoryAccountStore());
describeApiKeyStoreContract('in memory', async () => new InMemoryApiKeyStore());
describeRevocationStoreContract('in memory', async () => new InMemoryRevocationStore());
describeTicketKeyStoreContract('in memory', async () => new InMemoryTicketKeyStore());
