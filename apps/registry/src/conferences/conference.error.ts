import type { CashErrorCode } from '@hoot/contracts';
import { AuthErrorCode, ConferenceErrorCode, TokenRejection, type RoomErrorCode } from '@hoot/domain';

/**
 * The registry's own refusal codes: the conference codes, and the two token codes a join answers when
 * auth refuses the subject itself (`token.revoked`, `token.account-disabled`: the same codes the
 * registry's own verifier uses).
 */
export type ConferenceOwnCode = ConferenceErrorCode | TokenRejection.Revoked | TokenRejection.AccountDisabled;

/**
 * What the conference services refuse with: their own codes, and CASH's (`ALREADY_RECORDING`, …) that a
 * recording command passes through as the catalogue names them.
 */
export type ConferenceFailureCode = ConferenceOwnCode | CashErrorCode | RoomErrorCode;

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

/**
 * Auth's refusals of a join ticket because of the subject (`auth.subject-*`, 403) and what the user gets
 * for each: the same codes the registry's own verifier uses for a revoked token or a disabled account.
 */
const SUBJECT_REFUSALS: Record<
  string,
  { code: TokenRejection.Revoked | TokenRejection.AccountDisabled; message: string }
> = {
  [AuthErrorCode.SubjectRevoked]: {
    code: TokenRejection.Revoked,
    message: 'your access token was revoked; sign in again',
  },
  [AuthErrorCode.SubjectTokenInvalid]: {
    code: TokenRejection.Revoked,
    message: 'your access token is no longer accepted; sign in again',
  },
  [AuthErrorCode.SubjectDisabled]: {
    code: TokenRejection.AccountDisabled,
    message: 'your account is disabled',
  },
};

/** The user-facing refusal when `error` is auth refusing the subject itself (not retryable), else undefined. */
export function subjectRefusal(error: unknown): ConferenceError | undefined {
  const { status, code } = (error ?? {}) as { status?: unknown; code?: unknown };
  if (status !== 403 || typeof code !== 'string' || !Object.hasOwn(SUBJECT_REFUSALS, code)) return undefined;
  const refusal = SUBJECT_REFUSALS[code];
  return new ConferenceError(refusal.code, refusal.message);
}
