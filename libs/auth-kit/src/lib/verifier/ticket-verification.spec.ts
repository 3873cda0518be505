import { generateKeyPairSync } from 'node:crypto';
import { TokenRejection } from '@hoot/domain';
import { FakeClock } from '@hoot/testing';
import { jwksOf, signTestToken, testKeyPair } from '../../testing';
import {
  TICKET_KEY_ID,
  newTicketSigningKey,
  registryTicketIssuer,
  ticketIssuerOfKid,
  ticketKeyRegistry,
} from '../join-tickets/ticket-keys';
import { encodeSegment, signEdDsa, signRs256 } from '../jwt/jwt-codec';
import { TokenRejectedError } from '../jwt/token-rejected.error';
import { JwksKeyCache, parseJwks } from '../keys/jwks-key-cache';
import { RevocationSet } from '../revocation/revocation-set';
import { TokenVerifier, verifierByAlgorithm } from './token-verifier';

const AUTH_ISSUER = 'https://auth.test';
const AUD = 'coremx:mx-1';

/** What a registry's ticket key set looks like at auth's `/.well-known/join-ticket-keys.json`. */
const ticketJwks = (...keys: ReturnType<typeof newTicketSigningKey>[]) => ({
  keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid, use: 'sig', alg: 'EdDSA' })),
});

function setUp() {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const reg1 = newTicketSigningKey('reg-c1-1');
  const reg2 = newTicketSigningKey('reg-c2-1');
  const auth = testKeyPair('auth-k1');
  const revocations = new RevocationSet();
  let published = ticketJwks(reg1, reg2);
  const ticketKeys = new JwksKeyCache({
    fetchJwks: async () => published as never,
    algorithm: 'EdDSA',
    refetchCooldownMs: 1_000,
    clock,
  });
  const eddsa = new TokenVerifier({
    algorithm: 'EdDSA',
    issuer: ticketIssuerOfKid,
    audiences: [AUD],
    keys: ticketKeys,
    revocations,
    clock,
  });
  const rs256 = new TokenVerifier({
    issuer: AUTH_ISSUER,
    audiences: [AUD],
    keys: new JwksKeyCache({ fetchJwks: async () => jwksOf(auth), clock }),
    revocations,
    clock,
  });
  const tickets = verifierByAlgorithm([rs256, eddsa]);
  const iat = Math.floor(clock.now() / 1000);
  const claims = (over: Record<string, unknown> = {}) => ({
    iss: registryTicketIssuer('reg-c1-1'),
    aud: AUD,
    sub: 'acc_bob',
    jti: 'ticket-1',
    iat,
    exp: iat + 120,
    name: 'Bob',
    cid: 'standup',
    ...over,
  });
  return {
    clock,
    reg1,
    reg2,
    auth,
    revocations,
    tickets,
    claims,
    publish: (...keys: ReturnType<typeof newTicketSigningKey>[]) => (published = ticketJwks(...keys)),
  };
}

async function outcome(promise: Promise<unknown>): Promise<TokenRejection | 'accepted'> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (error instanceof TokenRejectedError) return error.reason;
    throw error;
  }
}

describe('join tickets signed by registries (EdDSA) next to auth (RS256)', () => {
  it("accepts a registry's ticket signed with its registered key, and auth's own RS256 ticket", async () => {
    const { tickets, reg1, auth, claims } = setUp();
    const verified = await tickets.verify(signEdDsa(claims(), reg1.privateKey, reg1.kid));
    expect(verified).toMatchObject({ kid: reg1.kid, claims: { sub: 'acc_bob', cid: 'standup' } });
    const byAuth = signTestToken(auth, {
      issuer: AUTH_ISSUER,
      audience: AUD,
      subject: 'acc_bob',
      claims: { jti: 't-2', name: 'Bob', cid: 'standup' },
      nowMs: Date.UTC(2026, 0, 1, 12),
    });
    expect((await tickets.verify(byAuth)).kid).toBe('auth-k1');
  });

  it('a key signs only as its own registry: another registry id in iss is refused', async () => {
    const { tickets, reg1, claims } = setUp();
    const forged = signEdDsa(claims({ iss: registryTicketIssuer('reg-c2-1') }), reg1.privateKey, reg1.kid);
    expect(await outcome(tickets.verify(forged))).toBe(TokenRejection.WrongIssuer);
    const asAuth = signEdDsa(claims({ iss: AUTH_ISSUER }), reg1.privateKey, reg1.kid);
    expect(await outcome(tickets.verify(asAuth))).toBe(TokenRejection.WrongIssuer);
  });

  it('refuses a key nobody registered, a kid pointing at another key, and a tampered payload', async () => {
    const { tickets, reg1, reg2, claims } = setUp();
    const stranger = newTicketSigningKey('reg-c1-1');
    expect(await outcome(tickets.verify(signEdDsa(claims(), stranger.privateKey, stranger.kid)))).toBe(
      TokenRejection.UnknownKey,
    );
    // Signed by reg2's key but naming reg1's kid.
    expect(await outcome(tickets.verify(signEdDsa(claims(), reg2.privateKey, reg1.kid)))).toBe(
      TokenRejection.BadSignature,
    );
    const good = signEdDsa(claims(), reg1.privateKey, reg1.kid).split('.');
    const tampered = [good[0], encodeSegment(claims({ cid: 'other' })), good[2]].join('.');
    expect(await outcome(tickets.verify(tampered))).toBe(TokenRejection.BadSignature);
  });

  it('no algorithm confusion: RS256 with a ticket kid, EdDSA with an auth kid, none and HS256 are refused', async () => {
    const { tickets, reg1, auth, claims } = setUp();
    // An RSA signature under a registry's kid goes to the RS256 verifier, which has no such key.
    expect(await outcome(tickets.verify(signRs256(claims(), auth.privateKey, reg1.kid)))).toBe(
      TokenRejection.UnknownKey,
    );
    // An Ed25519 signature under auth's kid goes to the EdDSA verifier, which only knows ticket keys.
    const ed = generateKeyPairSync('ed25519');
    expect(await outcome(tickets.verify(signEdDsa(claims(), ed.privateKey, 'auth-k1')))).toBe(
      TokenRejection.UnknownKey,
    );
    for (const alg of ['none', 'HS256', 'ES256']) {
      const forged = `${encodeSegment({ alg, kid: reg1.kid })}.${encodeSegment(claims())}.c2ln`;
      expect(await outcome(tickets.verify(forged))).toBe(TokenRejection.AlgorithmNotAllowed);
    }
    expect(await outcome(tickets.verify('x'.repeat(20_000)))).toBe(TokenRejection.TooLarge);
    expect(await outcome(tickets.verify('not.a.jwt!'))).toBe(TokenRejection.Malformed);
  });

  it('expiry, audience and revocations hold for registry tickets as for any token', async () => {
    const { tickets, reg1, claims, clock, revocations } = setUp();
    const ticket = signEdDsa(claims(), reg1.privateKey, reg1.kid);
    expect(
      await outcome(tickets.verify(signEdDsa(claims({ aud: 'coremx:mx-2' }), reg1.privateKey, reg1.kid))),
    ).toBe(TokenRejection.WrongAudience);
    revocations.revokeSubject('acc_bob', clock.now() + 1_000);
    expect(await outcome(tickets.verify(ticket))).toBe(TokenRejection.Revoked);
    const fresh = setUp();
    fresh.clock.advance(10 * 60_000);
    expect(
      await outcome(fresh.tickets.verify(signEdDsa(fresh.claims(), fresh.reg1.privateKey, fresh.reg1.kid))),
    ).toBe(TokenRejection.Expired);
  });

  it('a key withdrawn from the set stops verifying once the set is refetched', async () => {
    const { tickets, reg1, reg2, claims, clock, publish } = setUp();
    const ticket = signEdDsa(claims(), reg1.privateKey, reg1.kid);
    expect(await outcome(tickets.verify(ticket))).toBe('accepted');
    publish(reg2);
    clock.advance(5 * 60_000 + 1);
    // The stale set refreshes in the background; the next verification sees the key gone.
    await outcome(tickets.verify(ticket));
    const later = signEdDsa(
      claims({ iat: Math.floor(clock.now() / 1000), exp: Math.floor(clock.now() / 1000) + 60 }),
      reg1.privateKey,
      reg1.kid,
    );
    expect(await outcome(tickets.verify(later))).toBe(TokenRejection.UnknownKey);
  });
});

describe('ticket key ids and JWKS parsing', () => {
  it('kids name their registry; anything else has no registry and no issuer', () => {
    const key = newTicketSigningKey('reg-c1-1');
    expect(TICKET_KEY_ID.test(key.kid)).toBe(true);
    expect(ticketKeyRegistry(key.kid)).toBe('reg-c1-1');
    expect(ticketIssuerOfKid(key.kid)).toBe('registry:reg-c1-1');
    for (const kid of ['reg-c1-1', 'reg-c1-1.short', '.abcdefghijklmnopq', 'REG.abcdefghijklmnopq', 'a.b.c'])
      expect(ticketIssuerOfKid(kid)).toBeUndefined();
  });

  it('an EdDSA set keeps only Ed25519 signing keys; an RS256 set ignores them', () => {
    const key = newTicketSigningKey('reg-c1-1');
    const rsa = testKeyPair('rsa-1');
    const set = {
      keys: [
        { ...key.publicJwk, kid: key.kid, alg: 'EdDSA', use: 'sig' },
        { ...key.publicJwk, kid: 'enc', use: 'enc' },
        { kty: 'OKP', crv: 'X25519', x: key.publicJwk.x, kid: 'x25519' },
        { kty: 'OKP', crv: 'Ed25519', x: 'short', kid: 'short' },
        { kty: 'OKP', crv: 'Ed25519', x: key.publicJwk.x, kid: 'rs', alg: 'RS256' },
        ...jwksOf(rsa).keys,
      ],
    };
    const skipped: string[] = [];
    expect([...parseJwks(set, (why) => skipped.push(why), 'EdDSA').keys()]).toEqual([key.kid]);
    expect(skipped).toHaveLength(5);
    expect([...parseJwks(set, undefined, 'RS256').keys()]).toEqual(['rsa-1']);
  });
});
