/** Stable codes of the auth service and of every verifier built on `@hoot/auth-kit`. Never rename, only add. */
export enum AuthErrorCode {
  /** Wrong username, password or API key, or a disabled account: deliberately one code for all. */
  InvalidCredentials = 'auth.invalid-credentials',
  /** Too many attempts for this identity or client address; see `Retry-After`. */
  RateLimited = 'auth.rate-limited',
  /** No credentials were presented (or not as `Authorization: Bearer …`). */
  Unauthenticated = 'auth.unauthenticated',
  /** Valid credentials that do not allow this call. */
  Forbidden = 'auth.forbidden',
  /** An account with this username already exists. */
  AccountExists = 'auth.account-exists',
  AccountNotFound = 'auth.account-not-found',
  /** Verification keys could not be fetched (JWKS endpoint unreachable). */
  KeysUnavailable = 'auth.keys-unavailable',
  /** Join ticket refused: the subject's account is disabled or does not exist. */
  SubjectDisabled = 'auth.subject-disabled',
  /** Join ticket refused: the subject's token was revoked (its `jti`, or every token of the subject since). */
  SubjectRevoked = 'auth.subject-revoked',
  /** Join ticket refused: the subject's token given with the request is not a valid token of ours (expired …). */
  SubjectTokenInvalid = 'auth.subject-token-invalid',
  /** A registry registered a ticket key id that is already taken (ids are random: a replay). */
  TicketKeyExists = 'auth.ticket-key-exists',
}

/** Why a verifier refused a token. Each reason is its own code so logs and metrics can tell them apart. */
export enum TokenRejection {
  Malformed = 'token.malformed',
  TooLarge = 'token.too-large',
  /** Header `alg` is anything but RS256 (`none`, HS256 …). */
  AlgorithmNotAllowed = 'token.algorithm-not-allowed',
  /** No key with the header's `kid` is known, even after refetching the key set. */
  UnknownKey = 'token.unknown-key',
  BadSignature = 'token.bad-signature',
  WrongIssuer = 'token.wrong-issuer',
  WrongAudience = 'token.wrong-audience',
  Expired = 'token.expired',
  NotYetValid = 'token.not-yet-valid',
  /** The `jti` was revoked, or the subject's tokens issued before a time were. */
  Revoked = 'token.revoked',
  /** Introspection only: the token is fine but its account is disabled or gone. */
  AccountDisabled = 'token.account-disabled',
}
