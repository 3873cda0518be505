import { systemClock, type Clock } from '@hoot/domain';

/** Defaults, with why. */
export const SERVICE_CREDENTIAL_DEFAULTS = {
  /** Renew once this fraction of the token's life is left, so a request never leaves with a dying token. */
  renewAtRemainingFraction: 0.2,
  timeoutMs: 3_000,
} as const;

export interface ServiceCredentialClientOptions {
  /** Base URL of the auth service. */
  authUrl: string;
  /** This service's API key (from a Secret), issued by the auth admin API. */
  apiKey: string;
  clock?: Clock;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export class ServiceCredentialError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ServiceCredentialError';
  }
}

/**
 * Service-to-service credentials: exchanges this service's API key at `POST /v1/tokens`
 * (`grant_type: api_key`) for a short-lived service token (audience = the internal one, role `service`),
 * keeps it, and renews it before it expires. Concurrent callers share one exchange.
 */
export class ServiceCredentialClient {
  private current: { token: string; issuedAt: number; expiresAt: number } | undefined;
  private inFlight: Promise<string> | undefined;
  private readonly clock: Clock;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ServiceCredentialClientOptions) {
    if (!options.apiKey) throw new Error('ServiceCredentialClient needs an API key');
    this.clock = options.clock ?? systemClock;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** A valid service token. */
  async token(): Promise<string> {
    const now = this.clock.now();
    const c = this.current;
    if (c) {
      const renewAt =
        c.expiresAt - (c.expiresAt - c.issuedAt) * SERVICE_CREDENTIAL_DEFAULTS.renewAtRemainingFraction;
      if (now < renewAt) return c.token;
    }
    this.inFlight ??= this.exchange().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /** `Bearer <token>`, for an `Authorization` header. */
  async authorization(): Promise<string> {
    return `Bearer ${await this.token()}`;
  }

  /** Forgets the token (after a 401 from a callee, say). */
  invalidate(): void {
    this.current = undefined;
  }

  private async exchange(): Promise<string> {
    const url = `${this.options.authUrl.replace(/\/$/, '')}/v1/tokens`;
    const issuedAt = this.clock.now();
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'api_key', api_key: this.options.apiKey }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? SERVICE_CREDENTIAL_DEFAULTS.timeoutMs),
      });
    } catch (error) {
      throw new ServiceCredentialError(`token exchange failed: ${(error as Error).message}`);
    }
    if (!response.ok)
      throw new ServiceCredentialError(`token exchange answered ${response.status}`, response.status);
    const body = (await response.json()) as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
      throw new ServiceCredentialError('token exchange answer lacks access_token or expires_in');
    }
    this.current = { token: body.access_token, issuedAt, expiresAt: issuedAt + body.expires_in * 1000 };
    return body.access_token;
  }
}
