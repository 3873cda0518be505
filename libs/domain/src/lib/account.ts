/** Kinds of account: people sign in with a password; services use API keys. */
export type AccountKind = 'user' | 'service';

/** Role that may use the auth admin API with a token (besides the admin API key). */
export const ADMIN_ROLE = 'admin';
/** Role every service account carries; required for introspection and internal calls. */
export const SERVICE_ROLE = 'service';

/** Limits an account's plan grants (checked by the registry at create and join). */
export interface AccountLimits {
  maxConferences: number;
  maxParticipants: number;
}

/**
 * An account as other services see it (introspection stamps this onto a verified token):
 * never the password hash or API keys.
 */
export interface AccountProfile {
  id: string;
  username: string;
  displayName: string;
  kind: AccountKind;
  organisation: string;
  plan: string;
  roles: string[];
  limits: AccountLimits;
  disabled: boolean;
  /** ISO-8601. */
  createdAt: string;
}

/** Usernames (and service names): lower-case, 3–64 chars, start with a letter or digit. */
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;
