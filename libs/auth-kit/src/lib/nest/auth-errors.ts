import { AuthErrorCode } from '@hoot/domain';
import { HootException } from '@hoot/service-kit';
import { KeysUnavailableError, TokenRejectedError } from '../jwt/token-rejected.error';

const challenge = (error: string, description: string) => ({
  'www-authenticate': `Bearer realm="hoot", error="${error}", error_description="${description.replace(/"/g, "'")}"`,
});

/** Maps a verification failure to what an HTTP client sees (401 with a code per reason, or 503). */
export function toAuthHttpException(error: unknown): HootException {
  if (error instanceof TokenRejectedError) {
    return new HootException(
      error.reason,
      401,
      error.message,
      undefined,
      challenge('invalid_token', error.message),
    );
  }
  if (error instanceof KeysUnavailableError) {
    return new HootException(
      AuthErrorCode.KeysUnavailable,
      503,
      'token verification keys are unavailable; retry shortly',
      undefined,
      {
        'retry-after': '5',
      },
    );
  }
  if (error instanceof HootException) return error;
  throw error;
}

export function unauthenticated(): HootException {
  return new HootException(
    AuthErrorCode.Unauthenticated,
    401,
    'send credentials as "Authorization: Bearer <token>"',
    undefined,
    challenge('invalid_request', 'no bearer token'),
  );
}

export function forbidden(message: string): HootException {
  return new HootException(AuthErrorCode.Forbidden, 403, message);
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
  return match?.[1];
}
