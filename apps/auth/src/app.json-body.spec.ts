import { startAuthTestApp, type AuthTestApp } from './testing/auth-test-app';
import { client } from './testing/auth-test-client';

/**
 * JSON that parses but that we refuse (issue 16): another charset than UTF-8, deep nesting, a repeated
 * key. Each gets a 4xx problem+json with a stable code from the shared body parser, and nothing changes.
 */
describe('JSON bodies the parser refuses', () => {
  let t: AuthTestApp;
  let c: ReturnType<typeof client>;

  beforeAll(async () => {
    t = await startAuthTestApp();
    c = client(t);
  });
  afterAll(() => t.app.close());

  const state = () =>
    JSON.stringify({
      accounts: [...t.accounts.byId.values()],
      apiKeys: [...t.apiKeys.byId.values()],
      events: t.publisher.events,
    });
  const account = '"username":"mallory","displayName":"M","password":"long enough pw"';
  const deep = (levels: number) => `{${account},"limits":${'['.repeat(levels)}${']'.repeat(levels)}}`;

  it.each([
    [
      'charset=utf-16',
      `{${account}}`,
      'application/json; charset=utf-16',
      415,
      'request.unsupported-media-type',
    ],
    ['nesting 10,000 levels deep', deep(10_000), 'application/json', 400, 'request.malformed'],
    ['a repeated key', `{${account},"username":"admin"}`, 'application/json', 400, 'request.malformed'],
  ])(
    'create account with %s: refused, nothing created',
    async (_what, payload, contentType, status, code) => {
      const before = state();
      const res = await c.request('POST', '/v1/admin/accounts', payload, {
        ...c.admin,
        'content-type': contentType,
      });
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ status, code });
      expect(state()).toBe(before);
    },
  );

  it('signs in with deep JSON → 400, not 500', async () => {
    const res = await c.request(
      'POST',
      '/v1/tokens',
      `{"grant_type":"password","username":"a","password":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'request.malformed', reason: 'too-deep' });
  });
});
