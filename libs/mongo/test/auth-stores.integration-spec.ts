import {
  describeAccountStoreContract,
  describeApiKeyStoreContract,
  describeRevocationStoreContract,
  describeTicketKeyStoreContract,
} from '@hoot/domain/testing';
import { createAuthStores } from '../src';
import { freshDatabases } from './fresh-databases';

// The MongoDB auth stores keep the same contracts as auth's in-memory fakes (apps/auth/src/testing).
describe('auth stores (real MongoDB protocol)', () => {
  const dbs = freshDatabases('authstores');
  const stores = () => createAuthStores(dbs.next().first);
  describeAccountStoreContract('MongoDB', async () => (await stores()).accounts);
  describeApiKeyStoreContract('MongoDB', async () => (await stores()).apiKeys);
  describeRevocationStoreContract('MongoDB', async () => (await stores()).revocations);
  describeTicketKeyStoreContract('MongoDB', async () => (await stores()).ticketKeys);
});
