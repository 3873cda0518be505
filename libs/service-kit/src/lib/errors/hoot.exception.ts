/**
 * The one typed error of hoot's HTTP services: a stable `code`, an HTTP status, a human message and
 * optional details. The problem+json filter turns it into the answer; nothing else needs to know HTTP.
 */
export class HootException extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Extra response headers (e.g. `Retry-After`). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HootException';
  }
}
