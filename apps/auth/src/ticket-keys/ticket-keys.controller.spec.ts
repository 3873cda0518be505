import { newTicketSigningKey, parseJwks, signEdDsa, TokenVerifier, StaticKeySource } from '@hoot/auth-kit';
import { startAuthTestApp, type AuthTestApp } from '../testing/auth-test-app';
import { client } from '../testing/auth-test-client';

const PATH = '/internal/v1/ticket-keys';
const JWKS = '/.well-known/join-ticket-keys.json';

describe('registries’ join-ticket keys (POST /internal/v1/ticket-keys, GET /.well-known/join-ticket-keys.json)', () => {
  let t: AuthTestApp;
  let c: ReturnType<typeof client>;
  let registry: { id: string; apiKey: string };
  let asRegistry: Record<string, string>;

  beforeEach(async () => {
    t = await startAuthTestApp();
    c = client(t);
    registry = await c.createService('reg-c1-1');
    asRegistry = { authorization: `Bearer ${await c.serviceToken(registry.apiKey)}` };
  });
  afterEach(() => t.app.close());

  const register = (key: ReturnType<typeof newTicketSigningKey>, headers = asRegistry) =>
    c.request('POST', PATH, { kid: key.kid, publicKey: key.publicJwk }, headers);
  const published = async () => {
    const res = await c.request('GET', JWKS);
    expect(res.statusCode).toBe(200);
    return res.json() as { keys: Record<string, unknown>[] };
  };

  it('publishes a registered key; a ticket signed with it verifies against the published set', async () => {
    const key = newTicketSigningKey('reg-c1-1');
    const res = await register(key);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      kid: key.kid,
      expiresAt: new Date(t.clock.now() + 24 * 60 * 60_000).toISOString(),
    });
    const set = await published();
    expect(set.keys).toEqual([{ ...key.publicJwk, kid: key.kid, use: 'sig', alg: 'EdDSA' }]);
    const verifier = new TokenVerifier({
      algorithm: 'EdDSA',
      issuer: 'registry:reg-c1-1',
      audiences: ['coremx:mx-1'],
      keys: new StaticKeySource(parseJwks(set, undefined, 'EdDSA')),
      clock: t.clock,
    });
    const iat = Math.floor(t.clock.now() / 1000);
    const ticket = signEdDsa(
      { iss: 'registry:reg-c1-1', aud: 'coremx:mx-1', sub: 'acc_b', jti: 'j1', iat, exp: iat + 60, name: '' },
      key.privateKey,
      key.kid,
    );
    expect((await verifier.verify(ticket)).kid).toBe(key.kid);
    // The access-token JWKS never lists ticket keys: a registry key cannot mint access tokens.
    const access = (await c.request('GET', '/.well-known/jwks.json')).json() as { keys: { kid: string }[] };
    expect(access.keys.map((k) => k.kid)).toEqual(['unit-k1']);
  });

  it('refuses callers that are not registries: no token, a user token, another service account', async () => {
    const key = newTicketSigningKey('reg-c1-1');
    expect((await register(key, {})).statusCode).toBe(401);
    await c.createUser('mallory');
    const user = { authorization: `Bearer ${await c.login('mallory')}` };
    expect((await register(key, user)).statusCode).toBe(401);
    const cash = await c.createService('cash-mx-1');
    const asCash = { authorization: `Bearer ${await c.serviceToken(cash.apiKey)}` };
    const refused = await register(key, asCash);
    expect([refused.statusCode, refused.json().code]).toEqual([403, 'auth.forbidden']);
    expect((await published()).keys).toEqual([]);
  });

  it("a registry cannot register a key for another registry's id, nor reuse a kid", async () => {
    const other = newTicketSigningKey('reg-c2-1');
    const res = await register(other);
    expect([res.statusCode, res.json().code]).toEqual([400, 'request.invalid']);
    expect(JSON.stringify(res.json())).toContain('kid');
    const key = newTicketSigningKey('reg-c1-1');
    expect((await register(key)).statusCode).toBe(201);
    const replay = await c.request(
      'POST',
      PATH,
      { kid: key.kid, publicKey: newTicketSigningKey('reg-c1-1').publicJwk },
      asRegistry,
    );
    expect([replay.statusCode, replay.json().code]).toEqual([409, 'auth.ticket-key-exists']);
    expect((await published()).keys.map((k) => k.x)).toEqual([key.publicJwk.x]);
  });

  it.each([
    ['no body', undefined],
    ['an RSA key', { kty: 'RSA', n: 'AQAB', e: 'AQAB' }],
    ['X25519', { kty: 'OKP', crv: 'X25519', x: 'A'.repeat(43) }],
    ['a short x', { kty: 'OKP', crv: 'Ed25519', x: 'AAAA' }],
    ['a private part', { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43), d: 'A'.repeat(43) }],
    ['a string', 'key'],
  ])('answers 400 request.invalid to %s and stores nothing', async (_what, publicKey) => {
    const kid = newTicketSigningKey('reg-c1-1').kid;
    const res = await c.request(
      'POST',
      PATH,
      publicKey === undefined ? { kid } : { kid, publicKey },
      asRegistry,
    );
    expect([res.statusCode, res.json().code]).toEqual([400, 'request.invalid']);
    expect(t.ticketKeys.records.size).toBe(0);
  });

  it('answers 400 to a malformed kid', async () => {
    const key = newTicketSigningKey('reg-c1-1');
    for (const kid of ['reg-c1-1', 'reg-c1-1.x', `reg-c1-1.${'a'.repeat(44)}`, '../etc.aaaaaaaaaaaaaaaa']) {
      const res = await c.request('POST', PATH, { kid, publicKey: key.publicJwk }, asRegistry);
      expect([kid, res.statusCode]).toEqual([kid, 400]);
    }
    expect(t.ticketKeys.records.size).toBe(0);
  });

  it("withdraws a registry's keys when its account is disabled, and forgets expired keys", async () => {
    const key = newTicketSigningKey('reg-c1-1');
    await register(key);
    const other = await c.createService('reg-c2-1');
    const otherKey = newTicketSigningKey('reg-c2-1');
    await register(otherKey, { authorization: `Bearer ${await c.serviceToken(other.apiKey)}` });
    expect((await published()).keys.map((k) => k.kid).sort()).toEqual([key.kid, otherKey.kid].sort());
    await c.request('POST', `/v1/admin/accounts/${registry.id}/disable`, undefined, c.admin);
    expect((await published()).keys.map((k) => k.kid)).toEqual([otherKey.kid]);
    t.clock.advance(24 * 60 * 60_000);
    expect((await published()).keys).toEqual([]);
  });

  it('keeps at most 16 live keys per registry, dropping the oldest', async () => {
    const keys = [];
    for (let i = 0; i < 18; i++) {
      const key = newTicketSigningKey('reg-c1-1');
      keys.push(key);
      expect((await register(key)).statusCode).toBe(201);
      t.clock.advance(1_000);
    }
    const kids = (await published()).keys.map((k) => k.kid);
    expect(kids).toHaveLength(16);
    expect(kids).not.toContain(keys[0].kid);
    expect(kids).not.toContain(keys[1].kid);
    expect(kids).toContain(keys[17].kid);
  });
});
