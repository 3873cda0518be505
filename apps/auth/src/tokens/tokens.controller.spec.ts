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

  describe('nobody can lock the owner out (per identity+address limit, identity back-off)', () => {
    const OWNER = '198.51.100.10';
    const signIn = (password: string, address: string, username = 'dave') =>
      c.request('POST', '/v1/tokens', { grant_type: 'password', username, password }, {}, address);

    beforeEach(async () => {
      await c.createUser('dave');
      // The owner has signed in from their usual address before.
      const first = await signIn('correct horse battery', OWNER);
      if (first.statusCode !== 200) throw new Error(`owner sign-in: ${first.statusCode}`);
    });

    it('five wrong passwords stop that address for that identity, not the owner at theirs', async () => {
      for (let i = 0; i < 5; i++) expect((await signIn(`guess ${i}`, '203.0.113.66')).statusCode).toBe(401);
      const limited = await signIn('correct horse battery', '203.0.113.66');
      expect(limited.statusCode).toBe(429);
      expect(limited.headers['content-type']).toContain('application/problem+json');
      expect(limited.json()).toMatchObject({ code: 'auth.rate-limited' });
      expect(Number(limited.headers['retry-after'])).toBe(300);
      expect((await signIn('correct horse battery', OWNER)).statusCode).toBe(200);
    });

    it('an attacker rotating addresses is slowed, the owner at their address still signs in', async () => {
      for (let i = 0; i < 5; i++) expect((await signIn(`guess ${i}`, `203.0.113.${i}`)).statusCode).toBe(401);
      const slowed = await signIn('guess 5', '203.0.113.5');
      expect(slowed.statusCode).toBe(429);
      expect(slowed.json()).toMatchObject({ code: 'auth.rate-limited' });
      expect(Number(slowed.headers['retry-after'])).toBe(1);
      expect((await signIn('correct horse battery', OWNER)).statusCode).toBe(200);
    });

    it('the owner at a new address waits at most the back-off cap, never a lock', async () => {
      // A persistent attacker: twenty failed guesses, each as soon as the back-off lets it through.
      let failures = 0;
      while (failures < 20) {
        const res = await signIn(`guess ${failures}`, `203.0.113.${failures}`);
        if (res.statusCode === 401) failures++;
        else t.clock.advance(Number(res.headers['retry-after']) * 1000);
      }
      const waited = await signIn('correct horse battery', '192.0.2.200');
      expect(waited.statusCode).toBe(429);
      const retryAfter = Number(waited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      t.clock.advance(retryAfter * 1000);
      expect((await signIn('correct horse battery', '192.0.2.200')).statusCode).toBe(200);
    });
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

  describe('which client address counts (X-Forwarded-For only from TRUSTED_PROXIES)', () => {
    const PEER = '192.0.2.7';
    const VICTIM = '198.51.100.9';
    const PROXY = '172.16.4.2';
    const attempt = (username: string, password: string, peer: string, forwardedFor?: string) =>
      c.request(
        'POST',
        '/v1/tokens',
        { grant_type: 'password', username, password },
        forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
        peer,
      );

    beforeEach(async () => {
      await t.app.close();
      t = await startAuthTestApp({ TRUSTED_PROXIES: '172.16.0.0/12, 10.99.0.1' });
      c = client(t);
      await c.createUser('erin');
    });

    it('rotating X-Forwarded-For from an untrusted peer neither bypasses the limit nor uses up the victim', async () => {
      for (let i = 0; i < 20; i++) {
        const res = await attempt(`user-${i}`, 'wrong password', PEER, `203.0.113.${i}, ${VICTIM}`);
        expect(res.statusCode).toBe(401);
      }
      const limited = await attempt('user-x', 'wrong password', PEER, '203.0.113.250');
      expect(limited.statusCode).toBe(429);
      expect(limited.json()).toMatchObject({ code: 'auth.rate-limited' });
      // The address the attacker wrote in the header was never charged.
      expect((await attempt('erin', 'correct horse battery', VICTIM)).statusCode).toBe(200);
    });

    it('spoofing the victim in X-Forwarded-For does not lock the victim out of their account', async () => {
      for (let i = 0; i < 5; i++) {
        expect((await attempt('erin', `guess ${i}`, PEER, VICTIM)).statusCode).toBe(401);
      }
      expect((await attempt('erin', 'correct horse battery', PEER, VICTIM)).statusCode).toBe(429);
      // The victim's first sign-in from this address: the identity back-off (1 s after five failures) is all
      // that applies, never the 5-minute refusal the attacker's address got.
      const first = await attempt('erin', 'correct horse battery', VICTIM);
      expect(first.statusCode).toBe(429);
      expect(first.headers['retry-after']).toBe('1');
      t.clock.advance(1_000);
      expect((await attempt('erin', 'correct horse battery', VICTIM)).statusCode).toBe(200);
    });

    it("believes a trusted proxy's X-Forwarded-For: each forwarded client has its own budget", async () => {
      for (let i = 0; i < 20; i++) {
        expect((await attempt(`user-${i}`, 'wrong password', PROXY, PEER)).statusCode).toBe(401);
      }
      expect((await attempt('erin', 'correct horse battery', PROXY, PEER)).statusCode).toBe(429);
      // Another client behind the same proxy is not affected.
      expect((await attempt('erin', 'correct horse battery', PROXY, VICTIM)).statusCode).toBe(200);
      // Nor is one behind a proxy given by its single address.
      expect((await attempt('erin', 'correct horse battery', '10.99.0.1', '198.51.100.77')).statusCode).toBe(
        200,
      );
    });

    it('with no TRUSTED_PROXIES (the default) no header is believed', async () => {
      await t.app.close();
      t = await startAuthTestApp();
      c = client(t);
      await c.createUser('erin');
      for (let i = 0; i < 20; i++) {
        expect((await attempt(`user-${i}`, 'wrong password', PROXY, `203.0.113.${i}`)).statusCode).toBe(401);
      }
      expect((await attempt('erin', 'correct horse battery', PROXY, VICTIM)).statusCode).toBe(429);
    });
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
