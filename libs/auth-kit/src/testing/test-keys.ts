import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { signRs256 } from '../lib/jwt/jwt-codec';
import type { Jwks } from '../lib/keys/verification-key-source';

export interface TestKeyPair {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public key as PEM (for algorithm-confusion tests: HS256 keyed with it). */
  publicPem: string;
}

const cache = new Map<string, TestKeyPair>();

/** A 2048-bit RSA key pair, generated once per name per process (generation is slow). */
export function testKeyPair(kid = 'test-key-1'): TestKeyPair {
  let pair = cache.get(kid);
  if (!pair) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    pair = {
      kid,
      privateKey: createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })),
      publicKey: createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })),
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    cache.set(kid, pair);
  }
  return pair;
}

export function jwksOf(...pairs: TestKeyPair[]): Jwks {
  return {
    keys: pairs.map((p) => ({
      ...(p.publicKey.export({ format: 'jwk' }) as { kty: string }),
      kid: p.kid,
      use: 'sig',
      alg: 'RS256',
    })),
  };
}

export interface TestTokenOptions {
  issuer?: string;
  audience?: string | string[];
  subject?: string;
  ttlSeconds?: number;
  nowMs?: number;
  claims?: Record<string, unknown>;
}

/** Signs a well-formed hoot token (override anything through `claims`). */
export function signTestToken(pair: TestKeyPair, options: TestTokenOptions = {}): string {
  const iat = Math.floor((options.nowMs ?? Date.now()) / 1000);
  return signRs256(
    {
      iss: options.issuer ?? 'https://auth.test',
      aud: options.audience ?? 'hoot',
      sub: options.subject ?? 'acc-1',
      jti: randomUUID(),
      iat,
      exp: iat + (options.ttlSeconds ?? 3600),
      name: 'Test User',
      username: 'test',
      kind: 'user',
      roles: [],
      ...options.claims,
    },
    pair.privateKey,
    pair.kid,
  );
}
