/** Kinds of principals a token can stand for. */
export type PrincipalKind = 'user' | 'service';

/** The claims of a hoot access token (RFC 7519 names; times in epoch seconds). */
export interface HootClaims {
  iss: string;
  /** A single audience: the public one (`hoot`) for users, the internal one for services. */
  aud: string | string[];
  /** The account id. */
  sub: string;
  jti: string;
  iat: number;
  exp: number;
  nbf?: number;
  /** Display name of the account. */
  name: string;
  /** Username (users) or service name. */
  username?: string;
  kind?: PrincipalKind;
  roles?: string[];
  [claim: string]: unknown;
}

export interface JwtHeader {
  alg: string;
  kid?: string;
  typ?: string;
  [field: string]: unknown;
}
