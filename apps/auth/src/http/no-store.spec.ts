import { startAuthTestApp, type AuthTestApp } from '../testing/auth-test-app';
import { client } from '../testing/auth-test-client';

/** Every answer that carries a credential tells caches not to keep it. */
describe('credential answers are never cached', () => {
  let t: AuthTestApp;
  let c: ReturnType<typeof client>;

  beforeEach(async () => {
    t = await startAuthTestApp();
    c = client(t);
  });
  afterEach(() => t.app.close());

  const expectNoStore = (res: { headers: Record<string, unknown> }) => {
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['pragma']).toBe('no-cache');
  };

  it('password grant (user token)', async () => {
    await c.createUser('alice');
    const res = await c.request('POST', '/v1/tokens', {
      grant_type: 'password',
      username: 'alice',
      password: 'correct horse battery',
    });
    expect(res.statusCode).toBe(200);
    expectNoStore(res);
  });

  it('API-key grant (service token)', async () => {
    const service = await c.createService('cash-1');
    const res = await c.request('POST', '/v1/tokens', { grant_type: 'api_key', api_key: service.apiKey });
    expect(res.statusCode).toBe(200);
    expectNoStore(res);
  });

  it('join ticket', async () => {
    const registry = await c.createService('reg-eu-1');
    const user = await c.createUser('bob');
    const res = await c.request(
      'POST',
      '/internal/v1/join-tickets',
      { coremxId: 'cmx-1', subject: user.id, conferenceId: 'standup-42' },
      { authorization: `Bearer ${await c.serviceToken(registry.apiKey)}` },
    );
    expect(res.statusCode).toBe(201);
    expectNoStore(res);
  });

  it('new API key (shown once)', async () => {
    const service = await c.createService('cash-2');
    const res = await c.request('POST', `/v1/admin/accounts/${service.id}/api-keys`, { name: 'k2' }, c.admin);
    expect(res.statusCode).toBe(201);
    expectNoStore(res);
  });
});
