/**
 * Viewer tokens ride in the `token` query parameter of every LL-HLS request (the playlist, and every URI
 * the packager writes into it). A renewed access brings a new token: every request made after it carries
 * the newest one, whatever URL the player asks for.
 */

/** The `token` query parameter of a URL, if any. */
export function tokenOf(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('token') ?? undefined;
  } catch {
    return undefined;
  }
}

/** `url` with its `token` query parameter set to `token` (unchanged without a token or for a relative URL). */
export function withToken(url: string, token: string | undefined): string {
  if (token === undefined) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.searchParams.get('token') === token) return url;
  parsed.searchParams.set('token', token);
  return parsed.toString();
}
