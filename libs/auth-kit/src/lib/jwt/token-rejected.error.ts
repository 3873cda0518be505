import { TokenRejection } from '@hoot/domain';

/** A verifier refused a token; `reason` is the stable code. */
export class TokenRejectedError extends Error {
  constructor(
    readonly reason: TokenRejection,
    message: string,
  ) {
    super(message);
    this.name = 'TokenRejectedError';
  }
}

/** The verification keys could not be obtained (JWKS unreachable): neither accept nor blame the token. */
export class KeysUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeysUnavailableError';
  }
}
