import { startAuthTestApp, type AuthTestApp } from './testing/auth-test-app';
import { client } from './testing/auth-test-client';

/**
 * Bad input to every endpoint: missing fields, wrong types, unknown fields, huge bodies, broken JSON and
 * non-object bodies each get a 4xx problem+json with a stable code, and nothing changes.
 */
describe('bad input', () => {
  let t: AuthTestApp;
  let c: ReturnType<typeof client>;
  let accountId: string;
  let serviceAuth: Record<string, string>;

  beforeAll(async () => {
    t = await startAuthTestApp();
    c = client(t);
    accountId = (await c.createUser('alice')).id;
    const service = await c.createService('cash-1');
    serviceAuth = { authorization: `Bearer ${await c.serviceToken(service.apiKey)}` };
  });
  afterAll(() => t.app.close());

  const state = () =>
    JSON.stringify({
      accounts: [...t.accounts.byId.values()],
      apiKeys: [...t.apiKeys.byId.values()],
      revocations: [...t.revocations.records.values()],
      events: t.publisher.events,
    });

  const huge = JSON.stringify({ padding: 'x'.repeat(70 * 1024) });

  type Case = [
    string,
    'GET' | 'POST',
    string | (() => string),
    unknown,
    'admin' | 'service' | 'none',
    number,
    string,
  ];
  const cases: Case[] = [
    // POST /v1/tokens
    ['tokens: missing fields', 'POST', '/v1/tokens', {}, 'none', 400, 'request.invalid'],
    [
      'tokens: unknown grant',
      'POST',
      '/v1/tokens',
      { grant_type: 'client_credentials' },
      'none',
      400,
      'request.invalid',
    ],
    [
      'tokens: password missing',
      'POST',
      '/v1/tokens',
      { grant_type: 'password', username: 'alice' },
      'none',
      400,
      'request.invalid',
    ],
    [
      'tokens: wrong types',
      'POST',
      '/v1/tokens',
      { grant_type: 'password', username: 42, password: ['x'] },
      'none',
      400,
      'request.invalid',
    ],
    [
      'tokens: unknown field',
      'POST',
      '/v1/tokens',
      { grant_type: 'password', username: 'alice', password: 'p', admin: true },
      'none',
      400,
      'request.invalid',
    ],
    [
      'tokens: mixed grants',
      'POST',
      '/v1/tokens',
      { grant_type: 'password', username: 'alice', password: 'p', api_key: 'k' },
      'none',
      400,
      'request.invalid',
    ],
    ['tokens: huge body', 'POST', '/v1/tokens', huge, 'none', 413, 'request.too-large'],
    ['tokens: broken JSON', 'POST', '/v1/tokens', '{"grant_type":', 'none', 400, 'request.malformed'],
    ['tokens: JSON array', 'POST', '/v1/tokens', '[]', 'none', 400, 'request.invalid'],
    // POST /v1/introspect
    ['introspect: missing token', 'POST', '/v1/introspect', {}, 'service', 400, 'request.invalid'],
    ['introspect: wrong type', 'POST', '/v1/introspect', { token: 12 }, 'service', 400, 'request.invalid'],
    [
      'introspect: unknown field',
      'POST',
      '/v1/introspect',
      { token: 'a.b.c', verbose: true },
      'service',
      400,
      'request.invalid',
    ],
    ['introspect: huge body', 'POST', '/v1/introspect', huge, 'service', 413, 'request.too-large'],
    ['introspect: broken JSON', 'POST', '/v1/introspect', '{', 'service', 400, 'request.malformed'],
    // POST /v1/revocations
    ['revocations: missing sub', 'POST', '/v1/revocations', { jti: 'j' }, 'admin', 400, 'request.invalid'],
    [
      'revocations: wrong types',
      'POST',
      '/v1/revocations',
      { sub: 1, jti: false },
      'admin',
      400,
      'request.invalid',
    ],
    [
      'revocations: bad time',
      'POST',
      '/v1/revocations',
      () => JSON.stringify({ sub: accountId, before: 'yesterday' }),
      'admin',
      400,
      'request.invalid',
    ],
    [
      'revocations: jti with before',
      'POST',
      '/v1/revocations',
      () => JSON.stringify({ sub: accountId, jti: 'j', before: '2026-01-01T00:00:00Z' }),
      'admin',
      400,
      'request.invalid',
    ],
    [
      'revocations: unknown field',
      'POST',
      '/v1/revocations',
      () => JSON.stringify({ sub: accountId, everything: true }),
      'admin',
      400,
      'request.invalid',
    ],
    ['revocations: huge body', 'POST', '/v1/revocations', huge, 'admin', 413, 'request.too-large'],
    // `null` where a string (or object) is required: refused, not stored as null or as a default.
    ...(['jti', 'before'] as const).map((field): Case => [
      `revocations: ${field} null`,
      'POST',
      '/v1/revocations',
      { sub: 'acc_x', [field]: null },
      'admin',
      400,
      'request.invalid',
    ]),
    ...(['organisation', 'plan', 'kind', 'password', 'roles', 'limits'] as const).map((field): Case => [
      `create account: ${field} null`,
      'POST',
      '/v1/admin/accounts',
      { username: 'newbie', displayName: 'x', password: 'long enough pw', [field]: null },
      'admin',
      400,
      'request.invalid',
    ]),
    [
      'create account: organisation not a string',
      'POST',
      '/v1/admin/accounts',
      { username: 'newbie', displayName: 'x', password: 'long enough pw', organisation: 42 },
      'admin',
      400,
      'request.invalid',
    ],
    // POST /v1/admin/accounts
    [
      'create account: missing fields',
      'POST',
      '/v1/admin/accounts',
      { username: 'newbie' },
      'admin',
      400,
      'request.invalid',
    ],
    [
      'create account: bad username',
      'POST',
      '/v1/admin/accounts',
      { username: 'Not Valid!', displayName: 'x', password: 'long enough pw' },
      'admin',
      400,
      'request.invalid',
    ],
    [
      'create account: short password',
      'POST',
      '/v1/admin/accounts',
      { username: 'newbie', displayName: 'x', password: 'short' },
      'admin',
      400,
      'request.invalid',
    ],
    [
      'create account: user without password',
      'POST',
      '/v1/admin/accounts',
      { username: 'newbie', displayName: 'x' },
      'admin',
      400,
      'request.invalid',
    ],
    [
      'create account: service with password',
      'POST',
      '/v1/admin/accounts',
      { username: 'svc', displayName: 'x', kind: 'service', password: 'long enough pw' },
      'admin',
      400,
      'request.invalid',
    ],
    [
      'create account: wrong limit types',
      'POST',
      '/v1/admin/accounts',
      {
        username: 'newbie',
        displayName: 'x',
        password: 'long enough pw',
        limits: { maxConferences: 'many', maxParticipants: 5 },
      },
      'admin',
      400,
      'request.invalid',
    ],
    [
      'create account: unknown field',
      'POST',
      '/v1/admin/accounts',
      { username: 'newbie', displayName: 'x', password: 'long enough pw', passwordHash: 'scrypt$…' },
      'admin',
      400,
      'request.invalid',
    ],
    ['create account: huge body', 'POST', '/v1/admin/accounts', huge, 'admin', 413, 'request.too-large'],
    [
      'create account: not JSON',
      'POST',
      '/v1/admin/accounts',
      'username=newbie',
      'admin',
      400,
      'request.malformed',
    ],
    // GET /v1/admin/accounts
    [
      'list accounts: bad limit',
      'GET',
      '/v1/admin/accounts?limit=lots',
      undefined,
      'admin',
      400,
      'request.invalid',
    ],
    [
      'list accounts: limit too large',
      'GET',
      '/v1/admin/accounts?limit=100000',
      undefined,
      'admin',
      400,
      'request.invalid',
    ],
    [
      'list accounts: unknown parameter',
      'GET',
      '/v1/admin/accounts?sort=desc',
      undefined,
      'admin',
      400,
      'request.invalid',
    ],
    // account id routes
    ['get account: bad id', 'GET', '/v1/admin/accounts/..%2Fetc', undefined, 'admin', 400, 'request.invalid'],
    [
      'disable account: bad id',
      'POST',
      '/v1/admin/accounts/%24where/disable',
      undefined,
      'admin',
      400,
      'request.invalid',
    ],
    [
      'enable account: huge body',
      'POST',
      () => `/v1/admin/accounts/${accountId}/enable`,
      huge,
      'admin',
      413,
      'request.too-large',
    ],
    // POST /v1/admin/accounts/:id/api-keys
    [
      'api key: missing name',
      'POST',
      () => `/v1/admin/accounts/${accountId}/api-keys`,
      {},
      'admin',
      400,
      'request.invalid',
    ],
    [
      'api key: wrong type',
      'POST',
      () => `/v1/admin/accounts/${accountId}/api-keys`,
      { name: { $ne: 1 } },
      'admin',
      400,
      'request.invalid',
    ],
    [
      'api key: unknown field',
      'POST',
      () => `/v1/admin/accounts/${accountId}/api-keys`,
      { name: 'k', secret: 'mine' },
      'admin',
      400,
      'request.invalid',
    ],
    [
      'api key: bad account id',
      'POST',
      '/v1/admin/accounts/nope/api-keys',
      { name: 'k' },
      'admin',
      400,
      'request.invalid',
    ],
    // POST /v1/admin/keys/reload
    ['reload keys: huge body', 'POST', '/v1/admin/keys/reload', huge, 'admin', 413, 'request.too-large'],
    // unknown routes and media types
    ['unknown route', 'GET', '/v1/nowhere', undefined, 'none', 404, 'route.not-found'],
  ];

  it.each(cases)('%s → %d %s, nothing changed', async (_name, method, url, payload, who, status, code) => {
    const before = state();
    const headers = who === 'admin' ? c.admin : who === 'service' ? serviceAuth : {};
    const body = typeof payload === 'function' ? (payload as () => string)() : payload;
    const res = await c.request(method, typeof url === 'function' ? url() : url, body, headers);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status, code, type: `https://hoot.mx/problems/${code}` });
    expect(typeof res.json().title).toBe('string');
    expect(typeof res.json().detail).toBe('string');
    expect(state()).toBe(before);
  });

  it('names the offending fields', async () => {
    const res = await c.request(
      'POST',
      '/v1/admin/accounts',
      { username: 5, displayName: 'x', password: 'long enough pw', extra: 1 },
      c.admin,
    );
    expect(
      res
        .json()
        .fields.map((f: { field: string }) => f.field)
        .sort(),
    ).toEqual(['extra', 'username']);
  });

  it('refuses a body that is not JSON with 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/tokens',
      headers: { 'content-type': 'application/xml' },
      payload: '<grant/>',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('request.unsupported-media-type');
  });
});
