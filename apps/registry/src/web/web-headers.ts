/**
 * Security and caching headers of the web app's files. Pure: the controller adds them to each answer.
 *
 * The page runs only its own script and stylesheet (no inline code), talks to registries over HTTP(S)
 * (its own origin and the registries it may fail over to) and to CoreMX signaling over WebSockets (any
 * host: the CoreMX of a conference is known only at join time), and shows camera and remote streams.
 * p2m viewers fetch LL-HLS playlists and media from the CoreMX's packager — also known only at join time
 * (a pod's own address in the chart) — so `connect-src` (hls.js) and `media-src` (native HLS) take any
 * host over HTTPS, and over plain HTTP only where a registry itself is served over HTTP (local and dev
 * installs): an HTTPS page could not load HTTP media anyway (mixed content). What a stream shows is gated
 * by its viewer token, not by the policy.
 */
export function contentSecurityPolicy(registryOrigins: readonly string[]): string {
  const media = ['https:', ...(registryOrigins.some((o) => o.startsWith('http:')) ? ['http:'] : [])];
  const connect = ["'self'", ...new Set(registryOrigins), 'ws:', 'wss:', ...media];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `media-src 'self' blob: mediastream: ${media.join(' ')}`,
    `connect-src ${connect.join(' ')}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The origin (`scheme://host:port`) of each URL; URLs that do not parse are left out. */
export function originsOf(urls: readonly (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const url of urls) {
    if (!url) continue;
    try {
      const origin = new URL(url).origin;
      if (origin !== 'null' && !out.includes(origin)) out.push(origin);
    } catch {
      // Config validation makes these URLs; a bad one would only narrow the policy.
    }
  }
  return out;
}

/**
 * The HTML is revalidated on each load (`no-cache` + ETag: a 304 costs one round trip) and names its
 * assets with their content hash (`/app.js?v=<hash>`): an asset asked for with its current hash is
 * cached for a year (a new build is a new URL); without it, or with another one, it is revalidated.
 */
export const CACHE_CONTROL = {
  html: 'no-cache, private',
  asset: 'no-cache',
  versioned: 'public, max-age=31536000, immutable',
} as const;

/**
 * Headers for every file of the web app. The page itself may use the camera, the microphone and screen
 * capture (screen share); no frame and no other origin may, and nobody may ask for the location.
 */
export const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(self), microphone=(self), display-capture=(self), geolocation=()',
};
