import { SdkErrorCode } from '@hoot/contracts';

/**
 * The SDK's own error codes live in the one error catalogue (`@hoot/contracts`, beside the servers' codes that
 * `RegistryHttpError` carries unchanged); re-exported so SDK users keep importing them from `@hoot/sdk`.
 */
export { SdkErrorCode };

/** Base of every error the SDK raises on its own: carries a stable `code`. */
export class SdkError extends Error {
  constructor(
    readonly code: SdkErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
