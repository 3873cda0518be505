import { createHmac, randomUUID } from 'node:crypto';
import { TokenRejection } from '@hoot/domain';
import { encodeSegment, signRs256 } from '../lib/jwt/jwt-codec';
import { testKeyPair, type TestKeyPair } from './test-keys';

/** What a negative-matrix case needs to know about the verifier under test. */
export interface MatrixContext {
  /** A key the verifier trusts. */
  pair: TestKeyPair;
  issuer: string;
  audience: string;
  /** An existing, enabled subject (account id). */
  subject: string;
  /** The verifier's current time. */
  nowMs: number;
  /** Revokes a token id in the verifier under test (directly, through the topic, or through the auth API). */
  revokeToken(jti: string, expiresAtMs: number): Promise<void>;
  /** Revokes everything `subject` was issued before `beforeMs`. */
  revokeSubject(subject: string, beforeMs: number): Promise<void>;
}

export interface NegativeCase {
  name: string;
  reason: TokenRejection;
  token(ctx: MatrixContext): Promise<string>;
}

/** The claims of a token the verifier would accept. */
export function goodClaims(
  ctx: MatrixContext,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const iat = Math.floor(ctx.nowMs / 1000) - 60;
  return {
    iss: ctx.issuer,
    aud: ctx.audience,
    sub: ctx.subject,
    jti: randomUUID(),
    iat,
    exp: iat + 8 * 3600,
    name: 'Matrix User',
    kind: 'user',
    roles: [],
    ...overrides,
  };
}

export const goodToken = (ctx: MatrixContext, overrides: Record<string, unknown> = {}) =>
  signRs256(goodClaims(ctx, overrides), ctx.pair.privateKey, ctx.pair.kid);

const flipLastChar = (segment: string) =>
  segment.slice(0, -2) + (segment.at(-2) === 'A' ? 'B' : 'A') + segment.at(-1);

/**
 * The negative matrix of issue 3: every verifier (auth-kit's local verifier, the auth service's
 * introspection) must refuse each of these with the given reason. Disabled accounts are
 * introspection-only and tested there.
 */
export const NEGATIVE_MATRIX: NegativeCase[] = [
  {
    name: 'alg none',
    reason: TokenRejection.AlgorithmNotAllowed,
    token: async (ctx) =>
      `${encodeSegment({ alg: 'none', typ: 'JWT', kid: ctx.pair.kid })}.${encodeSegment(goodClaims(ctx))}.`,
  },
  {
    name: 'HS256 signed with the public key (algorithm confusion)',
    reason: TokenRejection.AlgorithmNotAllowed,
    token: async (ctx) => {
      const input = `${encodeSegment({ alg: 'HS256', typ: 'JWT', kid: ctx.pair.kid })}.${encodeSegment(goodClaims(ctx))}`;
      return `${input}.${createHmac('sha256', ctx.pair.publicPem).update(input).digest('base64url')}`;
    },
  },
  {
    name: 'wrong issuer',
    reason: TokenRejection.WrongIssuer,
    token: async (ctx) => goodToken(ctx, { iss: 'https://evil.example' }),
  },
  {
    name: 'wrong audience',
    reason: TokenRejection.WrongAudience,
    token: async (ctx) => goodToken(ctx, { aud: 'some-other-service' }),
  },
  {
    name: 'expired',
    reason: TokenRejection.Expired,
    token: async (ctx) => {
      const iat = Math.floor(ctx.nowMs / 1000) - 9 * 3600;
      return goodToken(ctx, { iat, exp: iat + 8 * 3600 });
    },
  },
  {
    name: 'nbf in the future',
    reason: TokenRejection.NotYetValid,
    token: async (ctx) => goodToken(ctx, { nbf: Math.floor(ctx.nowMs / 1000) + 3600 }),
  },
  {
    name: 'unknown kid',
    reason: TokenRejection.UnknownKey,
    token: async (ctx) => {
      const stranger = testKeyPair('stranger-key');
      return signRs256(goodClaims(ctx), stranger.privateKey, 'unknown-kid');
    },
  },
  {
    name: 'tampered payload',
    reason: TokenRejection.BadSignature,
    token: async (ctx) => {
      const [h, , s] = goodToken(ctx).split('.');
      return `${h}.${encodeSegment(goodClaims(ctx, { roles: ['admin'] }))}.${s}`;
    },
  },
  {
    name: 'tampered signature',
    reason: TokenRejection.BadSignature,
    token: async (ctx) => {
      const [h, p, s] = goodToken(ctx).split('.');
      return `${h}.${p}.${flipLastChar(s)}`;
    },
  },
  {
    name: 'oversized token',
    reason: TokenRejection.TooLarge,
    token: async (ctx) => goodToken(ctx, { padding: 'x'.repeat(16 * 1024) }),
  },
  {
    name: 'revoked jti',
    reason: TokenRejection.Revoked,
    token: async (ctx) => {
      const claims = goodClaims(ctx);
      await ctx.revokeToken(claims['jti'] as string, (claims['exp'] as number) * 1000);
      return signRs256(claims, ctx.pair.privateKey, ctx.pair.kid);
    },
  },
  {
    name: 'subject revoked after issue',
    reason: TokenRejection.Revoked,
    token: async (ctx) => {
      const token = goodToken(ctx);
      await ctx.revokeSubject(ctx.subject, ctx.nowMs);
      return token;
    },
  },
];
