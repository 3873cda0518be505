import type { RoomErrorCode } from '@hoot/domain';
import { CashErrorCode } from '@hoot/contracts';

/** CASH's own refusal codes live in the one error catalogue (`@hoot/contracts`); re-exported for CASH's files. */
export { CashErrorCode };

/** A refusal with a stable code; `retryAfterS` for temporary ones (overloaded, keys unavailable). */
export class CashError extends Error {
  constructor(
    readonly code: CashErrorCode | RoomErrorCode,
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'CashError';
  }
}
