import { TokenRejection } from '@hoot/domain';
import { NEGATIVE_MATRIX, goodToken, type MatrixContext } from '@hoot/auth-kit/testing';
import { startAuthTestApp, type AuthTestApp } from '../testing/auth-test-app';
import { client } from '../testing/auth-test-client';

describe('POST /v1/introspect', () => {
  let t: AuthTestApp;
  let c: ReturnType<typeof client>;
  let serviceAuth: Record<string, string>;
  let counter = 0;

  beforeEach(async () => {
    t = await startAuthTestApp();
    c = client(t);
    const service = await c.createService('cash-1');
    serviceAuth = { authorization: `Bearer ${await c.serviceToken(service.apiKey)}` };
  });
  afterEach(() => t.app.close());

  const introspect = (token: string) => c.request('POST', '/v1/introspect', { token }, serviceAuth);

  async function matrixContext(): Promise<MatrixContext> {
    const account = await c.createUser(`matrix-${++counter}`);
    return {
      pair: t.signing,
      issuer: t.config.AUTH_ISSUER,
      audience: t.config.AUTH_AUDIENCE,
      subject: account.id,
      nowMs: t.clock.now(),
      revokeToken: async (jti, _exp) => {
        const res = await c.request('POST', '/v1/revocations', { sub: account.id, jti }, c.admin);
        expect(res.statusCode).toBe(201);
      },
      revokeSubject: async (sub, beforeMs) => {
        const res = await c.request(
          'POST',
          '/v1/revocations',
          { sub, before: new Date(beforeMs).toISOString() },
          c.admin,
        );
        expect(res.statusCode).toBe(201);
      },
    };
  }

  it('answers active with the claims and the account metadata stamped on', async () => {
    const account = await c.createUser('alice', {
      organisation: 'acme',
      plan: 'pro',
      limits: { maxConferences: 3, maxParticipants: 12 },
    });
    const res = await introspect(await c.login('alice'));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      active: true,
      claims: { sub: account.id, iss: t.config.AUTH_ISSUER },
      account: {
        id: account.id,
        username: 'alice',
        organisation: 'acme',
        plan: 'pro',
        limits: { maxConferences: 3, maxParticipants: 12 },
        disabled: false,
      },
    });
    expect(JSON.stringify(res.json())).not.toContain('passwordHash');
  });

  it('accepts a token built by the matrix helper (positive control)', async () => {
    const ctx = await matrixContext();
    expect((await introspect(goodToken(ctx))).json()).toMatchObject({ active: true });
  });

  describe('negative matrix', () => {
    it.each(NEGATIVE_MATRIX.map((m) => [m.name, m] as const))(
      'answers inactive for %s',
      async (_name, testCase) => {
        const ctx = await matrixContext();
        const res = await introspect(await testCase.token(ctx));
        expect(res.statusCode).toBe(200);
        expect(res.json()).toEqual({ active: false, reason: testCase.reason });
      },
    );

    it('answers inactive for a disabled account', async () => {
      const account = await c.createUser('mallory');
      const token = await c.login('mallory');
      // Flag only (the admin API also revokes the subject, which would answer `token.revoked` first).
      await t.accounts.setDisabled(account.id, true);
      expect((await introspect(token)).json()).toEqual({
        active: false,
        reason: TokenRejection.AccountDisabled,
      });
    });

    it('answers inactive once an account is disabled through the admin API', async () => {
      const account = await c.createUser('trudy');
      const token = await c.login('trudy');
      await c.request('POST', `/v1/admin/accounts/${account.id}/disable`, undefined, c.admin);
      expect((await introspect(token)).json().active).toBe(false);
      expect(t.publisher.events).toEqual([
        expect.objectContaining({ type: 'subject.revoked', sub: account.id }),
      ]);
    });
  });

  it('requires service credentials', async () => {
    await c.createUser('bob');
    const userToken = await c.login('bob');
    const none = await c.request('POST', '/v1/introspect', { token: userToken });
    expect(none.statusCode).toBe(401);
    expect(none.json().code).toBe('auth.unauthenticated');
    const asUser = await c.request(
      'POST',
      '/v1/introspect',
      { token: userToken },
      { authorization: `Bearer ${userToken}` },
    );
    expect(asUser.statusCode).toBe(401);
    expect(asUser.json().code).toBe('token.wrong-audience');
  });
});
