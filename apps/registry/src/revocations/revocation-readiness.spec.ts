import { HealthRegistry } from '@hoot/service-kit';
import { revocationReadiness } from './revocation-readiness';

describe('revocationReadiness', () => {
  it('keeps the registry not ready until the revocation feed has caught up', async () => {
    let caughtUp = false;
    const health = new HealthRegistry();
    health.register(revocationReadiness(() => caughtUp));
    const before = await health.readiness();
    expect(before.ready).toBe(false);
    expect(before.checks['revocations']).toMatchObject({
      status: 'down',
      error: expect.stringContaining('revocation topic'),
    });
    caughtUp = true;
    const after = await health.readiness();
    expect(after.ready).toBe(true);
    expect(after.checks['revocations']).toMatchObject({ status: 'up' });
  });
});
