import { startAuthTestApp, type AuthTestApp } from '../testing/auth-test-app';
import { client } from '../testing/auth-test-client';

describe('admin API', () => {
  let t: AuthTestApp;
  let c: ReturnType<typeof client>;

  beforeEach(async () => {
    t = await startAuthTestApp();
    c = client(t);
  });
  afterEach(() => t.app.close());

  it('creates, lists, reads, disables and enables accounts', async () => {
    const created = await c.request(
      'POST',
      '/v1/admin/accounts',
      {
        username: 'alice',
        displayName: 'Alice',
        password: 'correct horse battery',
        organisation: 'acme',
        plan: 'pro',
        roles: ['member'],
      },
      c.admin,
    );
    expect(created.statusCode).toBe(201);
    const alice = created.json();
    expect(alice).toMatchObject({
      username: 'alice',
      kind: 'user',
      organisation: 'acme',
      roles: ['member'],
      limits: { maxConferences: 10, maxParticipants: 50 },
      disabled: false,
    });
    expect(alice).not.toHaveProperty('passwordHash');
    await c.createUser('bob');
    const page1 = await c.request('GET', '/v1/admin/accounts?limit=1', undefined, c.admin);
    expect(page1.json().items).toHaveLength(1);
    const page2 = await c.request(
      'GET',
      `/v1/admin/accounts?limit=1&after=${page1.json().next}`,
      undefined,
      c.admin,
    );
    expect(page2.json().items).toHaveLength(1);
    expect(page2.json().next).toBeUndefined();
    expect(
      (await c.request('GET', `/v1/admin/accounts/${alice.id}`, undefined, c.admin)).json().username,
    ).toBe('alice');
    expect(
      (await c.request('POST', `/v1/admin/accounts/${alice.id}/disable`, undefined, c.admin)).json().disabled,
    ).toBe(true);
    expect(
      (await c.request('POST', `/v1/admin/accounts/${alice.id}/enable`, undefined, c.admin)).json().disabled,
    ).toBe(false);
  });

  it('refuses a taken username with 409 and changes nothing', async () => {
    await c.createUser('alice');
    const res = await c.request(
      'POST',
      '/v1/admin/accounts',
      { username: 'alice', displayName: 'Other', password: 'another long pass' },
      c.admin,
    );
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('auth.account-exists');
    expect(t.accounts.byId.size).toBe(1);
  });

  it('answers 404 for an unknown account', async () => {
    const res = await c.request('GET', '/v1/admin/accounts/acc_missing', undefined, c.admin);
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('auth.account-not-found');
  });

  it('issues service API keys that are shown once and stored hashed', async () => {
    const service = await c.createService('registry');
    expect(service.apiKey).toMatch(/^hk_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    const stored = [...t.apiKeys.byId.values()][0];
    expect(JSON.stringify(stored)).not.toContain(service.apiKey.slice(20));
  });

  it.each([
    ['no credentials', {}, 401, 'auth.unauthenticated'],
    ['a wrong admin key', { authorization: 'Bearer not-the-admin-key' }, 401, 'token.malformed'],
  ])('refuses %s', async (_what, headers, status, code) => {
    const res = await c.request('GET', '/v1/admin/accounts', undefined, headers as Record<string, string>);
    expect(res.statusCode).toBe(status);
    expect(res.json().code).toBe(code);
  });

  it('accepts a token with the admin role and refuses one without', async () => {
    await c.createUser('root', { roles: ['admin'] });
    await c.createUser('pleb');
    const asAdmin = await c.request('GET', '/v1/admin/accounts', undefined, {
      authorization: `Bearer ${await c.login('root')}`,
    });
    expect(asAdmin.statusCode).toBe(200);
    const asUser = await c.request('GET', '/v1/admin/accounts', undefined, {
      authorization: `Bearer ${await c.login('pleb')}`,
    });
    expect(asUser.statusCode).toBe(403);
  });

  it('bootstraps the first admin and service accounts from configuration, once', async () => {
    await t.app.close();
    const serviceKey = `hk_${'R'.repeat(16)}_${'s'.repeat(43)}`;
    t = await startAuthTestApp({
      AUTH_BOOTSTRAP_ADMIN_USERNAME: 'root',
      AUTH_BOOTSTRAP_ADMIN_PASSWORD: 'bootstrap password',
      AUTH_BOOTSTRAP_SERVICE_KEYS: `registry:${serviceKey}`,
    });
    c = client(t);
    const token = await c.login('root', 'bootstrap password');
    expect(
      (await c.request('GET', '/v1/admin/accounts', undefined, { authorization: `Bearer ${token}` }))
        .statusCode,
    ).toBe(200);
    await expect(c.serviceToken(serviceKey)).resolves.toMatch(/\./);
  });
});
