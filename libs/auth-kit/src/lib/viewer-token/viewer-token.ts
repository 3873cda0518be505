import { createHmac, timingSafeEqual } from 'node:crypto';
import { PackagerErrorCode } from '@hoot/contracts';

/**
 * The viewer's entitlement to one live stream: HMAC-SHA256 over {conferenceId, streamId, exp}, signed by
 * CASH (which checked the viewer's join ticket) with a key it shares with the packager.
 *
 * Wire form: `base64url(JSON claims) "." base64url(HMAC-SHA256(key, first part))`, in the `token` query
 * parameter of every playlist and media URL. `exp` is in seconds since the epoch, like a JWT's.
 */
export interface ViewerClaims {
  conferenceId: string;
  streamId: string;
  exp: number;
}

export type ViewerTokenErrorCode =
  | PackagerErrorCode.TokenMissing
  | PackagerErrorCode.TokenInvalid
  | PackagerErrorCode.TokenExpired
  | PackagerErrorCode.TokenWrongStream;

export type ViewerTokenCheck =
  { ok: true; claims: ViewerClaims } | { ok: false; code: ViewerTokenErrorCode; detail: string };

/** The key must carry at least 256 bits: shorter keys make HMAC-SHA256 guessable. */
export const MIN_VIEWER_TOKEN_KEY_BYTES = 32;

const MAX_TOKEN_CHARS = 2048;

function mac(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

export function signViewerToken(key: Buffer, claims: ViewerClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

/** Checks a token for `streamId` at `nowMs`: signature first, then expiry, then the stream it names. */
export function verifyViewerToken(
  key: Buffer,
  token: string | null | undefined,
  streamId: string,
  nowMs: number,
): ViewerTokenCheck {
  if (!token)
    return {
      ok: false,
      code: PackagerErrorCode.TokenMissing,
      detail: 'a viewer token is required (query parameter token)',
    };
  const invalid: ViewerTokenCheck = {
    ok: false,
    code: PackagerErrorCode.TokenInvalid,
    detail: 'the viewer token is not valid',
  };
  if (token.length > MAX_TOKEN_CHARS) return invalid;
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return invalid;
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return invalid;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return invalid;
  }
  const c = claims as Partial<ViewerClaims> | null;
  if (
    !c ||
    typeof c.conferenceId !== 'string' ||
    typeof c.streamId !== 'string' ||
    typeof c.exp !== 'number' ||
    !Number.isFinite(c.exp)
  ) {
    return invalid;
  }
  if (c.exp * 1000 <= nowMs)
    return { ok: false, code: PackagerErrorCode.TokenExpired, detail: 'the viewer token has expired' };
  if (c.streamId !== streamId) {
    return {
      ok: false,
      code: PackagerErrorCode.TokenWrongStream,
      detail: 'the viewer token is for another stream',
    };
  }
  return { ok: true, claims: { conferenceId: c.conferenceId, streamId: c.streamId, exp: c.exp } };
}
