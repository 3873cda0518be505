/** `POST /v1/auth/token` (forwarded by the registry to the auth service as is). */
export type TokenGrant =
  { grant_type: 'password'; username: string; password: string } | { grant_type: 'api_key'; api_key: string };

/** The answer of `POST /v1/auth/token` on the wire (OAuth 2 style field names). */
export interface TokenAnswer {
  access_token: string;
  token_type: 'Bearer';
  /** Seconds the token stays valid. */
  expires_in: number;
}

/** A token answer as the SDK returns it. */
export interface SignInResult {
  accessToken: string;
  /** Seconds the token stays valid. */
  expiresIn: number;
}
