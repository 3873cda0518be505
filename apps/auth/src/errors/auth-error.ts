import { httpStatusOf, type AuthErrorCode } from '@hoot/contracts';
import { HootException } from '@hoot/service-kit';

/**
 * The one way auth raises its own refusals: a catalogue code (`@hoot/contracts`), never a status. The HTTP
 * status is looked up here, once, in the catalogue's exhaustive table (`httpStatusOf`), so auth cannot answer
 * a code with a status another service (or the SDK, or the web app) does not expect.
 *
 * What auth answers besides its own codes comes from the shared libs, whose statuses are the catalogue's too
 * (`auth-error.spec.ts` walks them all): a refused token (`token.*`, 401 with a `WWW-Authenticate` challenge),
 * `auth.unauthenticated` and `auth.keys-unavailable` from `@hoot/auth-kit`, and the request and service codes
 * (`request.invalid`, `route.not-found`, `service.internal`…) from `@hoot/service-kit`.
 */
export function authError(
  code: AuthErrorCode,
  message: string,
  details?: Record<string, unknown>,
  /** Extra response headers (e.g. `Retry-After`). */
  headers?: Record<string, string>,
): HootException {
  return new HootException(code, httpStatusOf(code), message, details, headers);
}
