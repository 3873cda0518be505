/**
 * Stable error codes every hoot HTTP service can answer with (the `code` of a problem+json body).
 * Clients branch on these, never on messages: never rename one, only add.
 */
export enum ServiceErrorCode {
  /** The body or query failed validation (missing fields, wrong types, unknown fields). */
  RequestInvalid = 'request.invalid',
  /** The body could not be parsed (broken JSON, empty JSON body). */
  RequestMalformed = 'request.malformed',
  /** The body is larger than the service accepts. */
  RequestTooLarge = 'request.too-large',
  /** The body has a content type the service does not read. */
  UnsupportedMediaType = 'request.unsupported-media-type',
  /** No route matches the method and path. */
  RouteNotFound = 'route.not-found',
  /** A dependency needed to answer is unavailable. */
  Unavailable = 'service.unavailable',
  /** The service is not ready (a dependency check failed, or it is shutting down). */
  NotReady = 'service.not-ready',
  /** An unexpected failure; details are in the service log, never in the answer. */
  Internal = 'service.internal',
}
