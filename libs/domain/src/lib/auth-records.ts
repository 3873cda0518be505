import type { AccountProfile } from './account';

/**
 * Persistence ports of the auth service, as plain types (the mongoose implementations live in
 * `@hoot/mongo`, in-memory ones in the auth app's tests).
 */

export interface AccountRecord extends AccountProfile {
  /** `scrypt$N$r$p$salt$hash`; absent for service accounts (they use API keys). */
  passwordHash?: string;
  /** Tokens of this account issued before this time (epoch ms) are revoked. */
  tokensNotBeforeMs?: number;
}

export interface AccountPage {
  items: AccountRecord[];
  /** Pass as `after` for the next page; absent on the last one. */
  next?: string;
}

export interface AccountStore {
  /** Throws `DuplicateKeyError` (from `@hoot/mongo`) or an error with `code: 'duplicate'` on a taken username. */
  create(account: AccountRecord): Promise<void>;
  findById(id: string): Promise<AccountRecord | undefined>;
  findByUsername(username: string): Promise<AccountRecord | undefined>;
  /** Ordered by id. */
  list(limit: number, after?: string): Promise<AccountPage>;
  setDisabled(id: string, disabled: boolean): Promise<AccountRecord | undefined>;
  /** Moves the account's not-before time forward (never back). */
  raiseTokensNotBefore(id: string, beforeMs: number): Promise<void>;
}

export interface ApiKeyRecord {
  /** Public part of the key (`hk_<id>_…`), used to look it up. */
  id: string;
  accountId: string;
  name: string;
  /** SHA-256 of the secret part, base64url (the secret is 256 random bits, so a fast hash is enough). */
  secretHash: string;
  createdAt: string;
  revoked: boolean;
}

export interface ApiKeyStore {
  create(key: ApiKeyRecord): Promise<void>;
  findById(id: string): Promise<ApiKeyRecord | undefined>;
}

export interface RevocationRecord {
  id: string;
  type: 'token.revoked' | 'subject.revoked';
  sub: string;
  jti?: string;
  /** Token revocations: when the revoked token expires (the record may go after that). */
  expiresAtMs?: number;
  /** Subject revocations: tokens issued before this are revoked. */
  beforeMs?: number;
  createdAt: string;
  /** False until the event reached Kafka; an outbox sweep republishes the rest. */
  published: boolean;
}

export interface RevocationStore {
  create(record: RevocationRecord): Promise<void>;
  isTokenRevoked(jti: string): Promise<boolean>;
  markPublished(id: string): Promise<void>;
  listUnpublished(limit: number): Promise<RevocationRecord[]>;
  /** Deletes token revocations whose token expired before `nowMs`; returns how many. */
  pruneExpired(nowMs: number): Promise<number>;
}

/** A registry's join-ticket key as auth keeps it (see auth-kit's `ticket-keys`). */
export interface TicketKeyRecord {
  /** `<registry>.<random>`: the registry part is the registering service account's username. */
  kid: string;
  registry: string;
  /** The registering service account's id (its keys stop being published once it is disabled). */
  accountId: string;
  /** The Ed25519 public key, base64url (JWK `x`). */
  x: string;
  createdAt: string;
  /** Auth stops publishing the key after this (epoch ms). */
  expiresAtMs: number;
}

export interface TicketKeyStore {
  /** Adds the key (a kid already present keeps its first registration: never replaced). */
  put(record: TicketKeyRecord): Promise<'created' | 'exists'>;
  /** Keys not expired at `nowMs`, newest first, at most `limit`. */
  listLive(nowMs: number, limit: number): Promise<TicketKeyRecord[]>;
  /** Deletes `registry`'s live keys beyond its newest `keep`, and every expired key; returns how many. */
  prune(registry: string, keep: number, nowMs: number): Promise<number>;
}
