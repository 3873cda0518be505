import type { Clock } from '@hoot/domain';
import { MediaError, MediaErrorCode, toMediaError } from './media-error.exception';

/**
 * Settles with `promise` or rejects with MEDIA_TIMEOUT after `timeoutMs` on `clock`, whichever comes
 * first. A rejection is mapped to a MediaError. A value that arrives after the timeout goes to
 * `onLate` (so a created object can be released instead of leaking on the server).
 */
export function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  clock: Clock,
  operation: string,
  onLate?: (value: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = clock.setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(
        new MediaError(MediaErrorCode.Timeout, `${operation}: no answer within ${timeoutMs} ms`, {
          operation,
        }),
      );
    }, timeoutMs);
    promise.then(
      (value) => {
        if (settled) {
          onLate?.(value);
          return;
        }
        settled = true;
        clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(timer);
        reject(toMediaError(error, operation));
      },
    );
  });
}
