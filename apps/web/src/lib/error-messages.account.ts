import { AuthErrorCode, ConferenceErrorCode, ServiceErrorCode, TokenRejection } from '@hoot/domain';
import { CHECK_THE_FORM, LATER, type ErrorMessagesPart } from './error-entry';

/** The words for sign-in and tokens, conferences (registry) and generic HTTP codes. */
export const ACCOUNT_MESSAGES = {
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
} satisfies ErrorMessagesPart;
