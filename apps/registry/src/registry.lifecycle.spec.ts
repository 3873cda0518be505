import { Registry } from 'prom-client';
import { HealthRegistry, type MetricsService } from '@hoot/service-kit';
import type { RegistryInfrastructure } from './registry-infrastructure';
import { RegistryLifecycle } from './registry.lifecycle';

/** An infrastructure whose every part records what was done to it, in order, into `steps`. */
function fakeInfrastructure() {
  const steps: string[] = [];
  const part = (name: string) => ({
    start: async () => void steps.push(`${name}.start`),
    stop: async () => void steps.push(`${name}.stop`),
  });
  let caughtUp = false;
  let ticketsReady = false;
  const infra = {
    node: {
      ...part('node'),
      isReady: true,
      counters: {
        roundsOk: 0,
        roundsFailed: 0,
        rejectedMessages: 0,
        rejectedVerdicts: 0,
        declaredDown: 0,
        restoredEntries: 0,
        storeConflicts: 0,
      },
      coremx: () => [],
      registries: () => [],
    },
    revocations: { check: {}, isCaughtUp: () => caughtUp },
    webhooks: part('webhooks'),
    conferences: { ...part('conferences'), tickets: { ready: () => ticketsReady } },
    podWatcher: {
      start: async () => void steps.push('podWatcher.start'),
      stop: () => void steps.push('podWatcher.stop'),
    },
    checks: [{ name: 'mongo', check: async () => undefined }],
    close: async () => void steps.push('close'),
  } as unknown as RegistryInfrastructure;
  return {
    infra,
    steps,
    catchUp: () => (caughtUp = true),
    registerTickets: () => (ticketsReady = true),
  };
}

function lifecycleOn(infra: RegistryInfrastructure) {
  const health = new HealthRegistry();
  const registry = new Registry();
  const lifecycle = new RegistryLifecycle(infra, health, { registry } as unknown as MetricsService);
  return { lifecycle, health, registry };
}

describe('RegistryLifecycle: the one owner of a registry node’s life', () => {
  it('starts the node, webhooks, conferences and the pod watch before serving; stops them node first and closes last', async () => {
    const { infra, steps } = fakeInfrastructure();
    const { lifecycle } = lifecycleOn(infra);
    lifecycle.onModuleInit();
    expect(steps).toEqual([]);
    await lifecycle.onApplicationBootstrap();
    expect(steps).toEqual(['node.start', 'webhooks.start', 'conferences.start', 'podWatcher.start']);
    steps.length = 0;
    await lifecycle.onApplicationShutdown();
    expect(steps).toEqual(['node.stop', 'podWatcher.stop', 'webhooks.stop', 'conferences.stop', 'close']);
  });

  it('is not ready until the revocation feed caught up and the join ticket key is registered', async () => {
    const { infra, catchUp, registerTickets } = fakeInfrastructure();
    const { lifecycle, health } = lifecycleOn(infra);
    lifecycle.onModuleInit();
    const first = await health.readiness();
    expect(Object.keys(first.checks).sort()).toEqual(['gcas', 'join-tickets', 'mongo', 'revocations']);
    expect([first.ready, first.checks['revocations'].status, first.checks['join-tickets'].status]).toEqual([
      false,
      'down',
      'down',
    ]);
    catchUp();
    registerTickets();
    expect((await health.readiness()).ready).toBe(true);
  });

  it("exports the node's gauges", async () => {
    const { infra } = fakeInfrastructure();
    const { lifecycle, registry } = lifecycleOn(infra);
    lifecycle.onModuleInit();
    const text = await registry.metrics();
    for (const name of [
      'hoot_registry_gossip_rounds_ok',
      'hoot_registry_store_conflicts',
      'hoot_registry_coremx',
    ])
      expect(text).toContain(name);
  });

  it('runs without a pod watch (outside a cluster)', async () => {
    const { infra, steps } = fakeInfrastructure();
    const { lifecycle } = lifecycleOn({ ...infra, podWatcher: undefined });
    await lifecycle.onApplicationBootstrap();
    await lifecycle.onApplicationShutdown();
    expect(steps).toEqual([
      'node.start',
      'webhooks.start',
      'conferences.start',
      'node.stop',
      'webhooks.stop',
      'conferences.stop',
      'close',
    ]);
  });
});
