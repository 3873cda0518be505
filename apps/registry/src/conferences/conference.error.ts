import { ConferenceErrorCode, TokenRejection } from '@hoot/domain';

/**
 * What the conference services refuse with: their own codes, and the two token codes a join answers when
 * auth refuses the subject itself (`token.revoked`, `token.account-disabled`: the same codes the
 * registry's own verifier uses).
 */
export type ConferenceFailureCode =
  ConferenceErrorCode | TokenRejection.Revoked | TokenRejection.AccountDisabled;

/**
 * A refusal of the conference services: a stable code, a message, optional details and how long to wait
 * before retrying. No HTTP status: the edge (`conference-problem.ts`) chooses it from the code.
 */
export class ConferenceError extends Error {
  constructor(
    readonly code: ConferenceFailureCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Seconds to wait before retrying (HTTP: `Retry-After`). */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'ConferenceError';
  }
}

/** Unknown, or not the caller's to see: the same answer either way (existence is not disclosed). */
export function conferenceNotFound(conferenceId: string): ConferenceError {
  return new ConferenceError(ConferenceErrorCode.NotFound, `no conference ${conferenceId}`);
}
