import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { TokenRejection } from '@hoot/domain';
import { TokenRejectedError, forbidden, toAuthHttpException, type Identity } from '@hoot/auth-kit';
import { REGISTRY_ID } from '@hoot/gossip';
import { AccountsService } from '../accounts/accounts.service';
import { RevocationsService } from '../revocations/revocations.service';

/**
 * After `ServiceGuard`: the caller must be a registry, i.e. a service account whose username is a registry
 * id (`reg-<cloud>-<priority>`). Since auth holds the database, it also refuses a registry whose account
 * was disabled or whose token was revoked, without waiting for the service token to expire. A token that
 * passed is trusted for `REGISTRY_CHECK_TTL_MS` (every join asks for a ticket: two database reads per join
 * would dominate its cost); a disabled account or a revocation is seen within that time.
 */
/** How long a registry token that passed the account and revocation checks is trusted (as introspection caches). */
export const REGISTRY_CHECK_TTL_MS = 5_000;
const REGISTRY_CHECK_MAX_ENTRIES = 1_000;

@Injectable()
export class RegistryGuard implements CanActivate {
  private readonly passed = new Map<string, number>();

  constructor(
    private readonly accounts: AccountsService,
    private readonly revocations: RevocationsService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const identity = context.switchToHttp().getRequest<{ hootIdentity?: Identity }>().hootIdentity;
    if (!identity) throw new Error('RegistryGuard must run after ServiceGuard');
    if (typeof identity.username !== 'string' || !REGISTRY_ID.test(identity.username))
      throw forbidden('only registries (service accounts named reg-<cloud>-<priority>) may do this');
    const now = Date.now();
    const until = this.passed.get(identity.tokenId);
    if (until !== undefined && until > now) return true;
    const [account, revoked] = await Promise.all([
      this.accounts.findRecord(identity.subject),
      this.revocations.isTokenRevoked(identity.tokenId),
    ]);
    if (!account || account.disabled)
      throw toAuthHttpException(
        new TokenRejectedError(TokenRejection.AccountDisabled, 'the account is disabled'),
      );
    const issuedAtMs = identity.claims.iat * 1000;
    if (revoked || (account.tokensNotBeforeMs !== undefined && issuedAtMs < account.tokensNotBeforeMs))
      throw toAuthHttpException(new TokenRejectedError(TokenRejection.Revoked, 'token has been revoked'));
    if (this.passed.size >= REGISTRY_CHECK_MAX_ENTRIES) this.passed.clear();
    this.passed.set(identity.tokenId, now + REGISTRY_CHECK_TTL_MS);
    return true;
  }
}
