import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AccountRecord } from '@hoot/domain';
import type { AuthAccountStore } from '../accounts/auth-account-store.port';
import { ACCOUNT_STORE } from '../auth.tokens';
import { isAccountId } from './resolve-accounts-request.dto';

export interface ResolvedAccount {
  /** The entry as asked (a username or an account id). */
  name: string;
  id: string;
  username: string;
  displayName: string;
}

export interface ResolveAccountsResponse {
  /** One per distinct name that is an enabled user account, in the order asked. */
  accounts: ResolvedAccount[];
  /** The distinct names that are not, in the order asked. */
  unknown: string[];
}

/** Only people resolve: a disabled account or a service account is reported like a missing one. */
const resolvable = (account: AccountRecord | undefined): account is AccountRecord =>
  account !== undefined && account.kind === 'user' && !account.disabled;

/**
 * Turns the names a conference lists (usernames or account ids) into account ids, the `sub` of every token.
 * An entry shaped like an account id (`acc_<uuid>`) is looked up as an id only. One store query for all the
 * usernames and one for all the ids, whatever their number.
 */
@Injectable()
export class AccountResolver {
  private readonly logger = new Logger(AccountResolver.name);

  constructor(@Inject(ACCOUNT_STORE) private readonly accounts: AuthAccountStore) {}

  /** `registry` is the requesting registry id (for the log). */
  async resolve(registry: string, names: readonly string[]): Promise<ResolveAccountsResponse> {
    const distinct = [...new Set(names)];
    const ids = distinct.filter(isAccountId);
    const usernames = distinct.filter((name) => !isAccountId(name));
    const [byId, byUsername] = await Promise.all([
      ids.length > 0 ? this.accounts.findByIds(ids) : [],
      usernames.length > 0 ? this.accounts.findByUsernames(usernames) : [],
    ]);
    const found = new Map<string, AccountRecord>([
      ...byId.map((a): [string, AccountRecord] => [a.id, a]),
      ...byUsername.map((a): [string, AccountRecord] => [a.username, a]),
    ]);
    const resolution: ResolveAccountsResponse = { accounts: [], unknown: [] };
    for (const name of distinct) {
      const account = found.get(name);
      if (resolvable(account))
        resolution.accounts.push({
          name,
          id: account.id,
          username: account.username,
          displayName: account.displayName,
        });
      else resolution.unknown.push(name);
    }
    // Counts only: the names are people's usernames.
    this.logger.debug(
      {
        registry,
        names: distinct.length,
        resolved: resolution.accounts.length,
        unknown: resolution.unknown.length,
      },
      'accounts resolved',
    );
    return resolution;
  }
}
