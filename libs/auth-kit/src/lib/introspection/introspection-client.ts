import { createHash } from 'node:crypto';
import { systemClock, type AccountProfile, type Clock } from '@hoot/domain';
import type { HootClaims } from '../jwt/hoot-claims';

/** What `POST /v1/introspect` answers. */
export interface IntrospectionResult {
  active: boolean;
  claims?: HootClaims;
  account?: AccountProfile;
  /** Why a token is inactive (a `TokenRejection` code). */
  reason?: string;
}

/** Defaults, with why. */
export const INTROSPECTION_DEFAULTS = {
  /** An active answer is reused this long: short, so a revocation or a disabled account is seen quickly. */
  activeTtlMs: 5_000,
  /** Inactive answers are final for the token in practice, but keep them short too (a retried transient). */
  inactiveTtlMs: 5_000,
  /** Bound on memory; the oldest answers are dropped first. */
  maxEntries: 10_000,
  timeoutMs: 3_000,
} as const;

export interface IntrospectionClientOptions {
  /** Base URL of the auth service (`http://auth:3100`). */
  authUrl: string;
  /** The `Authorization` header value for this service's own credentials. */
  authorization: () => Promise<string>;
  clock?: Clock;
  activeTtlMs?: number;
  inactiveTtlMs?: number;
  maxEntries?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export class IntrospectionError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'IntrospectionError';
  }
}

/**
 * Asks the auth service about a token (for callers that need the account metadata, or the freshest
 * answer), with a short cache keyed by the token's hash so repeated calls in a burst cost one request.
 */
export class IntrospectionClient {
  private readonly cache = new Map<string, { result: IntrospectionResult; until: number }>();
  private readonly clock: Clock;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: IntrospectionClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async introspect(token: string): Promise<IntrospectionResult> {
    const key = createHash('sha256').update(token).digest('base64url');
    const now = this.clock.now();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.result;
    if (cached) this.cache.delete(key);
    const result = await this.ask(token);
    const ttl = result.active
      ? (this.options.activeTtlMs ?? INTROSPECTION_DEFAULTS.activeTtlMs)
      : (this.options.inactiveTtlMs ?? INTROSPECTION_DEFAULTS.inactiveTtlMs);
    // Never cache an active answer past the token's own expiry.
    const until = Math.min(
      now + ttl,
      result.claims?.exp ? result.claims.exp * 1000 : Number.POSITIVE_INFINITY,
    );
    this.cache.set(key, { result, until });
    const max = this.options.maxEntries ?? INTROSPECTION_DEFAULTS.maxEntries;
    while (this.cache.size > max) this.cache.delete(this.cache.keys().next().value as string);
    return result;
  }

  /** Drops every cached answer (e.g. when a revocation arrives). */
  clear(): void {
    this.cache.clear();
  }

  private async ask(token: string): Promise<IntrospectionResult> {
    const url = `${this.options.authUrl.replace(/\/$/, '')}/v1/introspect`;
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: await this.options.authorization() },
        body: JSON.stringify({ token }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? INTROSPECTION_DEFAULTS.timeoutMs),
      });
    } catch (error) {
      throw new IntrospectionError(`introspection request failed: ${(error as Error).message}`);
    }
    if (!response.ok)
      throw new IntrospectionError(`introspection answered ${response.status}`, response.status);
    const body = (await response.json()) as IntrospectionResult;
    if (typeof body?.active !== 'boolean')
      throw new IntrospectionError('introspection answer has no active flag');
    return body;
  }
}
