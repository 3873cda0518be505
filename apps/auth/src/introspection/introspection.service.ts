import { Inject, Injectable } from '@nestjs/common';
import { TokenRejection, type AccountRecord } from '@hoot/domain';
import { TokenRejectedError, TokenVerifier, type HootClaims, type IntrospectionResult } from '@hoot/auth-kit';
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
    const standing = await this.standingOf(claims);
    if (!standing.ok) return { active: false, reason: standing.reason };
    return { active: true, claims, account: profileOf(standing.account) };
  }

  /** The database's view of a verified token: revoked `jti`, account disabled or gone, subject revoked since issue. */
  async standingOf(
    claims: Pick<HootClaims, 'sub' | 'jti' | 'iat'>,
  ): Promise<
    | { ok: true; account: AccountRecord }
    | { ok: false; reason: TokenRejection.Revoked | TokenRejection.AccountDisabled }
  > {
    const [account, revoked] = await Promise.all([
      this.accounts.findRecord(claims.sub),
      this.revocations.isTokenRevoked(claims.jti),
    ]);
    if (revoked) return { ok: false, reason: TokenRejection.Revoked };
    if (!account || account.disabled) return { ok: false, reason: TokenRejection.AccountDisabled };
    if (account.tokensNotBeforeMs !== undefined && claims.iat * 1000 < account.tokensNotBeforeMs) {
      return { ok: false, reason: TokenRejection.Revoked };
    }
    return { ok: true, account };
  }
}
