import { APP_MESSAGES } from './error-messages.app';
import { ACCOUNT_MESSAGES } from './error-messages.account';
import { CALL_MESSAGES } from './error-messages.call';
import { MEDIA_MESSAGES } from './error-messages.media';
import {
  CHECK_THE_FORM,
  LATER,
  type ErrorEntry,
  type ErrorMessages,
  type KnownErrorCode,
} from './error-entry';
import { WebErrorCode } from './web-error-codes';

export type { ErrorEntry, ErrorMessages, KnownErrorCode };
export { WebErrorCode };

/**
 * Every error the app can meet, as one human message: the registry's problem+json codes (conference.*,
 * auth.*, token.*, request.*), CASH's signaling codes and the room rules' codes (UPPER_CASE), the SDK's own
 * (sdk.*), and the app's (media.*, web.*). One place, so every screen says the same thing for a code.
 */
export interface HumanError {
  /** The stable code (shown on banners and toasts as `data-code`). */
  code: string;
  title: string;
  message: string;
  /** Seconds after which trying again may work (from `Retry-After` / `retryAfterS`). */
  retryAfterS?: number;
  /** Trying again later may work (the app offers a retry button). */
  retryable: boolean;
  /** The room is over for us (kicked, ended, not entitled): leave the room screen. */
  leavesRoom: boolean;
  /** The session is no longer valid: sign in again. */
  signInAgain: boolean;
}

/**
 * One entry per code, exhaustive: the parts by family put together, typed as the whole table (a new code anywhere
 * in the catalogue does not compile until one of the parts decides it).
 */
const MESSAGES: ErrorMessages = { ...ACCOUNT_MESSAGES, ...CALL_MESSAGES, ...MEDIA_MESSAGES, ...APP_MESSAGES };

const FALLBACK: ErrorEntry = { title: 'Something went wrong', message: 'An unexpected error happened.' };

/** The fields of any error the app gets (HootApiError, SignalingError, a DOMException, anything). */
interface ErrorLike {
  code?: unknown;
  name?: unknown;
  message?: unknown;
  status?: unknown;
  retryAfterS?: unknown;
  retryAfterMs?: unknown;
}

/** The code of an error: its own `code`, a browser media error's name, else `web.unexpected`. */
export function errorCode(error: unknown): string {
  const e = (error ?? {}) as ErrorLike;
  if (typeof e.code === 'string' && e.code) return e.code;
  switch (e.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'media.denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'media.not-found';
    case 'TypeError':
      // fetch's network failure
      return 'web.offline';
    default:
      return 'web.unexpected';
  }
}

/** The human form of an error (or of a bare code). */
export function describeError(error: unknown): HumanError {
  const code = typeof error === 'string' ? error : errorCode(error);
  const e = (typeof error === 'object' && error ? error : {}) as ErrorLike;
  const entry = entryOf(code) ?? fallbackFor(code, e);
  const retryAfterS =
    typeof e.retryAfterS === 'number'
      ? e.retryAfterS
      : typeof e.retryAfterMs === 'number'
        ? Math.ceil(e.retryAfterMs / 1000)
        : undefined;
  const message =
    retryAfterS !== undefined && entry.retryable
      ? `${entry.message} Try again in ${retryAfterS} s.`
      : entry.message;
  return {
    code,
    title: entry.title,
    message,
    ...(retryAfterS !== undefined ? { retryAfterS } : {}),
    retryable: entry.retryable ?? false,
    leavesRoom: entry.leavesRoom ?? false,
    signInAgain: entry.signInAgain ?? false,
  };
}

function fallbackFor(code: string, e: ErrorLike): ErrorEntry {
  if (code.startsWith('token.') || code === 'http.401') {
    return {
      title: 'Signed out',
      message: 'Your session is not valid. Please sign in again.',
      signInAgain: true,
    };
  }
  if (/^http\.5\d\d$/.test(code))
    return { title: 'Server error', message: `The server had a problem. ${LATER}`, retryable: true };
  if (code.startsWith('request.')) return CHECK_THE_FORM;
  // A server's or the SDK's message (the error has a code of ours) may be shown; a browser's never is.
  if (code === 'web.unexpected') return FALLBACK;
  return typeof e.message === 'string' && e.message ? { ...FALLBACK, message: e.message } : FALLBACK;
}

/** Whether `code` is in the table: a code of the catalogue or one of the app's own. */
export function isKnownErrorCode(code: string): code is KnownErrorCode {
  return Object.prototype.hasOwnProperty.call(MESSAGES, code);
}

/** The app's own words for a code, or null when it has none (an unknown code, or a `null` entry). */
function entryOf(code: string): ErrorEntry | null {
  return isKnownErrorCode(code) ? MESSAGES[code] : null;
}

/** Whether a code has its own message (used by the spec to check every known code is covered). */
export function hasMessage(code: string): boolean {
  return entryOf(code) !== null;
}
