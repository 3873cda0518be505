import { decodeSegment, splitJwt, StaticKeySource, TokenVerifier, ticketIssuerOfKid } from '@hoot/auth-kit';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { FakeClock } from '@hoot/testing';
import { JoinTicketSigner, NoTicketKeyError } from './join-ticket-signer';

const REQUEST = {
  coremxId: 'coremx-1',
  subject: 'acc_bob',
  conferenceId: 'standup',
  displayName: 'Bob',
  role: 'viewer' as const,
  roomType: 'm2m' as const,
  ttlSeconds: 120,
  subjectToken: 'token-bob',
};

/** Auth as the signer sees it: records what was registered; `failing` refuses, `pending` holds answers. */
function fakeAuth() {
  const registered = new Map<string, KeyObject>();
  const auth = {
    registered,
    failing: 0,
    async register(key: { kid: string; publicJwk: { x: string } }) {
      if (auth.failing > 0) {
        auth.failing -= 1;
        throw new Error('auth unreachable');
      }
      registered.set(
        key.kid,
        createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.publicJwk.x } as never, format: 'jwk' }),
      );
      return { expiresAtMs: Date.now() + 86_400_000 };
    },
  };
  return auth;
}

function setUp(failing = 0) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const auth = fakeAuth();
  auth.failing = failing;
  const logs: string[] = [];
  const signer = new JoinTicketSigner({
    registryId: 'reg-c1-1',
    registrar: auth,
    clock,
    log: { info: (_d, m) => logs.push(m), warn: (_d, m) => logs.push(m) },
    rotateEveryMs: 60 * 60_000,
    activationDelayMs: 2_000,
    retryInitialMs: 1_000,
    retryMaxMs: 4_000,
  });
  const verifier = new TokenVerifier({
    algorithm: 'EdDSA',
    issuer: ticketIssuerOfKid,
    audiences: ['coremx:coremx-1'],
    keys: { getKey: async (kid) => new StaticKeySource(auth.registered).getKey(kid) },
    clock,
  });
  return { clock, auth, signer, verifier, logs };
}

/** Lets the registration promise chain settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('JoinTicketSigner (registry-signed join tickets)', () => {
  it('signs nothing before its key is registered and the activation delay passed', async () => {
    const { signer, clock } = setUp();
    await expect(signer.issue(REQUEST)).rejects.toBeInstanceOf(NoTicketKeyError);
    signer.start();
    await settle();
    expect(signer.ready()).toBe(false);
    await expect(signer.issue(REQUEST)).rejects.toBeInstanceOf(NoTicketKeyError);
    clock.advance(2_000);
    expect(signer.ready()).toBe(true);
    signer.stop();
  });

  it('signs EdDSA tickets with every claim CASH reads, verifiable with the registered key only', async () => {
    const { signer, clock, verifier, auth } = setUp();
    signer.start();
    await settle();
    clock.advance(2_000);
    const issued = await signer.issue(REQUEST);
    const header = splitJwt(issued.ticket).header;
    expect(header).toMatchObject({ alg: 'EdDSA', kid: signer.signingKid() });
    expect(auth.registered.has(header.kid as string)).toBe(true);
    const { claims } = await verifier.verify(issued.ticket);
    const iat = Math.floor(clock.now() / 1000);
    expect(claims).toEqual({
      iss: 'registry:reg-c1-1',
      aud: 'coremx:coremx-1',
      sub: 'acc_bob',
      jti: issued.ticketId,
      iat,
      exp: iat + 120,
      name: 'Bob',
      cid: 'standup',
      role: 'viewer',
      rtype: 'm2m',
    });
    expect(issued.expiresAt).toBe(new Date((iat + 120) * 1000).toISOString());
    // The user's access token never travels inside the ticket.
    expect(JSON.stringify(decodeSegment(issued.ticket.split('.')[1], 'payload'))).not.toContain('token-bob');
    const second = await signer.issue(REQUEST);
    expect(second.ticketId).not.toBe(issued.ticketId);
    signer.stop();
  });

  it('retries a failed registration with backoff, each time with a fresh key', async () => {
    const { signer, clock, auth, logs } = setUp(2);
    signer.start();
    await settle();
    expect(auth.registered.size).toBe(0);
    clock.advance(1_000);
    await settle();
    expect(auth.registered.size).toBe(0);
    clock.advance(2_000);
    await settle();
    expect(auth.registered.size).toBe(1);
    expect(logs.filter((m) => m.includes('retrying'))).toHaveLength(2);
    clock.advance(2_000);
    expect(signer.signingKid()).toBe([...auth.registered.keys()][0]);
    signer.stop();
  });

  it('rotates: the old key signs until the new one is usable, then the new one', async () => {
    const { signer, clock, auth, verifier } = setUp();
    signer.start();
    await settle();
    clock.advance(2_000);
    const first = signer.signingKid();
    clock.advance(60 * 60_000 - 2_000);
    await settle();
    expect(auth.registered.size).toBe(2);
    expect(signer.signingKid()).toBe(first);
    const old = await signer.issue(REQUEST);
    clock.advance(2_000);
    const rotated = signer.signingKid();
    expect(rotated).not.toBe(first);
    expect((await verifier.verify((await signer.issue(REQUEST)).ticket)).kid).toBe(rotated);
    // A ticket signed just before the switch still verifies.
    expect((await verifier.verify(old.ticket)).kid).toBe(first);
    signer.stop();
  });

  it('stops registering once stopped', async () => {
    const { signer, clock, auth } = setUp(1);
    signer.start();
    await settle();
    signer.stop();
    clock.advance(60_000);
    await settle();
    expect(auth.registered.size).toBe(0);
  });
});
