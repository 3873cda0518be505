import {
  CashErrorCode,
  GossipErrorCode,
  MembershipErrorCode,
  SdkErrorCode,
  WebAssetsErrorCode,
  type HootErrorCode,
} from '@hoot/contracts';
import {
  AuthErrorCode,
  ConferenceErrorCode,
  RoomErrorCode,
  ServiceErrorCode,
  TokenRejection,
  WebhookErrorCode,
} from '@hoot/domain';
import { WebErrorCode } from './web-error-codes';

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

/** Every code the app can meet: the catalogue of `@hoot/contracts` and the app's own. */
export type KnownErrorCode = HootErrorCode | WebErrorCode;

/** The words the app has for one code. */
export interface ErrorEntry {
  title: string;
  message: string;
  retryable?: boolean;
  leavesRoom?: boolean;
  signInAgain?: boolean;
}

const LATER = 'Please try again in a moment.';

const CHECK_THE_FORM: ErrorEntry = { title: 'Check the form', message: 'Some of the values are not valid.' };

/**
 * One entry per code, exhaustive (a new code anywhere in the catalogue does not compile until it is decided
 * here). `null`: no words of our own: the general rules of `fallbackFor` apply (a token problem asks to sign
 * in again, a request problem says to check the form, anything else shows the server's or the SDK's message).
 */
export type ErrorMessages = Readonly<Record<KnownErrorCode, ErrorEntry | null>>;

const MESSAGES: ErrorMessages = {
  // ---- sign-in and tokens
  [AuthErrorCode.InvalidCredentials]: {
    title: 'Sign-in failed',
    message: 'The username or password is not right.',
  },
  [AuthErrorCode.RateLimited]: {
    title: 'Too many attempts',
    message: `Too many sign-in attempts. ${LATER}`,
    retryable: true,
  },
  [AuthErrorCode.Unauthenticated]: {
    title: 'Signed out',
    message: 'Your session has ended. Please sign in again.',
    signInAgain: true,
  },
  [AuthErrorCode.Forbidden]: { title: 'Not allowed', message: 'Your account may not do this.' },
  [AuthErrorCode.KeysUnavailable]: {
    title: 'Sign-in unavailable',
    message: `Sign-in is briefly unavailable. ${LATER}`,
    retryable: true,
  },
  [TokenRejection.Expired]: {
    title: 'Session expired',
    message: 'Your session has expired. Please sign in again.',
    signInAgain: true,
  },
  [TokenRejection.Revoked]: {
    title: 'Signed out',
    message: 'Your session was revoked. Please sign in again.',
    signInAgain: true,
  },
  [TokenRejection.AccountDisabled]: {
    title: 'Account disabled',
    message: 'This account is disabled.',
    signInAgain: true,
  },
  [TokenRejection.Malformed]: {
    title: 'Signed out',
    message: 'Your session is not valid. Please sign in again.',
    signInAgain: true,
  },
  // ---- conferences (registry)
  [ConferenceErrorCode.AddressInvalid]: {
    title: 'Invalid address',
    message: 'That conference address is not valid. It looks like hoot.mx://standup@coremx-1.c1.hoot.mx.',
  },
  [ConferenceErrorCode.UnknownIdentity]: {
    title: 'Unknown people',
    message: 'Some of the allowed people do not have an account.',
  },
  [ConferenceErrorCode.NotFound]: {
    title: 'Conference not found',
    message: 'There is no such conference, or you may not see it.',
    leavesRoom: true,
  },
  [ConferenceErrorCode.IdTaken]: {
    title: 'Name taken',
    message: 'That conference id belongs to someone else. Choose another one.',
  },
  [ConferenceErrorCode.NotOwner]: {
    title: 'Owner only',
    message: 'Only the owner of the conference may end it.',
  },
  [ConferenceErrorCode.NotEntitled]: {
    title: 'Not invited',
    message: 'You are not on the list of this conference. Ask its owner to add you.',
    leavesRoom: true,
  },
  [ConferenceErrorCode.LimitReached]: {
    title: 'Limit reached',
    message: 'Your plan allows no more open conferences. End one first.',
  },
  [ConferenceErrorCode.Ended]: {
    title: 'Conference ended',
    message: 'This conference has ended.',
    leavesRoom: true,
  },
  [ConferenceErrorCode.CoreMxUnavailable]: {
    title: 'Media server unavailable',
    message: 'The media server of this conference is unavailable or overloaded right now.',
    retryable: true,
    leavesRoom: true,
  },
  [ConferenceErrorCode.NoCoreMxAvailable]: {
    title: 'No capacity',
    message: 'No media server can host a new conference right now.',
    retryable: true,
  },
  [ConferenceErrorCode.TicketUnavailable]: {
    title: 'Join unavailable',
    message: `Joining is briefly unavailable. ${LATER}`,
    retryable: true,
    leavesRoom: true,
  },
  [ConferenceErrorCode.RateLimited]: {
    title: 'Slow down',
    message: 'Too many requests in a short time.',
    retryable: true,
  },
  // ---- generic HTTP
  [ServiceErrorCode.RequestInvalid]: CHECK_THE_FORM,
  [ServiceErrorCode.RequestMalformed]: { title: 'Request refused', message: 'The request was malformed.' },
  [ServiceErrorCode.RequestTooLarge]: { title: 'Too large', message: 'That is too much at once.' },
  [ServiceErrorCode.RouteNotFound]: { title: 'Not found', message: 'That page or resource does not exist.' },
  [ServiceErrorCode.Unavailable]: {
    title: 'Unavailable',
    message: `The service is unavailable. ${LATER}`,
    retryable: true,
  },
  [ServiceErrorCode.NotReady]: {
    title: 'Starting up',
    message: `The service is starting. ${LATER}`,
    retryable: true,
  },
  [ServiceErrorCode.Internal]: {
    title: 'Something went wrong',
    message: 'The server had a problem. Please try again.',
    retryable: true,
  },
  // ---- SDK
  [SdkErrorCode.RegistryUnavailable]: {
    title: 'Offline',
    message: 'No registry could be reached. Check your connection.',
    retryable: true,
  },
  [SdkErrorCode.RegistryTimeout]: {
    title: 'Timed out',
    message: 'The registry did not answer in time.',
    retryable: true,
  },
  [SdkErrorCode.RegistryNetwork]: {
    title: 'Network error',
    message: 'The registry could not be reached.',
    retryable: true,
  },
  [SdkErrorCode.AnswerInvalid]: {
    title: 'Unexpected answer',
    message: 'The server answered something the app does not understand.',
  },
  [SdkErrorCode.MediaUnsupported]: {
    title: 'No WebRTC',
    message: 'This browser cannot do audio/video calls here (it needs WebRTC on a secure origin).',
  },
  // ---- signaling (CASH)
  [CashErrorCode.TicketInvalid]: {
    title: 'Invalid link',
    message: 'This join link is not valid.',
    leavesRoom: true,
  },
  [CashErrorCode.TicketExpired]: {
    title: 'Link expired',
    message: 'This join link has expired. Join the conference again.',
    leavesRoom: true,
  },
  [CashErrorCode.TicketRevoked]: {
    title: 'Link revoked',
    message: 'This join link was revoked.',
    leavesRoom: true,
  },
  [CashErrorCode.TicketWrongCoreMx]: {
    title: 'Conference moved',
    message: 'The conference moved to another media server. Join it again.',
    leavesRoom: true,
    retryable: true,
  },
  [CashErrorCode.TicketKeysUnavailable]: {
    title: 'Join unavailable',
    message: `The media server cannot check tickets right now. ${LATER}`,
    retryable: true,
    leavesRoom: true,
  },
  [RoomErrorCode.TICKET_KICKED]: {
    title: 'Removed',
    message: 'You were removed from this conference and cannot rejoin with this link.',
    leavesRoom: true,
  },
  [CashErrorCode.TicketUsed]: {
    title: 'Link used',
    message: 'This join link was used already. Join the conference again.',
    leavesRoom: true,
  },
  [RoomErrorCode.BANNED]: {
    title: 'Removed',
    message: 'You were removed from this room; its owner must let you back in.',
    leavesRoom: true,
  },
  [CashErrorCode.RateLimited]: {
    title: 'Slow down',
    message: 'Too many messages at once. Wait a moment.',
    retryable: true,
  },
  [CashErrorCode.TokenInvalid]: {
    title: 'Signed out',
    message: 'Your session is not valid. Please sign in again.',
    leavesRoom: true,
    signInAgain: true,
  },
  [CashErrorCode.TokenExpired]: {
    title: 'Session expired',
    message: 'Your session has expired. Please sign in again.',
    leavesRoom: true,
    signInAgain: true,
  },
  [CashErrorCode.TokenRevoked]: {
    title: 'Signed out',
    message: 'Your session was revoked.',
    leavesRoom: true,
    signInAgain: true,
  },
  [CashErrorCode.NotEntitled]: {
    title: 'Not invited',
    message: 'You are not on the list of this conference.',
    leavesRoom: true,
  },
  [CashErrorCode.RoomNotFound]: {
    title: 'Room not found',
    message: 'The room does not exist on its media server (it may have moved or ended).',
    leavesRoom: true,
  },
  [RoomErrorCode.ROOM_ENDED]: {
    title: 'Conference ended',
    message: 'This conference has ended.',
    leavesRoom: true,
  },
  [CashErrorCode.Overloaded]: {
    title: 'Media server busy',
    message: 'The media server is overloaded right now.',
    retryable: true,
    leavesRoom: true,
  },
  [CashErrorCode.Draining]: {
    title: 'Media server closing',
    message: 'The media server is shutting down; new rooms cannot start there.',
    retryable: true,
    leavesRoom: true,
  },
  [CashErrorCode.MediaUnavailable]: {
    title: 'Media unavailable',
    message: 'The media server is unavailable right now.',
    retryable: true,
    leavesRoom: true,
  },
  [CashErrorCode.EventsUnavailable]: {
    title: 'Temporarily unavailable',
    message: `The media server cannot record this right now. ${LATER}`,
    retryable: true,
  },
  [CashErrorCode.SdpRejected]: {
    title: 'Media refused',
    message: 'The media server refused our audio/video setup.',
  },
  [CashErrorCode.StreamNotReady]: {
    title: 'Stream not ready',
    message: 'That participant is not sending yet.',
  },
  [CashErrorCode.AlreadyPublishing]: {
    title: 'Already on air',
    message: 'You are already sending audio/video.',
  },
  [CashErrorCode.P2pSignalRefused]: { title: 'Call setup refused', message: 'The call could not be set up.' },
  [CashErrorCode.WrongRoomMedia]: {
    title: 'Not in this room',
    message: 'This kind of media is not used in this room.',
  },
  [CashErrorCode.NotJoined]: { title: 'Not connected', message: 'You are not connected to the room.' },
  [CashErrorCode.SessionReplaced]: {
    title: 'Joined elsewhere',
    message:
      'You joined this room in another window or tab, so this one left it. Try again to come back here.',
    retryable: true,
    leavesRoom: true,
  },
  [CashErrorCode.Internal]: {
    title: 'Something went wrong',
    message: 'The media server had a problem.',
    retryable: true,
  },
  // ---- room rules
  [RoomErrorCode.ROOM_FULL]: {
    title: 'Room full',
    message: 'Every speaker slot of the room is taken (9 at most).',
  },
  [RoomErrorCode.P2P_FULL]: {
    title: 'Call full',
    message: 'This call already has two people.',
    leavesRoom: true,
  },
  [RoomErrorCode.PARTICIPANT_LIMIT_REACHED]: {
    title: 'Room full',
    message: 'The room has reached its participant limit.',
    leavesRoom: true,
    retryable: true,
  },
  [RoomErrorCode.NOT_ALLOWED]: {
    title: 'Not invited',
    message: 'You are not allowed in this room.',
    leavesRoom: true,
  },
  [RoomErrorCode.NOT_OWNER]: {
    title: 'Owner only',
    message: 'Only the room owner (its oldest speaker) may do this.',
  },
  [RoomErrorCode.NOT_A_PUBLISHER]: { title: 'Speakers only', message: 'Only speakers may do this.' },
  [RoomErrorCode.ALREADY_PUBLISHER]: { title: 'Already a speaker', message: 'You are a speaker already.' },
  [RoomErrorCode.VIDEO_NOT_ALLOWED]: { title: 'Audio only', message: 'This room is audio only.' },
  [RoomErrorCode.HAND_ALREADY_RAISED]: { title: 'Hand raised', message: 'Your hand is raised already.' },
  [RoomErrorCode.HAND_NOT_RAISED]: {
    title: 'No request',
    message: 'That participant has not asked to speak (any more).',
  },
  [RoomErrorCode.CANNOT_KICK_SELF]: {
    title: 'Not possible',
    message: 'You cannot remove yourself; leave instead.',
  },
  [RoomErrorCode.CANNOT_KICK_OWNER]: { title: 'Not possible', message: 'Nobody can remove the room owner.' },
  [RoomErrorCode.CANNOT_KICK_CREATOR]: {
    title: 'Not possible',
    message: "Nobody can remove the conference's creator.",
  },
  [RoomErrorCode.NOT_CREATOR]: {
    title: 'Creator only',
    message: "Only the conference's creator may end it for everyone.",
  },
  [RoomErrorCode.TARGET_NOT_IN_ROOM]: {
    title: 'Already gone',
    message: 'That participant has left the room.',
  },
  [RoomErrorCode.SCREEN_SHARE_NOT_ALLOWED]: {
    title: 'No screen sharing',
    message: 'Screens cannot be shared in this room.',
  },
  [RoomErrorCode.SCREEN_SHARE_TAKEN]: {
    title: 'Someone is presenting',
    message: 'Someone else is sharing a screen. You can share yours when they stop.',
  },
  [SdkErrorCode.ScreenShareUnavailable]: {
    title: 'Screen sharing unavailable',
    message: 'Your screen cannot be shared here right now.',
  },
  [SdkErrorCode.ScreenShareCancelled]: {
    title: 'Not shared',
    message: 'Screen sharing was cancelled; nothing is shared.',
  },
  [RoomErrorCode.CHILD_TEXT_EMPTY]: { title: 'Empty message', message: 'Type something first.' },
  [RoomErrorCode.CHILD_TEXT_TOO_LONG]: {
    title: 'Too long',
    message: 'That message is too long (2000 characters at most).',
  },
  // ---- the app's own
  [WebErrorCode.RoomKicked]: {
    title: 'Removed',
    message: 'You were removed from the conference.',
    leavesRoom: true,
  },
  [WebErrorCode.RoomEnded]: {
    title: 'Conference ended',
    message: 'The conference has ended.',
    leavesRoom: true,
  },
  [WebErrorCode.ConnectionLost]: {
    title: 'Connection lost',
    message: 'The connection to the conference was lost.',
    retryable: true,
    leavesRoom: true,
  },
  [SdkErrorCode.MediaFailed]: {
    title: 'Media problem',
    message: 'Part of the call could not connect. hoot keeps trying; you stay in the room.',
  },
  [SdkErrorCode.DeviceUnavailable]: {
    title: 'Device unavailable',
    message:
      'That camera or microphone could not be started (another app may be using it, or it was unplugged). The one you had stays on.',
  },
  [SdkErrorCode.DeviceLost]: {
    title: 'Device disconnected',
    message:
      'Your camera or microphone was disconnected and no other one could be started. Plug one in and pick it in the settings.',
  },
  [WebErrorCode.MediaDenied]: {
    title: 'Camera blocked',
    message: 'Allow camera and microphone access to be seen and heard. You can still watch and listen.',
  },
  [WebErrorCode.MediaNotFound]: {
    title: 'No camera',
    message: 'No camera or microphone was found. You can still watch and listen.',
  },
  [WebErrorCode.Offline]: {
    title: 'Offline',
    message: 'The server could not be reached. Check your connection.',
    retryable: true,
  },
  // ---- no words of our own: the rules of `fallbackFor` (sign in again, check the form, the server's message)
  [ServiceErrorCode.UnsupportedMediaType]: null,
  [AuthErrorCode.AccountExists]: null,
  [AuthErrorCode.AccountNotFound]: null,
  [AuthErrorCode.SubjectDisabled]: null,
  [AuthErrorCode.SubjectRevoked]: null,
  [AuthErrorCode.SubjectTokenInvalid]: null,
  [AuthErrorCode.TicketKeyExists]: null,
  [TokenRejection.TooLarge]: null,
  [TokenRejection.AlgorithmNotAllowed]: null,
  [TokenRejection.UnknownKey]: null,
  [TokenRejection.BadSignature]: null,
  [TokenRejection.WrongIssuer]: null,
  [TokenRejection.WrongAudience]: null,
  [TokenRejection.NotYetValid]: null,
  [WebhookErrorCode.NotFound]: null,
  [WebhookErrorCode.UrlInvalid]: null,
  [WebhookErrorCode.UrlNotAllowed]: null,
  [WebhookErrorCode.DeadLetterNotFound]: null,
  [MembershipErrorCode.NotFound]: null,
  [MembershipErrorCode.NotBound]: null,
  [GossipErrorCode.NotARegistry]: null,
  [GossipErrorCode.MessageInvalid]: null,
  [WebAssetsErrorCode.NotBuilt]: null,
  [CashErrorCode.MessageMalformed]: null,
  [CashErrorCode.MessageTooLarge]: null,
  [CashErrorCode.UnknownType]: null,
  [CashErrorCode.InvalidMessage]: null,
  [CashErrorCode.AlreadyJoined]: null,
  [CashErrorCode.RoomExists]: null,
  [CashErrorCode.NotSubscribed]: null,
  [CashErrorCode.CannotSubscribeSelf]: null,
  [CashErrorCode.MovedFromSelf]: null,
  [CashErrorCode.ReservationTooLarge]: null,
  [CashErrorCode.TooManyConnections]: null,
  [CashErrorCode.JoinTimeout]: null,
  [RoomErrorCode.INVALID_COMMAND]: null,
  [RoomErrorCode.INVALID_ROOM]: null,
  [RoomErrorCode.NO_VIEWERS_IN_P2P]: null,
  [RoomErrorCode.PUBLISH_NOT_GRANTED]: null,
  [RoomErrorCode.ALREADY_IN_ROOM]: null,
  [RoomErrorCode.TICKET_IN_USE]: null,
  [RoomErrorCode.NOT_IN_ROOM]: null,
  [RoomErrorCode.STREAM_ALREADY_PUBLISHED]: null,
  [RoomErrorCode.STREAM_NOT_PUBLISHED]: null,
  [RoomErrorCode.NOT_BANNED]: null,
  [RoomErrorCode.CHILDREN_ONE_LEVEL_ONLY]: null,
  [RoomErrorCode.PATCH_INVALID]: null,
  [RoomErrorCode.PATCH_VERSION_MISMATCH]: null,
  [SdkErrorCode.RegistryListInvalid]: null,
  [SdkErrorCode.OptionsInvalid]: null,
  [SdkErrorCode.RequestInvalid]: null,
  [SdkErrorCode.DiscoveryFailed]: null,
  [SdkErrorCode.SignalingConnectFailed]: null,
  [SdkErrorCode.SignalingClosed]: null,
  [SdkErrorCode.SignalingTimeout]: null,
  [SdkErrorCode.RoomNotConnected]: null,
  [SdkErrorCode.ReconnectFailed]: null,
  [SdkErrorCode.CredentialsRevoked]: null,
  [WebErrorCode.Unexpected]: null,
};

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
