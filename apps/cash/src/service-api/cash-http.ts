import { cashProblemCode, httpStatusOf, type CashProblemCode } from '@hoot/contracts';
import type { RoomErrorCode } from '@hoot/domain';
import { HootException } from '@hoot/service-kit';
import { CashError, type CashErrorCode } from '../cash-error';

/** `OVERLOADED` → `cash.overloaded` (the dotted style of every problem+json code). */
export function httpCode(code: CashErrorCode | RoomErrorCode): CashProblemCode {
  return cashProblemCode(code);
}

/**
 * A CashError as the service API answers it: problem+json with the status of the one error catalogue
 * (`httpStatusOf`, exhaustive: no code falls back to a guess), `Retry-After` on temporary refusals.
 */
export function toHttp(error: unknown): unknown {
  if (!(error instanceof CashError)) return error;
  return new HootException(
    httpCode(error.code),
    httpStatusOf(error.code),
    error.message,
    undefined,
    error.retryAfterS !== undefined ? { 'retry-after': String(error.retryAfterS) } : undefined,
  );
}
