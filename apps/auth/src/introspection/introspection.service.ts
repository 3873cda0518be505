import { Inject, Injectable } from '@nestjs/common';
import { TokenRejection } from '@hoot/domain';
import { TokenRejectedError, TokenVerifier, type IntrospectionResult } from '@hoot/auth-kit';
import { TOKEN_VERIFIER } from '../auth.tokens';
import { AccountsService, profileOf } from '../accounts/accounts.service';
import { RevocationsService } from '../revocations/revocations.service';

/**
 * The authoritative answer about a token: signature and claims as every verifier checks them, then
 * the database's view (revoked `jti`, subject revoked since issue, account disabled or gone), with the
 * account's metadata stamped on.
 */
@Injectable()
export class IntrospectionService {
  constructor(
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    private readonly accounts: AccountsService,
    private readonly revocations: RevocationsService,
  ) {}

  async introspect(token: string): Promise<IntrospectionResult> {
    let claims;
    try {
      ({ claims } = await this.verifier.verify(token));
    } catch (error) {
      if (error instanceof TokenRejectedError) return { active: false, reason: error.reason };
      throw error;
    }
    const [account, revoked] = await Promise.all([
      this.accounts.findRecord(claims.sub),
      this.revocations.isTokenRevoked(claims.jti),
    ]);
    if (revoked) return { active: false, reason: TokenRejection.Revoked };
    if (!account || account.disabled) return { active: false, reason: TokenRejection.AccountDisabled };
    if (account.tokensNotBeforeMs !== undefined && claims.iat * 1000 < account.tokensNotBeforeMs) {
      return { active: false, reason: TokenRejection.Revoked };
    }
    return { active: true, claims, account: profileOf(account) };
  }
}
