import type { GcasStore, StoredGcasEntry } from '@hoot/mongo';

/**
 * The GCAS store port in memory: one instance is one registry node's data (its replicas share the
 * instance). Unit specs only; the contract: `describeGcasStoreContract` of `@hoot/mongo/testing`.
 */
export class InMemoryGcasStore implements GcasStore {
  readonly docs = new Map<string, StoredGcasEntry>();
  /** Heartbeat counters per registry node. */
  readonly heartbeats = new Map<string, number>();

  async loadAll(): Promise<StoredGcasEntry[]> {
    return [...this.docs.values()].map((entry) => ({ ...entry }));
  }

  async compareAndSet(key: string, value: string, expectedRev: number): Promise<boolean> {
    const held = this.docs.get(key)?.rev ?? 0;
    if (held !== expectedRev) return false;
    this.docs.set(key, { key, value, rev: held + 1 });
    return true;
  }

  async nextHeartbeat(registryId: string): Promise<{ incarnation: number; seq: number }> {
    const seq = (this.heartbeats.get(registryId) ?? 0) + 1;
    this.heartbeats.set(registryId, seq);
    return { incarnation: 1, seq };
  }

  async ping(): Promise<void> {}
}
