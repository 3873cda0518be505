import { RegistryHttpError } from './registry-http.error';

/**
 * A registry answered a `HootClient` call with an error: the server's problem+json `code` (stable:
 * branch on it, e.g. `conference.not-entitled`, `auth.invalid-credentials`), `status`, the `detail` as
 * `message`, and `retryAfterS` from `Retry-After`. Every field of `RegistryHttpError` stays available.
 */
export class HootApiError extends RegistryHttpError {
  override readonly name: string = 'HootApiError';

  /** `Retry-After` in whole seconds (rounded up), when the server sent one. */
  get retryAfterS(): number | undefined {
    return this.retryAfterMs === undefined ? undefined : Math.ceil(this.retryAfterMs / 1000);
  }

  static from(error: RegistryHttpError): HootApiError {
    if (error instanceof HootApiError) return error;
    return new HootApiError(
      error.status,
      error.code,
      error.title,
      error.detail,
      error.retryAfterMs,
      error.problem,
      error.registryId,
    );
  }
}
