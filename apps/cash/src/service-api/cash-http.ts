import { RoomErrorCode } from '@hoot/domain';
import { HootException } from '@hoot/service-kit';
import { CashError, CashErrorCode } from '../cash-error';

const STATUS: Partial<Record<string, number>> = {
  [CashErrorCode.RoomNotFound]: 404,
  [CashErrorCode.RoomExists]: 409,
  [CashErrorCode.Overloaded]: 503,
  [CashErrorCode.Draining]: 503,
  [CashErrorCode.MediaUnavailable]: 503,
  [CashErrorCode.EventsUnavailable]: 503,
  [RoomErrorCode.INVALID_ROOM]: 400,
  [RoomErrorCode.ROOM_ENDED]: 409,
};

/** `OVERLOADED` → `cash.overloaded` (the dotted style of every problem+json code). */
export function httpCode(code: string): string {
  return `cash.${code.toLowerCase().replace(/_/g, '-')}`;
}

/** A CashError as the service API answers it (problem+json, `Retry-After` on temporary refusals). */
export function toHttp(error: unknown): unknown {
  if (!(error instanceof CashError)) return error;
  const status = STATUS[error.code] ?? 400;
  return new HootException(
    httpCode(error.code),
    status,
    error.message,
    undefined,
    error.retryAfterS !== undefined ? { 'retry-after': String(error.retryAfterS) } : undefined,
  );
}
