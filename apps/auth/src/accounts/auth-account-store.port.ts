import type { AccountRecord, AccountStore } from '@hoot/domain';

/**
 * The account store auth runs on: the domain port plus the batch lookups behind
 * `POST /internal/v1/accounts/resolve` (one query each, whatever the number of names). `MongoAccountStore`
 * of `@hoot/mongo` and the in-memory fake of the unit tests implement it.
 */
export interface AuthAccountStore extends AccountStore {
  /** The accounts with these usernames, in any order; a username without an account is simply absent. */
  findByUsernames(usernames: readonly string[]): Promise<AccountRecord[]>;
  /** The accounts with these ids, in any order; an id without an account is simply absent. */
  findByIds(ids: readonly string[]): Promise<AccountRecord[]>;
}
