import { randomUUID } from 'node:crypto';
import { TokenRejection } from '@hoot/domain';
import { startAuthTestApp, type AuthTestApp } from '../testing/auth-test-app';
import { client } from '../testing/auth-test-client';

const PATH = '/internal/v1/accounts/resolve';
const REGISTRY = 'reg-eu-1';

describe('POST /internal/v1/accounts/resolve', () => {
  let t: AuthTestApp;
  let c: ReturnType<typeof client>;
  let registryAuth: Record<string, string>;
  let bob: { id: string };
  let carol: { id: string };

  beforeEach(async () => {
    t = await startAuthTestApp();
    c = client(t);
    const registry = await c.createService(REGISTRY);
    registryAuth = { authorization: `Bearer ${await c.serviceToken(registry.apiKey)}` };
    bob = await c.createUser('bob', { displayName: 'Bob Builder' });
    carol = await c.createUser('carol');
  });
  afterEach(() => t.app.close());

  const resolve = (body: unknown, headers = registryAuth) => c.request('POST', PATH, body, headers);

  it('resolves usernames and account ids of users, echoing each name as asked', async () => {
    const res = await resolve({ names: ['bob', carol.id] });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      accounts: [
        { name: 'bob', id: bob.id, username: 'bob', displayName: 'Bob Builder' },
        { name: carol.id, id: carol.id, username: 'carol', displayName: 'User carol' },
      ],
      unknown: [],
    });
    expect(bob.id).toMatch(/^acc_[0-9a-f-]{36}$/);
  });

  it('reports missing, disabled and service accounts as unknown, in the order asked', async () => {
    const dave = await c.createUser('dave');
    const disabled = await c.request('POST', `/v1/admin/accounts/${dave.id}/disable`, undefined, c.admin);
    expect(disabled.statusCode).toBe(200);
    const cash = await c.createService('cash-1');
    const missingId = `acc_${randomUUID()}`;

    const res = await resolve({
      names: ['nobody', 'dave', 'bob', dave.id, 'cash-1', cash.id, REGISTRY, missingId],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      accounts: [{ name: 'bob', id: bob.id, username: 'bob', displayName: 'Bob Builder' }],
      unknown: ['nobody', 'dave', dave.id, 'cash-1', cash.id, REGISTRY, missingId],
    });
  });

  it('answers a repeated name once, and a person named both ways under each name', async () => {
    const res = await resolve({ names: ['bob', 'ghost', 'bob', bob.id, 'ghost'] });
    expect(res.json()).toEqual({
      accounts: [
        { name: 'bob', id: bob.id, username: 'bob', displayName: 'Bob Builder' },
        { name: bob.id, id: bob.id, username: 'bob', displayName: 'Bob Builder' },
      ],
      unknown: ['ghost'],
    });
  });

  it('takes a name shaped like an account id as an id, never as a username', async () => {
    const lookalike = `acc_${randomUUID()}`;
    await c.createUser(lookalike);
    const res = await resolve({ names: [lookalike] });
    expect(res.json()).toEqual({ accounts: [], unknown: [lookalike] });
  });

  it('makes one store query for all the usernames and one for all the ids', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, (_, i) => c.createUser(`user-${i}`)));
    t.accounts.calls.clear();
    const names = [
      ...users.map((u) => u.id),
      ...Array.from({ length: 500 }, (_, i) => `missing-${i}`),
      ...users.map((_, i) => `user-${i}`),
      ...Array.from({ length: 460 }, () => `acc_${randomUUID()}`),
    ];
    expect(names).toHaveLength(1000);

    const res = await resolve({ names });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { accounts: unknown[]; unknown: string[] };
    expect(body.accounts).toHaveLength(40);
    expect(body.unknown).toHaveLength(960);
    // findById once: the RegistryGuard's check of the caller's own account.
    expect(Object.fromEntries(t.accounts.calls)).toEqual({ findById: 1, findByIds: 1, findByUsernames: 1 });
  });

  it('does not query ids when only usernames are asked (and the reverse)', async () => {
    t.accounts.calls.clear();
    await resolve({ names: ['bob'] });
    expect(t.accounts.calls.has('findByIds')).toBe(false);
    t.accounts.calls.clear();
    await resolve({ names: [bob.id] });
    expect(t.accounts.calls.has('findByUsernames')).toBe(false);
  });

  describe('who may ask', () => {
    it('refuses a request without credentials', async () => {
      const res = await resolve({ names: ['bob'] }, {});
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('auth.unauthenticated');
    });

    it('refuses a user token, even an admin one', async () => {
      await c.createUser('root', { roles: ['admin'] });
      const res = await resolve({ names: ['bob'] }, { authorization: `Bearer ${await c.login('root')}` });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe(TokenRejection.WrongAudience);
      expect(res.body).not.toContain(bob.id);
    });

    it('refuses the admin API key', async () => {
      const res = await resolve({ names: ['bob'] }, c.admin);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe(TokenRejection.Malformed);
    });

    it.each(['cash-1', 'registry', 'reg-eu-0'])(
      'refuses the service account %s (not a registry id) with 403 auth.forbidden',
      async (username) => {
        const service = await c.createService(username);
        t.accounts.calls.clear();
        const res = await resolve(
          { names: ['bob'] },
          { authorization: `Bearer ${await c.serviceToken(service.apiKey)}` },
        );
        expect(res.statusCode).toBe(403);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json()).toMatchObject({ status: 403, code: 'auth.forbidden' });
        expect(res.body).not.toContain(bob.id);
        expect(t.accounts.calls.has('findByUsernames')).toBe(false);
      },
    );

    it('refuses a registry whose account was disabled, at once', async () => {
      const registry = await t.accounts.findByUsername(REGISTRY);
      await c.request('POST', `/v1/admin/accounts/${registry!.id}/disable`, undefined, c.admin);
      const res = await resolve({ names: ['bob'] });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe(TokenRejection.AccountDisabled);
    });
  });

  describe('bad input', () => {
    const tooMany = Array.from({ length: 1001 }, (_, i) => `user-${i}`);
    const cases: [string, number, string, unknown][] = [
      ['empty list', 400, 'request.invalid', { names: [] }],
      ['1001 names', 400, 'request.invalid', { names: tooMany }],
      ['bad name chars', 400, 'request.invalid', { names: ['bob', 'b@d name'] }],
      ['upper-case username', 400, 'request.invalid', { names: ['Bob'] }],
      ['name too short', 400, 'request.invalid', { names: ['bo'] }],
      ['name too long', 400, 'request.invalid', { names: ['b'.repeat(65)] }],
      ['malformed account id', 400, 'request.invalid', { names: ['acc_not-a-uuid!'] }],
      ['number as a name', 400, 'request.invalid', { names: ['bob', 42] }],
      ['null as a name', 400, 'request.invalid', { names: [null] }],
      ['names not a list', 400, 'request.invalid', { names: 'bob' }],
      ['missing names', 400, 'request.invalid', {}],
      ['unknown field', 400, 'request.invalid', { names: ['bob'], includeDisabled: true }],
      ['JSON array', 400, 'request.invalid', '["bob"]'],
      ['broken JSON', 400, 'request.malformed', '{"names":['],
      [
        'huge body',
        413,
        'request.too-large',
        JSON.stringify({ names: ['bob'], padding: 'x'.repeat(70 * 1024) }),
      ],
    ];

    it.each(cases)('%s → %d %s, nothing looked up', async (_name, status, code, payload) => {
      t.accounts.calls.clear();
      const res = await resolve(payload);
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ status, code });
      expect(res.body).not.toContain(bob.id);
      expect(t.accounts.calls.has('findByUsernames')).toBe(false);
      expect(t.accounts.calls.has('findByIds')).toBe(false);
    });

    it('names the offending fields', async () => {
      const res = await resolve({ names: ['B@D'], extra: 1 });
      expect(
        res
          .json()
          .fields.map((f: { field: string }) => f.field)
          .sort(),
      ).toEqual(['extra', 'names']);
    });
  });
});
