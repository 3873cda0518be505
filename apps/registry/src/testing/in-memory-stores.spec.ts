import {
  describeConferenceStoreContract,
  describeGcasStoreContract,
  describeWebhookStoreContract,
} from '@hoot/mongo/testing';
import { InMemoryConferenceStore } from './in-memory-conference.store';
import { InMemoryGcasStore } from './in-memory-gcas.store';
import { InMemoryWebhookStore } from './in-memory-webhook.store';

// The fakes keep the same contracts as the MongoDB stores (libs/mongo/test/*-store.integration-spec.ts).
describeConferenceStoreContract('in memory', async () => {
  // Replicas of one registry node share its directory: in memory, one instance.
  const store = new InMemoryConferenceStore();
  return { store, replica: () => store };
});
describeGcasStoreContract('in memory', async () => {
  const nodes = new Map<string, InMemoryGcasStore>();
  return (registryId) => {
    const store = nodes.get(registryId) ?? new InMemoryGcasStore();
    nodes.set(registryId, store);
    return store;
  };
});
describeWebhookStoreContract('in memory', async () => {
  // Several dispatchers share one instance, like replicas share the database.
  const store = new InMemoryWebhookStore();
  return { store, replica: () => store };
});
