import { HealthRegistry } from './health.registry';

describe('HealthRegistry', () => {
  it('is ready with no dependencies', async () => {
    await expect(new HealthRegistry().readiness()).resolves.toMatchObject({ ready: true, checks: {} });
  });

  it('reports each dependency and is not ready when one is down', async () => {
    const registry = new HealthRegistry();
    registry.register({ name: 'good', check: async () => undefined });
    registry.register({ name: 'bad', check: async () => Promise.reject(new Error('refused')) });
    const readiness = await registry.readiness();
    expect(readiness.ready).toBe(false);
    expect(readiness.checks['good'].status).toBe('up');
    expect(readiness.checks['bad']).toMatchObject({ status: 'down', error: 'refused' });
  });

  it('counts a check that never answers as down after its timeout', async () => {
    const registry = new HealthRegistry();
    registry.register({ name: 'hung', check: () => new Promise(() => undefined), timeoutMs: 20 });
    const readiness = await registry.readiness();
    expect(readiness.checks['hung']).toMatchObject({ status: 'down', error: 'no answer within 20 ms' });
  });

  it('is not ready once draining', async () => {
    const registry = new HealthRegistry();
    registry.startDraining();
    await expect(registry.readiness()).resolves.toMatchObject({ ready: false, draining: true });
  });
});
