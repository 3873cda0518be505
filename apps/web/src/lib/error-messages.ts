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

interface Entry {
  title: string;
  message: string;
  retryable?: boolean;
  leavesRoom?: boolean;
  signInAgain?: boolean;
}

const LATER = 'Please try again in a moment.';

const MESSAGES: Record<string, Entry> = {
  // ---- sign-in and tokens
  'auth.invalid-credentials': { title: 'Sign-in failed', message: 'The username or password is not right.' },
  'auth.rate-limited': {
    title: 'Too many attempts',
    message: `Too many sign-in attempts. ${LATER}`,
    retryable: true,
  },
  'auth.unauthenticated': {
    title: 'Signed out',
    message: 'Your session has ended. Please sign in again.',
    signInAgain: true,
  },
  'auth.forbidden': { title: 'Not allowed', message: 'Your account may not do this.' },
  'auth.keys-unavailable': {
    title: 'Sign-in unavailable',
    message: `Sign-in is briefly unavailable. ${LATER}`,
    retryable: true,
  },
  'token.expired': {
    title: 'Session expired',
    message: 'Your session has expired. Please sign in again.',
    signInAgain: true,
  },
  'token.revoked': {
    title: 'Signed out',
    message: 'Your session was revoked. Please sign in again.',
    signInAgain: true,
  },
  'token.account-disabled': {
    title: 'Account disabled',
    message: 'This account is disabled.',
    signInAgain: true,
  },
  'token.malformed': {
    title: 'Signed out',
    message: 'Your session is not valid. Please sign in again.',
    signInAgain: true,
  },
  // ---- conferences (registry)
  'conference.address-invalid': {
    title: 'Invalid address',
    message: 'That conference address is not valid. It looks like hoot.mx://standup@coremx-1.c1.hoot.mx.',
  },
  'conference.unknown-identity': {
    title: 'Unknown people',
    message: 'Some of the allowed people do not have an account.',
  },
  'conference.not-found': {
    title: 'Conference not found',
    message: 'There is no such conference, or you may not see it.',
    leavesRoom: true,
  },
  'conference.id-taken': {
    title: 'Name taken',
    message: 'That conference id belongs to someone else. Choose another one.',
  },
  'conference.not-owner': { title: 'Owner only', message: 'Only the owner of the conference may end it.' },
  'conference.not-entitled': {
    title: 'Not invited',
    message: 'You are not on the list of this conference. Ask its owner to add you.',
    leavesRoom: true,
  },
  'conference.limit-reached': {
    title: 'Limit reached',
    message: 'Your plan allows no more open conferences. End one first.',
  },
  'conference.ended': { title: 'Conference ended', message: 'This conference has ended.', leavesRoom: true },
  'conference.coremx-unavailable': {
    title: 'Media server unavailable',
    message: 'The media server of this conference is unavailable or overloaded right now.',
    retryable: true,
    leavesRoom: true,
  },
  'conference.no-coremx-available': {
    title: 'No capacity',
    message: 'No media server can host a new conference right now.',
    retryable: true,
  },
  'conference.ticket-unavailable': {
    title: 'Join unavailable',
    message: `Joining is briefly unavailable. ${LATER}`,
    retryable: true,
    leavesRoom: true,
  },
  'conference.rate-limited': {
    title: 'Slow down',
    message: 'Too many requests in a short time.',
    retryable: true,
  },
  // ---- generic HTTP
  'request.invalid': { title: 'Check the form', message: 'Some of the values are not valid.' },
  'request.malformed': { title: 'Request refused', message: 'The request was malformed.' },
  'request.too-large': { title: 'Too large', message: 'That is too much at once.' },
  'route.not-found': { title: 'Not found', message: 'That page or resource does not exist.' },
  'service.unavailable': {
    title: 'Unavailable',
    message: `The service is unavailable. ${LATER}`,
    retryable: true,
  },
  'service.not-ready': {
    title: 'Starting up',
    message: `The service is starting. ${LATER}`,
    retryable: true,
  },
  'service.internal': {
    title: 'Something went wrong',
    message: 'The server had a problem. Please try again.',
    retryable: true,
  },
  // ---- SDK
  'sdk.registry-unavailable': {
    title: 'Offline',
    message: 'No registry could be reached. Check your connection.',
    retryable: true,
  },
  'sdk.registry-timeout': {
    title: 'Timed out',
    message: 'The registry did not answer in time.',
    retryable: true,
  },
  'sdk.registry-network': {
    title: 'Network error',
    message: 'The registry could not be reached.',
    retryable: true,
  },
  'sdk.answer-invalid': {
    title: 'Unexpected answer',
    message: 'The server answered something the app does not understand.',
  },
  'sdk.media-unsupported': {
    title: 'No WebRTC',
    message: 'This browser cannot do audio/video calls here (it needs WebRTC on a secure origin).',
  },
  // ---- signaling (CASH)
  TICKET_INVALID: { title: 'Invalid link', message: 'This join link is not valid.', leavesRoom: true },
  TICKET_EXPIRED: {
    title: 'Link expired',
    message: 'This join link has expired. Join the conference again.',
    leavesRoom: true,
  },
  TICKET_REVOKED: { title: 'Link revoked', message: 'This join link was revoked.', leavesRoom: true },
  TICKET_WRONG_COREMX: {
    title: 'Conference moved',
    message: 'The conference moved to another media server. Join it again.',
    leavesRoom: true,
    retryable: true,
  },
  TICKET_KEYS_UNAVAILABLE: {
    title: 'Join unavailable',
    message: `The media server cannot check tickets right now. ${LATER}`,
    retryable: true,
    leavesRoom: true,
  },
  TICKET_KICKED: {
    title: 'Removed',
    message: 'You were removed from this conference and cannot rejoin with this link.',
    leavesRoom: true,
  },
  TICKET_USED: {
    title: 'Link used',
    message: 'This join link was used already. Join the conference again.',
    leavesRoom: true,
  },
  BANNED: {
    title: 'Removed',
    message: 'You were removed from this room; its owner must let you back in.',
    leavesRoom: true,
  },
  RATE_LIMITED: { title: 'Slow down', message: 'Too many messages at once. Wait a moment.', retryable: true },
  TOKEN_INVALID: {
    title: 'Signed out',
    message: 'Your session is not valid. Please sign in again.',
    leavesRoom: true,
    signInAgain: true,
  },
  TOKEN_EXPIRED: {
    title: 'Session expired',
    message: 'Your session has expired. Please sign in again.',
    leavesRoom: true,
    signInAgain: true,
  },
  TOKEN_REVOKED: {
    title: 'Signed out',
    message: 'Your session was revoked.',
    leavesRoom: true,
    signInAgain: true,
  },
  NOT_ENTITLED: {
    title: 'Not invited',
    message: 'You are not on the list of this conference.',
    leavesRoom: true,
  },
  ROOM_NOT_FOUND: {
    title: 'Room not found',
    message: 'The room does not exist on its media server (it may have moved or ended).',
    leavesRoom: true,
  },
  ROOM_ENDED: { title: 'Conference ended', message: 'This conference has ended.', leavesRoom: true },
  OVERLOADED: {
    title: 'Media server busy',
    message: 'The media server is overloaded right now.',
    retryable: true,
    leavesRoom: true,
  },
  DRAINING: {
    title: 'Media server closing',
    message: 'The media server is shutting down; new rooms cannot start there.',
    retryable: true,
    leavesRoom: true,
  },
  MEDIA_UNAVAILABLE: {
    title: 'Media unavailable',
    message: 'The media server is unavailable right now.',
    retryable: true,
    leavesRoom: true,
  },
  EVENTS_UNAVAILABLE: {
    title: 'Temporarily unavailable',
    message: `The media server cannot record this right now. ${LATER}`,
    retryable: true,
  },
  SDP_REJECTED: { title: 'Media refused', message: 'The media server refused our audio/video setup.' },
  STREAM_NOT_READY: { title: 'Stream not ready', message: 'That participant is not sending yet.' },
  ALREADY_PUBLISHING: { title: 'Already on air', message: 'You are already sending audio/video.' },
  P2P_SIGNAL_REFUSED: { title: 'Call setup refused', message: 'The call could not be set up.' },
  WRONG_ROOM_MEDIA: { title: 'Not in this room', message: 'This kind of media is not used in this room.' },
  NOT_JOINED: { title: 'Not connected', message: 'You are not connected to the room.' },
  SESSION_REPLACED: {
    title: 'Joined elsewhere',
    message:
      'You joined this room in another window or tab, so this one left it. Try again to come back here.',
    retryable: true,
    leavesRoom: true,
  },
  INTERNAL: { title: 'Something went wrong', message: 'The media server had a problem.', retryable: true },
  // ---- room rules
  ROOM_FULL: { title: 'Room full', message: 'Every speaker slot of the room is taken (9 at most).' },
  P2P_FULL: { title: 'Call full', message: 'This call already has two people.', leavesRoom: true },
  PARTICIPANT_LIMIT_REACHED: {
    title: 'Room full',
    message: 'The room has reached its participant limit.',
    leavesRoom: true,
    retryable: true,
  },
  NOT_ALLOWED: { title: 'Not invited', message: 'You are not allowed in this room.', leavesRoom: true },
  NOT_OWNER: { title: 'Owner only', message: 'Only the room owner (its oldest speaker) may do this.' },
  NOT_A_PUBLISHER: { title: 'Speakers only', message: 'Only speakers may do this.' },
  ALREADY_PUBLISHER: { title: 'Already a speaker', message: 'You are a speaker already.' },
  VIDEO_NOT_ALLOWED: { title: 'Audio only', message: 'This room is audio only.' },
  HAND_ALREADY_RAISED: { title: 'Hand raised', message: 'Your hand is raised already.' },
  HAND_NOT_RAISED: { title: 'No request', message: 'That participant has not asked to speak (any more).' },
  CANNOT_KICK_SELF: { title: 'Not possible', message: 'You cannot remove yourself; leave instead.' },
  CANNOT_KICK_OWNER: { title: 'Not possible', message: 'Nobody can remove the room owner.' },
  CANNOT_KICK_CREATOR: { title: 'Not possible', message: "Nobody can remove the conference's creator." },
  NOT_CREATOR: { title: 'Creator only', message: "Only the conference's creator may end it for everyone." },
  TARGET_NOT_IN_ROOM: { title: 'Already gone', message: 'That participant has left the room.' },
  SCREEN_SHARE_NOT_ALLOWED: { title: 'No screen sharing', message: 'Screens cannot be shared in this room.' },
  SCREEN_SHARE_TAKEN: {
    title: 'Someone is presenting',
    message: 'Someone else is sharing a screen. You can share yours when they stop.',
  },
  'sdk.screen-share-unavailable': {
    title: 'Screen sharing unavailable',
    message: 'Your screen cannot be shared here right now.',
  },
  'sdk.screen-share-cancelled': {
    title: 'Not shared',
    message: 'Screen sharing was cancelled; nothing is shared.',
  },
  CHILD_TEXT_EMPTY: { title: 'Empty message', message: 'Type something first.' },
  CHILD_TEXT_TOO_LONG: { title: 'Too long', message: 'That message is too long (2000 characters at most).' },
  // ---- the app's own
  'room.kicked': { title: 'Removed', message: 'You were removed from the conference.', leavesRoom: true },
  'room.ended': { title: 'Conference ended', message: 'The conference has ended.', leavesRoom: true },
  'room.connection-lost': {
    title: 'Connection lost',
    message: 'The connection to the conference was lost.',
    retryable: true,
    leavesRoom: true,
  },
  'sdk.media-failed': {
    title: 'Media problem',
    message: 'Part of the call could not connect. hoot keeps trying; you stay in the room.',
  },
  'sdk.device-unavailable': {
    title: 'Device unavailable',
    message:
      'That camera or microphone could not be started (another app may be using it, or it was unplugged). The one you had stays on.',
  },
  'sdk.device-lost': {
    title: 'Device disconnected',
    message:
      'Your camera or microphone was disconnected and no other one could be started. Plug one in and pick it in the settings.',
  },
  'media.denied': {
    title: 'Camera blocked',
    message: 'Allow camera and microphone access to be seen and heard. You can still watch and listen.',
  },
  'media.not-found': {
    title: 'No camera',
    message: 'No camera or microphone was found. You can still watch and listen.',
  },
  'web.offline': {
    title: 'Offline',
    message: 'The server could not be reached. Check your connection.',
    retryable: true,
  },
};

const FALLBACK: Entry = { title: 'Something went wrong', message: 'An unexpected error happened.' };

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
  const entry = MESSAGES[code] ?? fallbackFor(code, e);
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

function fallbackFor(code: string, e: ErrorLike): Entry {
  if (code.startsWith('token.') || code === 'http.401') {
    return {
      title: 'Signed out',
      message: 'Your session is not valid. Please sign in again.',
      signInAgain: true,
    };
  }
  if (/^http\.5\d\d$/.test(code))
    return { title: 'Server error', message: `The server had a problem. ${LATER}`, retryable: true };
  if (code.startsWith('request.')) return MESSAGES['request.invalid'];
  // A server's or the SDK's message (the error has a code of ours) may be shown; a browser's never is.
  if (code === 'web.unexpected') return FALLBACK;
  return typeof e.message === 'string' && e.message ? { ...FALLBACK, message: e.message } : FALLBACK;
}

/** Whether a code has its own message (used by the spec to check every known code is covered). */
export function hasMessage(code: string): boolean {
  return code in MESSAGES;
}
