import { TokenRejection } from '@hoot/domain';
import { TokenRejectedError, decodeSegment, splitJwt } from '@hoot/auth-kit';
import { OPAQUE_ID_PATTERN } from '@hoot/events';
import { jwksVerifier, startAuthTestApp, type AuthTestApp } from '../testing/auth-test-app';
import { client } from '../testing/auth-test-client';

const PATH = '/internal/v1/join-tickets';
const REGISTRY = 'reg-eu-1';

describe('POST /internal/v1/join-tickets', () => {
  let t: AuthTestApp;
  let c: ReturnType<typeof client>;
  let registry: { id: string; apiKey: string };
  let registryAuth: Record<string, string>;

  beforeEach(async () => {
    t = await startAuthTestApp();
    c = client(t);
    registry = await c.createService(REGISTRY);
    registryAuth = { authorization: `Bearer ${await c.serviceToken(registry.apiKey)}` };
    // The joining user (`good.subject`): an enabled account with a fixed id.
    await t.accounts.create({
      id: 'acc_user-1',
      username: 'user-1',
      displayName: 'User One',
      kind: 'user',
      organisation: '',
      plan: 'standard',
      roles: [],
      limits: { maxConferences: 10, maxParticipants: 50 },
      disabled: false,
      createdAt: new Date(t.clock.now()).toISOString(),
    });
  });
  afterEach(() => t.app.close());

  const issue = (body: unknown, headers = registryAuth) => c.request('POST', PATH, body, headers);
  const good = { coremxId: 'cmx-1', subject: 'acc_user-1', conferenceId: 'standup-42' };

  /** The counter's value for one registry (0 before the first issuance). */
  async function issuedCount(registryId = REGISTRY): Promise<number> {
    const text = (await c.request('GET', '/metrics')).body;
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`auth_join_tickets_issued_total{registry="${registryId}"}`));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  it('signs a ticket that the CoreMX verifies with the JWKS, with every claim CASH reads', async () => {
    const res = await issue({
      ...good,
      displayName: 'Alice Example',
      role: 'publisher',
      roomType: 'a2m',
      ttlSeconds: 300,
    });
    expect(res.statusCode).toBe(201);
    const body = res.json() as { ticket: string; ticketId: string; expiresAt: string };
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'ticket', 'ticketId']);

    const { claims, kid } = await jwksVerifier(t, ['coremx:cmx-1']).verify(body.ticket);
    expect(kid).toBe('unit-k1');
    expect(splitJwt(body.ticket).header).toMatchObject({ alg: 'RS256', kid: 'unit-k1' });
    const iat = Math.floor(t.clock.now() / 1000);
    expect(claims).toEqual({
      iss: t.config.AUTH_ISSUER,
      aud: 'coremx:cmx-1',
      sub: 'acc_user-1',
      jti: body.ticketId,
      iat,
      exp: iat + 300,
      name: 'Alice Example',
      cid: 'standup-42',
      role: 'publisher',
      rtype: 'a2m',
    });
    expect(body.ticketId).toMatch(OPAQUE_ID_PATTERN);
    expect(body.expiresAt).toBe(new Date((iat + 300) * 1000).toISOString());
    expect(await issuedCount()).toBe(1);
  });

  it('is refused by another CoreMX and is no access token', async () => {
    const { ticket } = (await issue(good)).json() as { ticket: string };
    await expect(jwksVerifier(t, ['coremx:cmx-2']).verify(ticket)).rejects.toMatchObject({
      reason: TokenRejection.WrongAudience,
    });
    await expect(
      jwksVerifier(t, [t.config.AUTH_AUDIENCE, t.config.AUTH_INTERNAL_AUDIENCE]).verify(ticket),
    ).rejects.toBeInstanceOf(TokenRejectedError);
    const asCredential = await c.request(
      'POST',
      '/v1/introspect',
      { token: ticket },
      {
        authorization: `Bearer ${ticket}`,
      },
    );
    expect(asCredential.statusCode).toBe(401);
    expect(asCredential.json().code).toBe(TokenRejection.WrongAudience);
  });

  it('defaults to two minutes, an empty name and no role or room type; every ticket id is fresh', async () => {
    const first = (await issue(good)).json() as { ticket: string; ticketId: string; expiresAt: string };
    const second = (await issue(good)).json() as { ticketId: string };
    expect(second.ticketId).not.toBe(first.ticketId);
    const verifier = jwksVerifier(t, ['coremx:cmx-1']);
    const { claims } = await verifier.verify(first.ticket);
    expect(claims.exp - claims.iat).toBe(120);
    expect(claims.name).toBe('');
    expect(claims).not.toHaveProperty('role');
    expect(claims).not.toHaveProperty('rtype');
    expect(first.expiresAt).toBe(new Date(claims.exp * 1000).toISOString());
    // Past its lifetime (and the verifier's 30 s skew) the ticket is refused.
    t.clock.advance(150_000);
    await expect(verifier.verify(first.ticket)).rejects.toMatchObject({ reason: TokenRejection.Expired });
  });

  it.each([10, 600])('accepts a lifetime of %d s (the bounds)', async (ttlSeconds) => {
    const res = await issue({ ...good, ttlSeconds, displayName: 'x'.repeat(100), roomType: 'p2p' });
    expect(res.statusCode).toBe(201);
    const { claims } = await jwksVerifier(t, ['coremx:cmx-1']).verify(res.json().ticket);
    expect(claims.exp - claims.iat).toBe(ttlSeconds);
  });

  describe('who may ask', () => {
    it('refuses a request without credentials', async () => {
      const res = await issue(good, {});
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('auth.unauthenticated');
    });

    it('refuses a user token, even an admin one', async () => {
      await c.createUser('root', { roles: ['admin'] });
      const res = await issue(good, { authorization: `Bearer ${await c.login('root')}` });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().code).toBe(TokenRejection.WrongAudience);
    });

    it('refuses the admin API key', async () => {
      const res = await issue(good, c.admin);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe(TokenRejection.Malformed);
    });

    it.each(['cash-1', 'registry', 'reg-eu-0', 'reg-eu-1x'])(
      'refuses the service account %s (not a registry id) with 403 auth.forbidden',
      async (username) => {
        const service = await c.createService(username);
        const res = await issue(good, { authorization: `Bearer ${await c.serviceToken(service.apiKey)}` });
        expect(res.statusCode).toBe(403);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.json()).toMatchObject({ status: 403, code: 'auth.forbidden' });
        expect(await issuedCount(username)).toBe(0);
      },
    );

    it('refuses a registry whose account was disabled, at once', async () => {
      await c.request('POST', `/v1/admin/accounts/${registry.id}/disable`, undefined, c.admin);
      const res = await issue(good);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe(TokenRejection.AccountDisabled);
    });

    it('refuses a registry token revoked by jti', async () => {
      const token = registryAuth['authorization'].slice('Bearer '.length);
      const { jti } = decodeSegment(splitJwt(token).payloadSegment, 'payload') as { jti: string };
      const revoked = await c.request('POST', '/v1/revocations', { sub: registry.id, jti }, c.admin);
      expect(revoked.statusCode).toBe(201);
      const res = await issue(good);
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe(TokenRejection.Revoked);
    });
  });

  describe('the subject (issue 16: no ticket for a revoked or disabled subject)', () => {
    const jtiOf = (token: string) =>
      (decodeSegment(splitJwt(token).payloadSegment, 'payload') as { jti: string }).jti;

    /** A user who signs in; their token is what the registry passes as `subjectToken`. */
    async function signedInUser(username: string) {
      const account = await c.createUser(username);
      return { id: account.id, token: await c.login(username) };
    }

    const expectRefused = async (body: unknown, status: number, code: string) => {
      const before = await issuedCount();
      const res = await issue(body);
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ status, code });
      expect(res.body).not.toContain('"ticket"');
      expect(await issuedCount()).toBe(before);
    };

    it('signs for an enabled subject, with or without its token', async () => {
      const user = await signedInUser('gina');
      expect((await issue({ ...good, subject: user.id })).statusCode).toBe(201);
      expect((await issue({ ...good, subject: user.id, subjectToken: user.token })).statusCode).toBe(201);
    });

    it('refuses a disabled subject at once, with or without its token', async () => {
      const user = await signedInUser('hank');
      await c.request('POST', `/v1/admin/accounts/${user.id}/disable`, undefined, c.admin);
      await expectRefused({ ...good, subject: user.id }, 403, 'auth.subject-disabled');
      await expectRefused(
        { ...good, subject: user.id, subjectToken: user.token },
        403,
        'auth.subject-disabled',
      );
    });

    it('refuses an unknown subject', async () => {
      await expectRefused({ ...good, subject: 'acc_nobody' }, 403, 'auth.subject-disabled');
    });

    it("refuses a subject whose token was revoked by jti (the subject's newer token still works)", async () => {
      const user = await signedInUser('ivy');
      const revoked = await c.request(
        'POST',
        '/v1/revocations',
        { sub: user.id, jti: jtiOf(user.token) },
        c.admin,
      );
      expect(revoked.statusCode).toBe(201);
      await expectRefused(
        { ...good, subject: user.id, subjectToken: user.token },
        403,
        'auth.subject-revoked',
      );
      const fresh = await c.login('ivy');
      expect((await issue({ ...good, subject: user.id, subjectToken: fresh })).statusCode).toBe(201);
    });

    it('refuses a subject revoked as a whole (every token issued before), until it signs in again', async () => {
      const user = await signedInUser('jack');
      t.clock.advance(1_000);
      const revoked = await c.request('POST', '/v1/revocations', { sub: user.id }, c.admin);
      expect(revoked.statusCode).toBe(201);
      await expectRefused(
        { ...good, subject: user.id, subjectToken: user.token },
        403,
        'auth.subject-revoked',
      );
      t.clock.advance(1_000);
      const fresh = await c.login('jack');
      expect((await issue({ ...good, subject: user.id, subjectToken: fresh })).statusCode).toBe(201);
    });

    it("refuses another subject's token, an expired token and a join ticket as subjectToken", async () => {
      const user = await signedInUser('kate');
      const other = await signedInUser('liam');
      await expectRefused({ ...good, subject: user.id, subjectToken: other.token }, 400, 'request.invalid');
      await expectRefused(
        { ...good, subject: user.id, subjectToken: 'not.a.jwt' },
        403,
        'auth.subject-token-invalid',
      );
      const ticket = ((await issue({ ...good, subject: user.id })).json() as { ticket: string }).ticket;
      await expectRefused(
        { ...good, subject: user.id, subjectToken: ticket },
        403,
        'auth.subject-token-invalid',
      );
      t.clock.advance((t.config.AUTH_TOKEN_TTL_S + 60) * 1000);
      registryAuth = { authorization: `Bearer ${await c.serviceToken(registry.apiKey)}` };
      await expectRefused(
        { ...good, subject: user.id, subjectToken: user.token },
        403,
        'auth.subject-token-invalid',
      );
    });
  });

  describe('bad input', () => {
    const cases: [string, number, string, unknown][] = [
      ['missing coremxId', 400, 'request.invalid', { subject: 'acc_1', conferenceId: 'standup-42' }],
      ['bad coremxId', 400, 'request.invalid', { ...good, coremxId: 'CMX_1' }],
      ['missing subject', 400, 'request.invalid', { coremxId: 'cmx-1', conferenceId: 'standup-42' }],
      ['bad subject', 400, 'request.invalid', { ...good, subject: 'acc 1' }],
      ['bad conferenceId chars', 400, 'request.invalid', { ...good, conferenceId: 'Stand_Up!' }],
      ['short conferenceId', 400, 'request.invalid', { ...good, conferenceId: 'ab' }],
      ['unknown field', 400, 'request.invalid', { ...good, admin: true }],
      ['claim smuggled as a field', 400, 'request.invalid', { ...good, aud: 'hoot' }],
      ['ttl too short', 400, 'request.invalid', { ...good, ttlSeconds: 9 }],
      ['ttl too long', 400, 'request.invalid', { ...good, ttlSeconds: 601 }],
      ['ttl not an integer', 400, 'request.invalid', { ...good, ttlSeconds: 60.5 }],
      ['ttl as a string', 400, 'request.invalid', { ...good, ttlSeconds: '60' }],
      ['bad role', 400, 'request.invalid', { ...good, role: 'admin' }],
      ['null role', 400, 'request.invalid', { ...good, role: null }],
      ['bad roomType', 400, 'request.invalid', { ...good, roomType: 'mesh' }],
      ['displayName too long', 400, 'request.invalid', { ...good, displayName: 'x'.repeat(101) }],
      ['displayName with control chars', 400, 'request.invalid', { ...good, displayName: 'a\u0000b' }],
      ['empty displayName', 400, 'request.invalid', { ...good, displayName: '' }],
      ['null subjectToken', 400, 'request.invalid', { ...good, subjectToken: null }],
      ['subjectToken not a string', 400, 'request.invalid', { ...good, subjectToken: 42 }],
      ['empty subjectToken', 400, 'request.invalid', { ...good, subjectToken: '' }],
      ['subjectToken too long', 400, 'request.invalid', { ...good, subjectToken: 'x'.repeat(8 * 1024 + 1) }],
      ['JSON array', 400, 'request.invalid', '[]'],
      ['broken JSON', 400, 'request.malformed', '{"coremxId":'],
      ['huge body', 413, 'request.too-large', JSON.stringify({ ...good, padding: 'x'.repeat(70 * 1024) })],
    ];

    it.each(cases)('%s → %d %s, no ticket', async (_name, status, code, payload) => {
      const res = await issue(payload);
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ status, code });
      expect(res.body).not.toContain('"ticket"');
      expect(await issuedCount()).toBe(0);
    });

    it('names the offending fields', async () => {
      const res = await issue({ coremxId: 'cmx-1', conferenceId: 'x', ttlSeconds: 0, extra: 1 });
      expect(
        res
          .json()
          .fields.map((f: { field: string }) => f.field)
          .sort(),
      ).toEqual(['conferenceId', 'extra', 'subject', 'ttlSeconds']);
    });
  });
});
