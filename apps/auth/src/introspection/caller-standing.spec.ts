import { decodeSegment, splitJwt } from '@hoot/auth-kit';
import { startAuthTestApp, type AuthTestApp } from '../testing/auth-test-app';
import { client } from '../testing/auth-test-client';
import { CALLER_CHECK_TTL_MS } from './caller-standing.service';

const jtiOf = (token: string) =>
  (decodeSegment(splitJwt(token).payloadSegment, 'payload') as { jti: string }).jti;

/**
 * Auth's own endpoints honour revocation and disabled accounts for the caller's token within
 * `CALLER_CHECK_TTL_MS` (500 ms), not at the token's expiry (issue 16, item 1).
 */
describe("the caller's token on auth's own endpoints", () => {
  let t: AuthTestApp;
  let c: ReturnType<typeof client>;

  beforeEach(async () => {
    t = await startAuthTestApp();
    c = client(t);
  });
  afterEach(() => t.app.close());

  it('stays within one second', () => {
    expect(CALLER_CHECK_TTL_MS).toBeLessThan(1_000);
  });

  it('a registry token revoked by jti is refused once the short check cache lapses', async () => {
    const registry = await c.createService('reg-eu-1');
    const token = await c.serviceToken(registry.apiKey);
    const auth = { authorization: `Bearer ${token}` };
    const ticket = { coremxId: 'cmx-1', subject: (await c.createUser('ann')).id, conferenceId: 'standup-1' };
    expect((await c.request('POST', '/internal/v1/join-tickets', ticket, auth)).statusCode).toBe(201);
    const revoked = await c.request(
      'POST',
      '/v1/revocations',
      { sub: registry.id, jti: jtiOf(token) },
      c.admin,
    );
    expect(revoked.statusCode).toBe(201);
    t.clock.advance(CALLER_CHECK_TTL_MS);
    for (const [path, body] of [
      ['/internal/v1/join-tickets', ticket],
      ['/internal/v1/accounts/resolve', { names: ['ann'] }],
    ] as const) {
      const res = await c.request('POST', path, body, auth);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('token.revoked');
    }
  });

  it('a service whose account was disabled can no longer introspect', async () => {
    const service = await c.createService('cash-1');
    const auth = { authorization: `Bearer ${await c.serviceToken(service.apiKey)}` };
    expect((await c.request('POST', '/v1/introspect', { token: 'x.y.z' }, auth)).statusCode).toBe(200);
    await c.request('POST', `/v1/admin/accounts/${service.id}/disable`, undefined, c.admin);
    t.clock.advance(CALLER_CHECK_TTL_MS);
    const res = await c.request('POST', '/v1/introspect', { token: 'x.y.z' }, auth);
    expect(res.statusCode).toBe(401);
    expect(['token.account-disabled', 'token.revoked']).toContain(res.json().code);
  });

  it("an admin user's token revoked as a whole subject loses the admin API", async () => {
    const root = await c.createUser('root', { roles: ['admin'] });
    const auth = { authorization: `Bearer ${await c.login('root')}` };
    expect((await c.request('GET', '/v1/admin/accounts', undefined, auth)).statusCode).toBe(200);
    t.clock.advance(1_000);
    expect((await c.request('POST', '/v1/revocations', { sub: root.id }, c.admin)).statusCode).toBe(201);
    t.clock.advance(CALLER_CHECK_TTL_MS);
    const res = await c.request('GET', '/v1/admin/accounts', undefined, auth);
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('token.revoked');
    // A new sign-in works again.
    t.clock.advance(1_000);
    const fresh = { authorization: `Bearer ${await c.login('root')}` };
    expect((await c.request('GET', '/v1/admin/accounts', undefined, fresh)).statusCode).toBe(200);
  });
});
