import { AuthCallError, postToAuth, type AuthCallFailure } from '../internal-call/auth-internal-call';
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
  /** Each resolved account id → its username (for showing people by name). */
  usernames: Map<string, string>;
}

/** `refused`, `unreachable`, `timeout` or `invalid-response` (a success without `accounts` and `unknown`). */
export type AccountResolverFailure = AuthCallFailure;

export class AccountResolverError extends AuthCallError {
  constructor(...args: ConstructorParameters<typeof AuthCallError>) {
    super(...args);
    this.name = 'AccountResolverError';
  }
}

/**
 * Asks the auth service which accounts a list of usernames and/or account ids names
 * (`POST /internal/v1/accounts/resolve`, 1..1000 names). Only registries may: the caller's service account
 * must be named `reg-<cloud>-<priority>`. An empty list is answered here, without a call.
 */
export class AccountResolverClient {
  constructor(private readonly options: AccountResolverClientOptions) {}

  async resolve(names: readonly string[]): Promise<AccountResolution> {
    if (names.length === 0) return { ids: new Map(), unknown: [], usernames: new Map() };
    const { status, body } = await postToAuth(
      { ...this.options, timeoutMs: this.options.timeoutMs ?? ACCOUNT_RESOLVER_CLIENT_DEFAULTS.timeoutMs },
      '/internal/v1/accounts/resolve',
      { names },
      'account resolution',
      (...args) => new AccountResolverError(...args),
    );
    const resolution = parseResolution(body);
    if (!resolution)
      throw new AccountResolverError(
        'account resolution answer lacks accounts [{name, id}] or unknown [names]',
        'invalid-response',
        status,
      );
    return resolution;
  }
}

function parseResolution(body: unknown): AccountResolution | undefined {
  const { accounts, unknown } = (body ?? {}) as { accounts?: unknown; unknown?: unknown };
  if (!Array.isArray(accounts) || !Array.isArray(unknown)) return undefined;
  if (!unknown.every((name): name is string => typeof name === 'string')) return undefined;
  const ids = new Map<string, string>();
  const usernames = new Map<string, string>();
  for (const account of accounts as unknown[]) {
    const { name, id, username } = (account ?? {}) as { name?: unknown; id?: unknown; username?: unknown };
    if (typeof name !== 'string' || typeof id !== 'string') return undefined;
    ids.set(name, id);
    if (typeof username === 'string') usernames.set(id, username);
  }
  return { ids, unknown, usernames };
}
