import { CONFERENCE_ID_PATTERN, parseConferenceAddress } from '@hoot/domain';

/**
 * The app's routes, from `location.pathname` and `location.hash`. Pure: the router passes the strings.
 *
 * - `/` home (sign-in first when there is no token)
 * - `/join/<id>#ticket=…&signal=…&address=…` the join URL a registry hands out (`webUrl`): straight into
 *   the room with the ticket and signaling URL of the fragment (it never reaches a server); without them,
 *   the address (or the id alone) is joined through the registry
 * - `/room/<id>#address=…` a room opened from the home screen (joined through the registry)
 */
export type Route =
  | { name: 'home' }
  | { name: 'room'; conferenceId: string; address?: string; direct?: DirectJoin }
  | { name: 'not-found'; path: string };

/** A ticket and signaling URL handed out by a registry: enough to join without asking one again. */
export interface DirectJoin {
  ticket: string;
  signalingUrl: string;
}

/** The key/value pairs of a fragment (`#a=1&b=2`), decoded; repeated keys keep the first value. */
export function parseFragment(hash: string): Record<string, string> {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    try {
      const key = decodeURIComponent(rawKey.replace(/\+/g, ' '));
      const value = decodeURIComponent(rawValue.replace(/\+/g, ' '));
      if (!(key in out)) out[key] = value;
    } catch {
      // A malformed escape: that pair is ignored.
    }
  }
  return out;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function isSignalingUrl(value: string | undefined): value is string {
  if (!value) return false;
  try {
    const url = new URL(value);
    return url.protocol === 'ws:' || url.protocol === 'wss:';
  } catch {
    return false;
  }
}

/** A conference address from a fragment, if valid and for this conference. */
function addressFor(conferenceId: string, value: string | undefined): string | undefined {
  if (!value) return undefined;
  const parsed = parseConferenceAddress(value);
  return parsed.ok && parsed.address.conferenceId === conferenceId ? value : undefined;
}

export function parseRoute(pathname: string, hash: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/index.html') return { name: 'home' };
  const match = /^\/(join|room)\/([^/]+)$/.exec(path);
  if (!match) return { name: 'not-found', path };
  let conferenceId: string;
  try {
    conferenceId = decodeURIComponent(match[2]);
  } catch {
    return { name: 'not-found', path };
  }
  if (!CONFERENCE_ID_PATTERN.test(conferenceId)) return { name: 'not-found', path };
  const fragment = parseFragment(hash);
  const address = addressFor(conferenceId, fragment['address']);
  const route: Route = { name: 'room', conferenceId, ...(address ? { address } : {}) };
  if (
    match[1] === 'join' &&
    fragment['ticket'] &&
    JWT_SHAPE.test(fragment['ticket']) &&
    isSignalingUrl(fragment['signal'])
  ) {
    route.direct = { ticket: fragment['ticket'], signalingUrl: fragment['signal'] };
  }
  return route;
}

/** The path of a room opened from the app: the address rides in the fragment (not sent to servers). */
export function roomPath(conferenceId: string, address?: string): string {
  const base = `/room/${encodeURIComponent(conferenceId)}`;
  return address ? `${base}#address=${encodeURIComponent(address)}` : base;
}

/**
 * What the join field accepts: a `hoot.mx://` address, a join URL of the web app (`…/join/<id>#…`), or a
 * bare conference id. Returns what to join, or a human reason.
 */
export type JoinInput =
  { ok: true; conferenceId: string; address?: string; direct?: DirectJoin } | { ok: false; reason: string };

export function parseJoinInput(text: string): JoinInput {
  const value = text.trim();
  if (!value)
    return { ok: false, reason: 'Enter a conference address like hoot.mx://standup@coremx-1.c1.hoot.mx' };
  if (value.startsWith('hoot.mx://') || /^hoot\.mx:/i.test(value)) {
    const parsed = parseConferenceAddress(value);
    if (!parsed.ok) return { ok: false, reason: `That address is not valid: ${parsed.message}` };
    return { ok: true, conferenceId: parsed.address.conferenceId, address: value };
  }
  if (/^https?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { ok: false, reason: 'That link is not a valid URL' };
    }
    const route = parseRoute(url.pathname, url.hash);
    if (route.name !== 'room') return { ok: false, reason: 'That link is not a hoot join link' };
    return {
      ok: true,
      conferenceId: route.conferenceId,
      ...(route.address ? { address: route.address } : {}),
      ...(route.direct ? { direct: route.direct } : {}),
    };
  }
  if (CONFERENCE_ID_PATTERN.test(value)) return { ok: true, conferenceId: value };
  return {
    ok: false,
    reason: 'Enter a hoot.mx:// address, a join link, or a conference id (lower-case letters, digits and -)',
  };
}

/** Whether two URLs share scheme, host and port (`http://h:80/x` and `http://h` do); false for non-URLs. */
export function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
