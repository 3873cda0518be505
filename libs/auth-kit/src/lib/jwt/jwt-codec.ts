import { createSign, sign as signBytes, type KeyObject } from 'node:crypto';
import { TokenRejection } from '@hoot/domain';
import type { JwtHeader } from './hoot-claims';
import { TokenRejectedError } from './token-rejected.error';

export interface DecodedJwt {
  header: JwtHeader;
  /** The raw payload segment (decoded only after the signature is checked). */
  payloadSegment: string;
  /** `header.payload`, the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}

const SEGMENT = /^[A-Za-z0-9_-]*$/;

const malformed = (why: string) =>
  new TokenRejectedError(TokenRejection.Malformed, `malformed token: ${why}`);

export function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeSegment(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw malformed(`${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

/** Splits a compact JWS and decodes its header. The payload is left alone until the signature is checked. */
export function splitJwt(token: string): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw malformed('expected three dot-separated segments');
  const [h, p, s] = parts;
  if (!h || !p || !SEGMENT.test(h) || !SEGMENT.test(p) || !SEGMENT.test(s))
    throw malformed('segments must be base64url');
  const header = decodeSegment(h, 'header') as JwtHeader;
  if (typeof header.alg !== 'string') throw malformed('header has no alg');
  return { header, payloadSegment: p, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
}

/** Signs claims as a compact RS256 JWS with `kid` in the header. */
export function signRs256(claims: Record<string, unknown>, privateKey: KeyObject, kid: string): string {
  const signingInput = `${encodeSegment({ alg: 'RS256', typ: 'JWT', kid })}.${encodeSegment(claims)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Signs claims as a compact EdDSA (Ed25519) JWS with `kid` in the header (registries' join tickets). */
export function signEdDsa(claims: Record<string, unknown>, privateKey: KeyObject, kid: string): string {
  const signingInput = `${encodeSegment({ alg: 'EdDSA', typ: 'JWT', kid })}.${encodeSegment(claims)}`;
  const signature = signBytes(null, Buffer.from(signingInput), privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}
