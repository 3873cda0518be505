import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ADMIN_ROLE, AuthErrorCode, SERVICE_ROLE, TokenRejection } from '@hoot/domain';
import {
  AUTH_KIT_OPTIONS,
  TokenRejectedError,
  bearerToken,
  identityOf,
  toAuthHttpException,
  unauthenticated,
  type AuthKitOptions,
} from '@hoot/auth-kit';
import { AUTH_CONFIG } from '../auth.tokens';
import { authError } from '../errors/auth-error';
import { CallerStanding } from '../introspection/caller-standing.service';
import type { AuthConfig } from '../config/auth.config';

const ALLOW_SERVICES = 'hoot:admin-allow-services';

/** Also let service tokens through (e.g. the registry revoking a token at sign-out). */
export const AllowServices = () => SetMetadata(ALLOW_SERVICES, true);

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * The admin API: `Authorization: Bearer <AUTH_ADMIN_API_KEY>` (compared in constant time), or a user
 * token with the `admin` role; with `@AllowServices()`, a service token as well.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  private readonly adminKeyDigest: Buffer;

  constructor(
    @Inject(AUTH_CONFIG) config: AuthConfig,
    @Inject(AUTH_KIT_OPTIONS) private readonly kit: AuthKitOptions,
    private readonly reflector: Reflector,
    private readonly standing: CallerStanding,
  ) {
    this.adminKeyDigest = digest(config.AUTH_ADMIN_API_KEY);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    const token = bearerToken(request.headers['authorization']);
    if (!token) throw unauthenticated();
    if (timingSafeEqual(digest(token), this.adminKeyDigest)) return true;
    if (!token.includes('.'))
      throw toAuthHttpException(
        new TokenRejectedError(TokenRejection.Malformed, 'not an admin key or token'),
      );
    let identity;
    try {
      identity = identityOf((await this.kit.verifier.verify(token)).claims);
    } catch (error) {
      throw toAuthHttpException(error);
    }
    // Revoked tokens and disabled accounts lose admin (and service) rights at once, not at expiry.
    await this.standing.assertGood(identity.claims);
    const allowServices = this.reflector.getAllAndOverride<boolean | undefined>(ALLOW_SERVICES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (identity.audiences.includes(this.kit.userAudience) && identity.roles.includes(ADMIN_ROLE))
      return true;
    if (
      allowServices &&
      identity.audiences.includes(this.kit.serviceAudience) &&
      identity.roles.includes(SERVICE_ROLE)
    )
      return true;
    throw authError(
      AuthErrorCode.Forbidden,
      allowServices ? 'admin or service credentials required' : 'admin credentials required',
    );
  }
}
