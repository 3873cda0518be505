import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TokenRejection } from '@hoot/domain';
import { splitJwt } from '@hoot/auth-kit';
import { testKeyPair } from '@hoot/auth-kit/testing';
import { jwksVerifier, startAuthTestApp, type AuthTestApp } from '../testing/auth-test-app';
import { client } from '../testing/auth-test-client';

describe('POST /v1/tokens', () => {
  let t: AuthTestApp;
  let c: ReturnType<typeof client>;

  beforeEach(async () => {
    t = await startAuthTestApp();
    c = client(t);
  });
  afterEach(() => t.app.close());

  it('issues an 8-hour RS256 token for a password grant, verifiable through the JWKS alone', async () => {
    const account = await c.createUser('alice', { organisation: 'acme', roles: ['member'] });
    const res = await c.request('POST', '/v1/tokens', {
      grant_type: 'password',
      username: 'alice',
      password: 'correct horse battery',
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 8 * 3600 });
    expect(splitJwt(body.access_token).header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'unit-k1' });
    const { claims } = await jwksVerifier(t).verify(body.access_token);
    expect(claims).toMatchObject({
      iss: t.config.AUTH_ISSUER,
      aud: 'hoot',
      sub: account.id,
      name: 'User alice',
      roles: ['member'],
    });
    expect(claims.exp - claims.iat).toBe(8 * 3600);
    expect(claims.iat * 1000).toBe(t.clock.now());
    expect(typeof claims.jti).toBe('string');
  });

  it('issues a short service token for an API-key grant, for the internal audience', async () => {
    const service = await c.createService('registry');
    const res = await c.request('POST', '/v1/tokens', { grant_type: 'api_key', api_key: service.apiKey });
    expect(res.statusCode).toBe(200);
    expect(res.json().expires_in).toBe(15 * 60);
    const { claims } = await jwksVerifier(t, ['hoot-internal']).verify(res.json().access_token);
    expect(claims).toMatchObject({
      aud: 'hoot-internal',
      sub: service.id,
      kind: 'service',
      roles: ['service'],
    });
  });

  it.each([
    ['a wrong password', { grant_type: 'password', username: 'bob', password: 'wrong password!' }],
    ['an unknown user', { grant_type: 'password', username: 'nobody', password: 'correct horse battery' }],
    ['an unknown API key', { grant_type: 'api_key', api_key: `hk_${'A'.repeat(16)}_${'b'.repeat(43)}` }],
    ['a malformed API key', { grant_type: 'api_key', api_key: 'not-a-key' }],
  ])('answers %s with the generic invalid-credentials error', async (_what, body) => {
    await c.createUser('bob');
    const res = await c.request('POST', '/v1/tokens', body);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'auth.invalid-credentials', detail: 'invalid credentials' });
  });

  it('refuses a disabled account with the same generic error', async () => {
    const account = await c.createUser('carol');
    await c.request('POST', `/v1/admin/accounts/${account.id}/disable`, undefined, c.admin);
    const res = await c.request('POST', '/v1/tokens', {
      grant_type: 'password',
      username: 'carol',
      password: 'correct horse battery',
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('auth.invalid-credentials');
  });

  it('rate-limits failures per identity with 429 and Retry-After, even from many addresses', async () => {
    await c.createUser('dave');
    for (let i = 0; i < 5; i++) {
      expect(
        (
          await c.request('POST', '/v1/tokens', {
            grant_type: 'password',
            username: 'dave',
            password: `guess number ${i}`,
          })
        ).statusCode,
      ).toBe(401);
    }
    const limited = await c.request('POST', '/v1/tokens', {
      grant_type: 'password',
      username: 'dave',
      password: 'correct horse battery',
    });
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ code: 'auth.rate-limited' });
    expect(Number(limited.headers['retry-after'])).toBe(300);
    t.clock.advance(300_000);
    expect(
      (
        await c.request('POST', '/v1/tokens', {
          grant_type: 'password',
          username: 'dave',
          password: 'correct horse battery',
        })
      ).statusCode,
    ).toBe(200);
  });

  it('rate-limits attempts per client address', async () => {
    await c.createUser('erin');
    const attempt = () =>
      c.request(
        'POST',
        '/v1/tokens',
        { grant_type: 'password', username: 'erin', password: 'correct horse battery' },
        {},
        '192.0.2.7',
      );
    for (let i = 0; i < 20; i++) expect((await attempt()).statusCode).toBe(200);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(
      (
        await c.request(
          'POST',
          '/v1/tokens',
          { grant_type: 'password', username: 'erin', password: 'correct horse battery' },
          {},
          '192.0.2.8',
        )
      ).statusCode,
    ).toBe(200);
  });

  it('signs with a key added to the directory after its activation delay, and keeps old tokens valid', async () => {
    await t.app.close();
    t = await startAuthTestApp({ AUTH_KEY_ACTIVATION_DELAY_MS: '60000' });
    c = client(t);
    await c.createUser('frank');
    const verifier = jwksVerifier(t);
    const before = await c.login('frank');
    writeFileSync(
      join(t.keysDir, 'unit-k2.pem'),
      testKeyPair('unit-k2').privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    const reload = await c.request('POST', '/v1/admin/keys/reload', undefined, c.admin);
    expect(reload.json()).toMatchObject({ added: ['unit-k2'], signing: 'unit-k1' });
    const jwks = (await c.request('GET', '/.well-known/jwks.json')).json();
    expect(jwks.keys.map((k: { kid: string }) => k.kid).sort()).toEqual(['unit-k1', 'unit-k2']);
    t.clock.advance(60_000);
    const after = await c.login('frank');
    expect(splitJwt(after).header.kid).toBe('unit-k2');
    await expect(verifier.verify(before)).resolves.toBeDefined();
    t.clock.advance(10_000);
    await expect(verifier.verify(after)).resolves.toBeDefined();
    expect(TokenRejection.UnknownKey).toBe('token.unknown-key');
  });
});
