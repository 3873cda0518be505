/** The few claims the app shows from a JWT (an access token or a join ticket). Not verified: display only. */
export interface TokenClaims {
  sub?: string;
  name?: string;
  username?: string;
  exp?: number;
  cid?: string;
}

function base64UrlDecode(part: string): string {
  const padded = part.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((part.length + 3) % 4);
  const binary = atob(padded);
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** Reads a JWT's payload; undefined when it is not a JWT. */
export function readClaims(token: string | undefined): TokenClaims | undefined {
  const parts = token?.split('.');
  if (!parts || parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(base64UrlDecode(parts[1])) as unknown;
    return claims && typeof claims === 'object' && !Array.isArray(claims)
      ? (claims as TokenClaims)
      : undefined;
  } catch {
    return undefined;
  }
}

/** True when the token's `exp` is in the past (with a little slack); tokens without `exp` count as valid. */
export function isExpired(claims: TokenClaims | undefined, nowMs: number, slackS = 5): boolean {
  return typeof claims?.exp === 'number' && claims.exp * 1000 <= nowMs + slackS * 1000;
}

/** The name to show for the signed-in user. */
export function displayNameOf(claims: TokenClaims | undefined, fallback = 'you'): string {
  return claims?.name || claims?.username || claims?.sub || fallback;
}
