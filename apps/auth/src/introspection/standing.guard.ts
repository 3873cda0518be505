import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Identity } from '@hoot/auth-kit';
import { CallerStanding } from './caller-standing.service';

/** After `ServiceGuard` / `UserGuard`: the caller's token must still be good in the database (see `CallerStanding`). */
@Injectable()
export class StandingGuard implements CanActivate {
  constructor(private readonly standing: CallerStanding) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const identity = context.switchToHttp().getRequest<{ hootIdentity?: Identity }>().hootIdentity;
    if (!identity) throw new Error('StandingGuard must run after ServiceGuard or UserGuard');
    await this.standing.assertGood(identity.claims);
    return true;
  }
}
