import { Injectable } from '@nestjs/common';
import { AuthErrorCode, TokenRejection } from '@hoot/domain';
import { invalidRequest } from '@hoot/service-kit';
import { authError } from '../errors/auth-error';
import { AccountsService } from '../accounts/accounts.service';
import { IntrospectionService } from '../introspection/introspection.service';

/**
 * Before a join ticket is signed: the subject must be an enabled account and, when the registry passes the
 * token the user joined with (`subjectToken`), that token must still be good — signature and lifetime, its
 * `jti` not revoked, not issued before a whole-subject revocation, and a token *of that subject*. Read from
 * the database on every request (no cache), so a revocation or a disabled account stops tickets at once.
 */
@Injectable()
export class SubjectStanding {
  constructor(
    private readonly accounts: AccountsService,
    private readonly introspection: IntrospectionService,
  ) {}

  /** Throws 403 `auth.subject-disabled` / `auth.subject-revoked` / `auth.subject-token-invalid`, or 400. */
  async assertMayJoin(subject: string, subjectToken?: string): Promise<void> {
    if (subjectToken === undefined) {
      const account = await this.accounts.findRecord(subject);
      if (!account || account.disabled) throw disabled(subject);
      return;
    }
    const result = await this.introspection.introspect(subjectToken);
    if (result.active) {
      if (result.claims?.sub !== subject)
        throw invalidRequest([{ field: 'subjectToken', problems: ['is not a token of subject'] }]);
      return;
    }
    if (result.reason === TokenRejection.AccountDisabled) throw disabled(subject);
    if (result.reason === TokenRejection.Revoked)
      throw authError(
        AuthErrorCode.SubjectRevoked,
        `the token of ${subject} has been revoked: no join ticket`,
      );
    throw authError(
      AuthErrorCode.SubjectTokenInvalid,
      `the subject's token is not valid (${result.reason}): no join ticket`,
      { reason: result.reason },
    );
  }
}

const disabled = (subject: string) =>
  authError(
    AuthErrorCode.SubjectDisabled,
    `the account ${subject} is disabled or does not exist: no join ticket`,
  );
