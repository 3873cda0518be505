import type { KeyObject } from 'node:crypto';

/** Where a verifier finds the public key for a `kid`. */
export interface VerificationKeySource {
  /** The key, or undefined when no such key exists. Throws `KeysUnavailableError` when it cannot tell. */
  getKey(kid: string): Promise<KeyObject | undefined>;
}

/** A JSON Web Key Set as served at `/.well-known/jwks.json`. */
export interface Jwks {
  keys: Jwk[];
}

export interface Jwk {
  kty: string;
  kid?: string;
  use?: string;
  alg?: string;
  n?: string;
  e?: string;
  [field: string]: unknown;
}
