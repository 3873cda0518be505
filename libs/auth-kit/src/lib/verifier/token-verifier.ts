import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { systemClock, TokenRejection, type Clock } from '@hoot/domain';
import type { HootClaims, PrincipalKind } from '../jwt/hoot-claims';
import { decodeSegment, splitJwt } from '../jwt/jwt-codec';
import { TokenRejectedError } from '../jwt/token-rejected.error';
import type { VerificationKeySource } from '../keys/verification-key-source';
import type { RevocationCheck } from '../revocation/revocation-set';

/** Defaults, with why. */
export const VERIFIER_DEFAULTS = {
  /** Clock difference tolerated on `exp`, `nbf` and `iat` between issuer and verifier. */
  clockSkewMs: 30_000,
  /** Hard ceiling on the tolerance: more would let expired tokens live noticeably longer. */
  maxClockSkewMs: 5 * 60_000,
  /** Our tokens are well under 2 KiB; anything much larger is not ours and is refused before parsing. */
  maxTokenBytes: 8 * 1024,
} as const;

/** The algorithm of access and service tokens. Pinned: never taken from the token. */
export const PINNED_ALGORITHM = 'RS256';

/**
 * The algorithms a verifier can be pinned to (one per verifier, never taken from the token): RS256 for
 * everything auth signs, EdDSA (Ed25519) for the join tickets registries sign themselves.
 */
export type TokenAlgorithm = 'RS256' | 'EdDSA';

/** What checks a token (`TokenVerifier`, or several of them routed by algorithm: `verifierByAlgorithm`). */
export interface TokenVerification {
  verify(token: string): Promise<VerifiedToken>;
}

export interface TokenVerifierOptions {
  /**
   * The trusted issuer, or the issuer a key may sign for (`undefined`: none) when keys belong to
   * different issuers — a registry's ticket key signs only as that registry.
   */
  issuer: string | ((kid: string) => string | undefined);
  /** Default RS256. */
  algorithm?: TokenAlgorithm;
  /** Accepted audiences: the token's `aud` must contain at least one. */
  audiences: string[];
  keys: VerificationKeySource;
  revocations?: RevocationCheck;
  clock?: Clock;
  clockSkewMs?: number;
  maxTokenBytes?: number;
}

/** A token that passed every check. */
export interface VerifiedToken {
  claims: HootClaims;
  kid: string;
}

/** Who made a request, as guards hand it to handlers. */
export interface Identity {
  subject: string;
  name: string;
  username?: string;
  kind: PrincipalKind;
  roles: string[];
  tokenId: string;
  audiences: string[];
  /** Epoch ms. */
  expiresAt: number;
  claims: HootClaims;
}

export function identityOf(claims: HootClaims): Identity {
  return {
    subject: claims.sub,
    name: claims.name,
    username: claims.username,
    kind: claims.kind === 'service' ? 'service' : 'user',
    roles: Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [],
    tokenId: claims.jti,
    audiences: Array.isArray(claims.aud) ? claims.aud : [claims.aud],
    expiresAt: claims.exp * 1000,
    claims,
  };
}

const reject = (reason: TokenRejection, message: string) => new TokenRejectedError(reason, message);
const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isText = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 512;

/**
 * Routes each token to the one verifier pinned to its header's `alg` (each with its own keys, issuer and
 * key type); any other algorithm is refused. CASH takes join tickets signed by auth (RS256) or by a
 * registry's own key (EdDSA) this way.
 */
export function verifierByAlgorithm(verifiers: readonly TokenVerifier[]): TokenVerification {
  const byAlgorithm = new Map(verifiers.map((v) => [v.algorithm as string, v]));
  if (byAlgorithm.size !== verifiers.length) throw new Error('one verifier per algorithm');
  return {
    async verify(token: string): Promise<VerifiedToken> {
      let alg: unknown;
      try {
        // Too large or unreadable: the first verifier refuses it with the precise reason.
        if (typeof token === 'string' && token.length <= VERIFIER_DEFAULTS.maxTokenBytes)
          alg = splitJwt(token).header.alg;
      } catch {
        alg = undefined;
      }
      const verifier = alg === undefined ? verifiers[0] : byAlgorithm.get(alg as string);
      if (!verifier)
        throw reject(TokenRejection.AlgorithmNotAllowed, `algorithm ${JSON.stringify(alg)} is not accepted`);
      return verifier.verify(token);
    },
  };
}

/**
 * Verifies hoot tokens locally: size, algorithm (the pinned one: RS256 unless told EdDSA), key by `kid`,
 * signature, then `iss`, `aud`, `exp`, `nbf`, `iat` with a bounded clock skew, then revocation. Every refusal is a
 * `TokenRejectedError` with its own reason; an unreachable key set is a `KeysUnavailableError`.
 */
export class TokenVerifier implements TokenVerification {
  readonly algorithm: TokenAlgorithm;
  private readonly clock: Clock;
  private readonly skewMs: number;
  private readonly maxBytes: number;
  private readonly audiences: ReadonlySet<string>;

  constructor(private readonly options: TokenVerifierOptions) {
    if (!options.issuer) throw new Error('TokenVerifier needs an issuer');
    if (!options.audiences.length) throw new Error('TokenVerifier needs at least one audience');
    this.algorithm = options.algorithm ?? PINNED_ALGORITHM;
    this.clock = options.clock ?? systemClock;
    this.skewMs = options.clockSkewMs ?? VERIFIER_DEFAULTS.clockSkewMs;
    if (this.skewMs < 0 || this.skewMs > VERIFIER_DEFAULTS.maxClockSkewMs) {
      throw new RangeError(
        `clock skew must be within 0..${VERIFIER_DEFAULTS.maxClockSkewMs} ms, got ${this.skewMs}`,
      );
    }
    this.maxBytes = options.maxTokenBytes ?? VERIFIER_DEFAULTS.maxTokenBytes;
    this.audiences = new Set(options.audiences);
  }

  async verify(token: string): Promise<VerifiedToken> {
    if (typeof token !== 'string' || token.length === 0) throw reject(TokenRejection.Malformed, 'no token');
    // Length first (cheap, and UTF-8 bytes are at least as many as UTF-16 units).
    if (token.length > this.maxBytes || Buffer.byteLength(token) > this.maxBytes) {
      throw reject(TokenRejection.TooLarge, `token is larger than ${this.maxBytes} bytes`);
    }
    const jwt = splitJwt(token);
    if (jwt.header.alg !== this.algorithm) {
      throw reject(
        TokenRejection.AlgorithmNotAllowed,
        `algorithm ${JSON.stringify(jwt.header.alg)} is not accepted`,
      );
    }
    if (jwt.header['crit'] !== undefined)
      throw reject(TokenRejection.Malformed, 'critical header extensions are not supported');
    const kid = jwt.header.kid;
    if (!isText(kid)) throw reject(TokenRejection.UnknownKey, 'token has no key id');
    if (jwt.signature.length === 0) throw reject(TokenRejection.Malformed, 'token has no signature');
    const key: KeyObject | undefined = await this.options.keys.getKey(kid);
    if (!key) throw reject(TokenRejection.UnknownKey, `no key with id ${JSON.stringify(kid)}`);
    const rsa = this.algorithm === 'RS256';
    if (key.asymmetricKeyType !== (rsa ? 'rsa' : 'ed25519'))
      throw reject(TokenRejection.UnknownKey, `key ${kid} is not an ${rsa ? 'RSA' : 'Ed25519'} key`);
    if (!verifySignature(rsa ? 'sha256' : null, Buffer.from(jwt.signingInput), key, jwt.signature)) {
      throw reject(TokenRejection.BadSignature, 'signature does not match');
    }
    const claims = this.checkClaims(decodeSegment(jwt.payloadSegment, 'payload'), kid);
    if (this.options.revocations?.isRevoked(claims))
      throw reject(TokenRejection.Revoked, 'token has been revoked');
    return { claims, kid };
  }

  private checkClaims(payload: Record<string, unknown>, kid: string): HootClaims {
    const { iss, aud, sub, jti, iat, exp, nbf, name } = payload;
    if (!isText(iss) || !isText(sub) || !isText(jti) || typeof name !== 'string') {
      throw reject(TokenRejection.Malformed, 'token lacks iss, sub, jti or name');
    }
    if (!isNumericDate(iat) || !isNumericDate(exp) || (nbf !== undefined && !isNumericDate(nbf))) {
      throw reject(TokenRejection.Malformed, 'iat, exp and nbf must be numeric dates');
    }
    const issuer = this.options.issuer;
    if (iss !== (typeof issuer === 'string' ? issuer : issuer(kid)))
      throw reject(TokenRejection.WrongIssuer, `issuer ${JSON.stringify(iss)} is not trusted`);
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.some((a) => typeof a === 'string' && this.audiences.has(a))) {
      throw reject(TokenRejection.WrongAudience, 'token is not meant for this service');
    }
    const now = this.clock.now();
    if (exp * 1000 + this.skewMs <= now) throw reject(TokenRejection.Expired, 'token has expired');
    if (nbf !== undefined && nbf * 1000 - this.skewMs > now)
      throw reject(TokenRejection.NotYetValid, 'token is not valid yet');
    if (iat * 1000 - this.skewMs > now)
      throw reject(TokenRejection.NotYetValid, 'token was issued in the future');
    return payload as HootClaims;
  }
}
