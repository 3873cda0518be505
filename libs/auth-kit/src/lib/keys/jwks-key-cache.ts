import { createPublicKey, type KeyObject } from 'node:crypto';
import { systemClock, type Clock } from '@hoot/domain';
import { KeysUnavailableError } from '../jwt/token-rejected.error';
import type { TokenAlgorithm } from '../verifier/token-verifier';
import type { Jwk, Jwks, VerificationKeySource } from './verification-key-source';

/** Defaults, with why. */
export const JWKS_CACHE_DEFAULTS = {
  /**
   * Least time between two fetches caused by unknown `kid`s: bounds what a stream of forged kids can cost
   * the auth service. Keep it below the auth service's key activation delay (`AUTH_KEY_ACTIVATION_DELAY_MS`),
   * so a verifier always sees a new key before the first token it signed.
   */
  refetchCooldownMs: 10_000,
  /** Refresh in the background once the set is this old, so retired keys disappear. */
  maxAgeMs: 5 * 60_000,
  /** Smallest RSA modulus accepted. */
  minModulusBits: 2048,
} as const;

export interface JwksKeyCacheOptions {
  fetchJwks: () => Promise<Jwks>;
  clock?: Clock;
  refetchCooldownMs?: number;
  maxAgeMs?: number;
  /** Which keys of the set to use (the verifier's pinned algorithm); default RS256. */
  algorithm?: TokenAlgorithm;
  /** Told about keys skipped as unusable and about failed background refreshes. */
  onWarning?: (message: string, error?: unknown) => void;
}

/**
 * Turns JWKS entries into verification keys of one algorithm — RS256 (the default: RSA keys of at least
 * 2048 bits) or EdDSA (OKP Ed25519 keys) — and skips anything else (other types, `use: enc`, small keys).
 */
export function parseJwks(
  jwks: unknown,
  onSkip?: (why: string) => void,
  algorithm: TokenAlgorithm = 'RS256',
): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const list = (jwks as Jwks | undefined)?.keys;
  if (!Array.isArray(list)) throw new Error('JWKS has no keys array');
  for (const jwk of list as Jwk[]) {
    if (!jwk || typeof jwk !== 'object' || typeof jwk.kid !== 'string' || !jwk.kid) {
      onSkip?.('a key without kid');
      continue;
    }
    if (
      jwk.kty !== (algorithm === 'RS256' ? 'RSA' : 'OKP') ||
      (jwk.use !== undefined && jwk.use !== 'sig') ||
      (jwk.alg !== undefined && jwk.alg !== algorithm)
    ) {
      onSkip?.(`key ${jwk.kid}: not an ${algorithm} signing key`);
      continue;
    }
    if (algorithm === 'EdDSA') {
      const key = ed25519KeyOf(jwk);
      if (key) keys.set(jwk.kid, key);
      else onSkip?.(`key ${jwk.kid}: not a valid Ed25519 public key`);
      continue;
    }
    try {
      const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e } as never, format: 'jwk' });
      const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < JWKS_CACHE_DEFAULTS.minModulusBits) {
        onSkip?.(`key ${jwk.kid}: ${bits}-bit modulus is too small`);
        continue;
      }
      keys.set(jwk.kid, key);
    } catch {
      onSkip?.(`key ${jwk.kid}: not a valid RSA public key`);
    }
  }
  return keys;
}

/** An OKP JWK's Ed25519 public key (exactly 32 bytes of `x`), or undefined. */
export function ed25519KeyOf(jwk: { [field: string]: unknown }): KeyObject | undefined {
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(jwk.x))
    return undefined;
  if (Buffer.from(jwk.x, 'base64url').length !== 32) return undefined;
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x } as never, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/**
 * Public keys from a JWKS endpoint, cached. An unknown `kid` triggers a refetch (new keys appear during
 * rotation), at most once per cooldown; a stale set is refreshed in the background; concurrent callers
 * share one fetch. If the endpoint fails and no keys are known, verification fails with
 * `KeysUnavailableError` rather than rejecting tokens as forged.
 */
export class JwksKeyCache implements VerificationKeySource {
  private keys: Map<string, KeyObject> | undefined;
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | undefined;
  private readonly clock: Clock;
  private readonly cooldownMs: number;
  private readonly maxAgeMs: number;
  /** Number of fetches made (for tests and metrics). */
  fetches = 0;

  constructor(private readonly options: JwksKeyCacheOptions) {
    this.clock = options.clock ?? systemClock;
    this.cooldownMs = options.refetchCooldownMs ?? JWKS_CACHE_DEFAULTS.refetchCooldownMs;
    this.maxAgeMs = options.maxAgeMs ?? JWKS_CACHE_DEFAULTS.maxAgeMs;
  }

  async getKey(kid: string): Promise<KeyObject | undefined> {
    if (!this.keys) {
      await this.refresh();
    } else if (this.clock.now() - this.fetchedAt >= this.maxAgeMs) {
      this.refresh().catch((error) => this.options.onWarning?.('background JWKS refresh failed', error));
    }
    const known = this.keys?.get(kid);
    if (known) return known;
    if (this.clock.now() - this.lastAttemptAt < this.cooldownMs) return undefined;
    await this.refresh();
    return this.keys?.get(kid);
  }

  /** Fetches the key set now (shared with concurrent callers). */
  refresh(): Promise<void> {
    this.inFlight ??= this.fetchOnce().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** Known key ids (for diagnostics). */
  knownKids(): string[] {
    return [...(this.keys?.keys() ?? [])];
  }

  private async fetchOnce(): Promise<void> {
    this.lastAttemptAt = this.clock.now();
    this.fetches += 1;
    let jwks: unknown;
    try {
      jwks = await this.options.fetchJwks();
    } catch (error) {
      throw new KeysUnavailableError(
        `cannot fetch the JWKS: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
    let keys: Map<string, KeyObject>;
    try {
      keys = parseJwks(
        jwks,
        (why) => this.options.onWarning?.(`JWKS: skipped ${why}`),
        this.options.algorithm,
      );
    } catch (error) {
      throw new KeysUnavailableError(`JWKS is unusable: ${(error as Error).message}`, { cause: error });
    }
    this.keys = keys;
    this.fetchedAt = this.clock.now();
  }
}

/** Fetches a JWKS over HTTP(S) with a timeout. */
export function httpJwksFetcher(
  url: string,
  timeoutMs = 3_000,
  fetchImpl: typeof fetch = fetch,
): () => Promise<Jwks> {
  return async () => {
    const response = await fetchImpl(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    return (await response.json()) as Jwks;
  };
}
