import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import {
  ConferenceErrorCode as C,
  TokenRejection as T,
  httpStatusOf,
  type ErrorHttpStatus,
} from '@hoot/contracts';
import { HootException, sendProblem, type ReplyLike } from '@hoot/service-kit';
import { ConferenceError, type ConferenceFailureCode, type ConferenceOwnCode } from './conference.error';

/**
 * The HTTP status of every conference refusal, chosen here once (a code without a status does not
 * compile): the catalogue's (`httpStatusOf`), except one.
 */
export const CONFERENCE_HTTP_STATUS: Readonly<Record<ConferenceOwnCode, ErrorHttpStatus>> = {
  [C.AddressInvalid]: httpStatusOf(C.AddressInvalid),
  [C.UnknownIdentity]: httpStatusOf(C.UnknownIdentity),
  [C.NotFound]: httpStatusOf(C.NotFound),
  [C.IdTaken]: httpStatusOf(C.IdTaken),
  [C.NotOwner]: httpStatusOf(C.NotOwner),
  [C.NotEntitled]: httpStatusOf(C.NotEntitled),
  [C.LimitReached]: httpStatusOf(C.LimitReached),
  [C.Ended]: httpStatusOf(C.Ended),
  [C.CoreMxUnavailable]: httpStatusOf(C.CoreMxUnavailable),
  [C.NoCoreMxAvailable]: httpStatusOf(C.NoCoreMxAvailable),
  [C.TicketUnavailable]: httpStatusOf(C.TicketUnavailable),
  [C.RateLimited]: httpStatusOf(C.RateLimited),
  [C.NotLive]: httpStatusOf(C.NotLive),
  [T.Revoked]: httpStatusOf(T.Revoked),
  // A join by a disabled account is forbidden (403), as it always was: the caller's token verified, auth
  // refused the subject behind it. (A token refused by a verifier is 401, the catalogue's status.)
  [T.AccountDisabled]: 403,
};

/** The status of a refusal: the table above for the registry's own codes, the catalogue's for CASH's. */
export function conferenceHttpStatus(code: ConferenceFailureCode): ErrorHttpStatus {
  return Object.hasOwn(CONFERENCE_HTTP_STATUS, code)
    ? CONFERENCE_HTTP_STATUS[code as ConferenceOwnCode]
    : httpStatusOf(code);
}

/** The problem+json answer of a conference refusal: its status, `Retry-After`, and a Bearer challenge on 401. */
export function conferenceProblem(error: ConferenceError): HootException {
  const status = conferenceHttpStatus(error.code);
  const headers: Record<string, string> = {};
  if (error.retryAfterS !== undefined) headers['Retry-After'] = String(error.retryAfterS);
  if (status === 401)
    headers['www-authenticate'] =
      `Bearer realm="hoot", error="invalid_token", error_description="${error.message}"`;
  return new HootException(
    error.code,
    status,
    error.message,
    error.details,
    Object.keys(headers).length ? headers : undefined,
  );
}

/** The conferences API's edge: a `ConferenceError` leaves as problem+json with the status above. */
@Catch(ConferenceError)
export class ConferenceProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemJson');

  catch(error: ConferenceError, host: ArgumentsHost): void {
    sendProblem(host.switchToHttp().getResponse<ReplyLike>(), conferenceProblem(error), this.logger);
  }
}
