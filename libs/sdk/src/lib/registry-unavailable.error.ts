import type { RegistryHttpError } from './registry-http.error';
import { SdkError, SdkErrorCode } from './sdk-error-codes';

/** One failed try of a call: which registry, and why (timeout, network error, or a failing answer). */
export interface RegistryAttempt {
  registryId: string;
  /** `SdkError` (`sdk.registry-timeout` / `sdk.registry-network`) or the answer as a `RegistryHttpError`. */
  error: SdkError | RegistryHttpError;
}

/**
 * A call got no usable answer: every registry it was allowed to try failed (or the call was not
 * idempotent, so it stopped after the first failure). `attempts` lists each try in order.
 */
export class RegistryUnavailableError extends SdkError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly attempts: readonly RegistryAttempt[],
  ) {
    super(
      SdkErrorCode.RegistryUnavailable,
      `${method} ${path}: no registry answered (${attempts
        .map((a) => `${a.registryId}: ${a.error.message}`)
        .join('; ')})`,
    );
  }
}
