import { Inject, Injectable } from '@nestjs/common';
import { TokenRejection, type Clock } from '@hoot/domain';
import { TokenRejectedError, toAuthHttpException, type HootClaims } from '@hoot/auth-kit';
import { CLOCK } from '../auth.tokens';
import { IntrospectionService } from './introspection.service';

/**
 * How long a caller's token that passed the database checks is trusted without asking again: short, so a
 * revocation or a disabled account stops the caller within a second on every auth replica, yet a registry
 * asking for a ticket per join does not cost two database reads per join under load.
 */
export const CALLER_CHECK_TTL_MS = 500;
const CALLER_CHECK_MAX_ENTRIES = 10_000;

/**
 * Auth's own endpoints verify bearer tokens with the key ring (signature, lifetime, audience); this adds
 * what the signature cannot say — the token's `jti` revoked, its subject revoked since it was issued, the
 * account disabled or gone — from the database, like introspection. Used by the guards of every endpoint
 * that accepts a token (admin, services, registries).
 */
@Injectable()
export class CallerStanding {
  private readonly passed = new Map<string, number>();

  constructor(
    private readonly introspection: IntrospectionService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Throws 401 `token.revoked` / `token.account-disabled` when the caller's token is no longer good. */
  async assertGood(claims: Pick<HootClaims, 'sub' | 'jti' | 'iat'>): Promise<void> {
    const now = this.clock.now();
    const until = this.passed.get(claims.jti);
    if (until !== undefined && until > now) return;
    const standing = await this.introspection.standingOf(claims);
    if (!standing.ok) {
      this.passed.delete(claims.jti);
      throw toAuthHttpException(
        new TokenRejectedError(
          standing.reason,
          standing.reason === TokenRejection.Revoked ? 'token has been revoked' : 'the account is disabled',
        ),
      );
    }
    if (this.passed.size >= CALLER_CHECK_MAX_ENTRIES) this.passed.clear();
    this.passed.set(claims.jti, now + CALLER_CHECK_TTL_MS);
  }
}
