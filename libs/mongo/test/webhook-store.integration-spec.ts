import { describeWebhookStoreContract } from '../src/testing';
import { MongoWebhookStore } from '../src';
import { freshDatabases } from './fresh-databases';

// The MongoDB outbox keeps the same contract as the registry's in-memory fake (apps/registry/src/testing).
describe('MongoWebhookStore (real MongoDB protocol)', () => {
  const dbs = freshDatabases('webhookstore');
  // Replicas on a second connection to the same database.
  describeWebhookStoreContract('MongoDB', async () => {
    const { first, second } = dbs.next();
    return { store: new MongoWebhookStore(first), replica: () => new MongoWebhookStore(second) };
  });
});
