import { ArrayMaxSize, ArrayMinSize, IsArray, IsString, Matches } from 'class-validator';
import { USERNAME_PATTERN } from '@hoot/domain';

/** Bounds of `POST /internal/v1/accounts/resolve`, with why. */
export const RESOLVE_ACCOUNTS_LIMITS = {
  /** Far above any conference's invitee list, low enough for two `$in` queries of bounded cost. */
  maxNames: 1000,
} as const;

/** Account ids as auth mints them: `acc_` and a lower-case UUID. */
export const ACCOUNT_ID_PATTERN = /^acc_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A name to resolve: an account id, else a username. */
export const isAccountId = (name: string): boolean => ACCOUNT_ID_PATTERN.test(name);

/** Either shape, in one pattern (class-validator checks each entry against it). */
const NAME_PATTERN = new RegExp(`${ACCOUNT_ID_PATTERN.source}|${USERNAME_PATTERN.source}`);

/** `POST /internal/v1/accounts/resolve`: usernames and/or account ids to turn into accounts (see README). */
export class ResolveAccountsRequestDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(RESOLVE_ACCOUNTS_LIMITS.maxNames)
  @IsString({ each: true })
  @Matches(NAME_PATTERN, {
    each: true,
    message:
      'each name must be a username (3-64 of a-z 0-9 . _ -, starting with a letter or digit) or an account id (acc_<uuid>)',
  })
  names!: string[];
}
