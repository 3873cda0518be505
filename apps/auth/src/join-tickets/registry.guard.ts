import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AuthErrorCode } from '@hoot/domain';
import type { Identity } from '@hoot/auth-kit';
import { REGISTRY_ID } from '@hoot/gossip';
import { authError } from '../errors/auth-error';
import { CallerStanding } from '../introspection/caller-standing.service';

/**
 * After `ServiceGuard`: the caller must be a registry, i.e. a service account whose username is a registry
 * id (`reg-<cloud>-<priority>`), and its token must still be good in the database (a registry whose account
 * was disabled or whose token was revoked is refused within `CALLER_CHECK_TTL_MS`; see `CallerStanding`).
 */
@Injectable()
export class RegistryGuard implements CanActivate {
  constructor(private readonly standing: CallerStanding) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const identity = context.switchToHttp().getRequest<{ hootIdentity?: Identity }>().hootIdentity;
    if (!identity) throw new Error('RegistryGuard must run after ServiceGuard');
    if (typeof identity.username !== 'string' || !REGISTRY_ID.test(identity.username))
      throw authError(
        AuthErrorCode.Forbidden,
        'only registries (service accounts named reg-<cloud>-<priority>) may do this',
      );
    await this.standing.assertGood(identity.claims);
    return true;
  }
}
