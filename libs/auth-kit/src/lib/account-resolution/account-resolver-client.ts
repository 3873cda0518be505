/** Defaults, with why. */
export const ACCOUNT_RESOLVER_CLIENT_DEFAULTS = {
  /** Creating a conference waits on this call: fail fast so the registry can answer the user promptly. */
  timeoutMs: 3_000,
} as const;

export interface AccountResolverClientOptions {
  /** Base URL of the auth service (`http://auth:3100`). */
  authUrl: string;
  /** The `Authorization` header value for this registry's own service credentials. */
  authorization: () => Promise<string>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface AccountResolution {
  /** Each input name (username or account id) that is an enabled user account → its account id. */
  ids: Map<string, string>;
  /** The input names that are not (missing, disabled or service accounts), in the order asked. */
  unknown: string[];
}

/**
 * Why resolving failed: `refused` (auth answered an error: `status` and, from its problem+json, `code`),
 * `unreachable` (no answer: connection refused, DNS …), `timeout` (no answer in time) or
 * `invalid-response` (a success without the expected `accounts` and `unknown`).
 */
export type AccountResolverFailure = 'refused' | 'unreachable' | 'timeout' | 'invalid-response';

export class AccountResolverError extends Error {
  constructor(
    message: string,
    readonly failure: AccountResolverFailure,
    readonly status?: number,
    /** The server's stable problem code (`request.invalid`, `auth.forbidden` …) when it sent one. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AccountResolverError';
  }

  /** No answer from auth (worth retrying, or trying another replica). */
  get unavailable(): boolean {
    return this.failure === 'unreachable' || this.failure === 'timeout';
  }
}

/**
 * Asks the auth service which accounts a list of usernames and/or account ids names
 * (`POST /internal/v1/accounts/resolve`, 1..1000 names). Only registries may: the caller's service account
 * must be named `reg-<cloud>-<priority>`. An empty list is answered here, without a call.
 */
export class AccountResolverClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: AccountResolverClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  async resolve(names: readonly string[]): Promise<AccountResolution> {
    if (names.length === 0) return { ids: new Map(), unknown: [] };
    const url = `${this.options.authUrl.replace(/\/$/, '')}/internal/v1/accounts/resolve`;
    // Outside the try: a failure to get our own credentials is the credential client's error, as is.
    const authorization = await this.options.authorization();
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, application/problem+json',
          authorization,
        },
        body: JSON.stringify({ names }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? ACCOUNT_RESOLVER_CLIENT_DEFAULTS.timeoutMs),
      });
    } catch (error) {
      throw noAnswer(error);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      // The deadline covers the body too; anything else is an unparsable body (handled below).
      if (isTimeout(error)) throw noAnswer(error);
    }
    if (!response.ok) {
      const problem = (body ?? {}) as { code?: unknown; detail?: unknown };
      const code = typeof problem.code === 'string' ? problem.code : undefined;
      const detail = typeof problem.detail === 'string' ? `: ${problem.detail}` : '';
      throw new AccountResolverError(
        `account resolution refused (${response.status}${code ? ` ${code}` : ''})${detail}`,
        'refused',
        response.status,
        code,
      );
    }
    const resolution = parseResolution(body);
    if (!resolution)
      throw new AccountResolverError(
        'account resolution answer lacks accounts [{name, id}] or unknown [names]',
        'invalid-response',
        response.status,
      );
    return resolution;
  }
}

function parseResolution(body: unknown): AccountResolution | undefined {
  const { accounts, unknown } = (body ?? {}) as { accounts?: unknown; unknown?: unknown };
  if (!Array.isArray(accounts) || !Array.isArray(unknown)) return undefined;
  if (!unknown.every((name): name is string => typeof name === 'string')) return undefined;
  const ids = new Map<string, string>();
  for (const account of accounts as unknown[]) {
    const { name, id } = (account ?? {}) as { name?: unknown; id?: unknown };
    if (typeof name !== 'string' || typeof id !== 'string') return undefined;
    ids.set(name, id);
  }
  return { ids, unknown };
}

const isTimeout = (error: unknown) => (error as Error | undefined)?.name === 'TimeoutError';

function noAnswer(error: unknown): AccountResolverError {
  return isTimeout(error)
    ? new AccountResolverError('account resolution timed out', 'timeout', undefined, undefined, {
        cause: error,
      })
    : new AccountResolverError(
        `account resolution failed: ${(error as Error | undefined)?.message ?? String(error)}`,
        'unreachable',
        undefined,
        undefined,
        { cause: error },
      );
}
