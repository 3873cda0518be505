import { randomUUID } from 'node:crypto';
import { TokenRejection } from '@hoot/domain';
import { FakeClock } from '@hoot/testing';
import {
  NEGATIVE_MATRIX,
  goodToken,
  jwksOf,
  signTestToken,
  testKeyPair,
  type MatrixContext,
} from '../../testing';
import { JwksKeyCache } from '../keys/jwks-key-cache';
import { TokenRejectedError } from '../jwt/token-rejected.error';
import { RevocationSet } from '../revocation/revocation-set';
import { TokenVerifier } from './token-verifier';

const ISSUER = 'https://auth.test';
const AUDIENCE = 'hoot';

function setUp() {
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const pair = testKeyPair();
  const revocations = new RevocationSet();
  const keys = new JwksKeyCache({ fetchJwks: async () => jwksOf(pair), clock });
  const verifier = new TokenVerifier({ issuer: ISSUER, audiences: [AUDIENCE], keys, revocations, clock });
  const ctx: MatrixContext = {
    pair,
    issuer: ISSUER,
    audience: AUDIENCE,
    subject: `acc-${randomUUID()}`,
    nowMs: clock.now(),
    revokeToken: async (jti, exp) => revocations.revokeToken(jti, exp),
    revokeSubject: async (sub, before) => revocations.revokeSubject(sub, before),
  };
  return { clock, pair, revocations, keys, verifier, ctx };
}

async function rejection(promise: Promise<unknown>): Promise<TokenRejection | 'accepted'> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (error instanceof TokenRejectedError) return error.reason;
    throw error;
  }
}

describe('TokenVerifier', () => {
  it('accepts a good token and returns its claims and kid', async () => {
    const { verifier, ctx } = setUp();
    const verified = await verifier.verify(goodToken(ctx));
    expect(verified.kid).toBe(ctx.pair.kid);
    expect(verified.claims).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: ctx.subject });
  });

  describe('negative matrix', () => {
    it.each(NEGATIVE_MATRIX.map((c) => [c.name, c] as const))('rejects %s', async (_name, testCase) => {
      const { verifier, ctx } = setUp();
      const token = await testCase.token(ctx);
      await expect(rejection(verifier.verify(token))).resolves.toBe(testCase.reason);
    });
  });

  it('accepts an audience list that contains its audience', async () => {
    const { verifier, ctx } = setUp();
    await expect(verifier.verify(goodToken(ctx, { aud: ['other', AUDIENCE] }))).resolves.toBeDefined();
  });

  it('tolerates clock skew up to the bound, and no further', async () => {
    const { verifier, ctx, clock } = setUp();
    const exp = Math.floor(clock.now() / 1000) + 10;
    const token = goodToken(ctx, { exp });
    clock.advance(10_000 + 29_000);
    await expect(verifier.verify(token)).resolves.toBeDefined();
    clock.advance(1_000);
    await expect(rejection(verifier.verify(token))).resolves.toBe(TokenRejection.Expired);
  });

  it('rejects a token issued in the future beyond the skew', async () => {
    const { verifier, ctx } = setUp();
    const iat = Math.floor(ctx.nowMs / 1000) + 120;
    await expect(rejection(verifier.verify(goodToken(ctx, { iat, exp: iat + 60 })))).resolves.toBe(
      TokenRejection.NotYetValid,
    );
  });

  it('refuses a clock skew above the hard bound', () => {
    const { keys } = setUp();
    expect(
      () => new TokenVerifier({ issuer: ISSUER, audiences: [AUDIENCE], keys, clockSkewMs: 10 * 60_000 }),
    ).toThrow(RangeError);
  });

  it.each([
    ['two segments', 'a.b'],
    ['garbage', 'not-a-token'],
    ['a non-JSON header', 'bm90IGpzb24.e30.c2ln'],
    ['an empty string', ''],
  ])('rejects %s as malformed', async (_what, token) => {
    const { verifier } = setUp();
    await expect(rejection(verifier.verify(token))).resolves.toBe(TokenRejection.Malformed);
  });

  it('rejects a token without kid', async () => {
    const { verifier, ctx } = setUp();
    const [, p, s] = goodToken(ctx).split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
    await expect(rejection(verifier.verify(`${header}.${p}.${s}`))).resolves.toBe(TokenRejection.UnknownKey);
  });

  it('rejects a token missing required claims', async () => {
    const { verifier, ctx } = setUp();
    await expect(rejection(verifier.verify(goodToken(ctx, { jti: undefined })))).resolves.toBe(
      TokenRejection.Malformed,
    );
  });

  it('forgets a revoked jti only after the token expired', () => {
    const revocations = new RevocationSet();
    revocations.revokeToken('j1', 1_000);
    expect(revocations.isRevoked({ jti: 'j1', sub: 's', iat: 0 })).toBe(true);
    expect(revocations.prune(999)).toBe(0);
    expect(revocations.prune(1_001)).toBe(1);
    expect(revocations.isRevoked({ jti: 'j1', sub: 's', iat: 0 })).toBe(false);
  });

  it('keeps tokens issued after a subject revocation valid', async () => {
    const { verifier, ctx, revocations, clock } = setUp();
    revocations.revokeSubject(ctx.subject, clock.now() - 5_000);
    await expect(
      verifier.verify(signTestToken(ctx.pair, { issuer: ISSUER, subject: ctx.subject, nowMs: clock.now() })),
    ).resolves.toBeDefined();
  });
});
