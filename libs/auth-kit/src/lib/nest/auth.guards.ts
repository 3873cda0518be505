import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SERVICE_ROLE, TokenRejection } from '@hoot/domain';
import { identityOf, type Identity } from '../verifier/token-verifier';
import { TokenRejectedError } from '../jwt/token-rejected.error';
import { AUTH_KIT_OPTIONS, type AuthKitOptions } from './auth-kit.options';
import { bearerToken, forbidden, toAuthHttpException, unauthenticated } from './auth-errors';

const ROLES = 'hoot:required-roles';

/** Handler (or controller) needs every one of these roles. */
export const RequireRoles = (...roles: string[]) => SetMetadata(ROLES, roles);

interface RequestWithIdentity {
  headers: Record<string, string | string[] | undefined>;
  hootIdentity?: Identity;
}

/** The verified identity of the request (set by `AuthGuard` / `ServiceGuard`). */
export const CurrentIdentity = createParamDecorator((_data: unknown, context: ExecutionContext): Identity => {
  const identity = context.switchToHttp().getRequest<RequestWithIdentity>().hootIdentity;
  if (!identity) throw new Error('@CurrentIdentity() used on a route without AuthGuard or ServiceGuard');
  return identity;
});

abstract class BearerGuard implements CanActivate {
  constructor(
    @Inject(AUTH_KIT_OPTIONS) protected readonly options: AuthKitOptions,
    private readonly reflector: Reflector,
  ) {}

  protected abstract admit(identity: Identity): void;

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithIdentity>();
    const token = bearerToken(request.headers['authorization']);
    if (!token) {
      this.options.onRejected?.('auth.unauthenticated');
      throw unauthenticated();
    }
    let identity: Identity;
    try {
      identity = identityOf((await this.options.verifier.verify(token)).claims);
    } catch (error) {
      if (error instanceof TokenRejectedError) this.options.onRejected?.(error.reason);
      throw toAuthHttpException(error);
    }
    this.admit(identity);
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    const missing = (roles ?? []).filter((role) => !identity.roles.includes(role));
    if (missing.length) throw forbidden(`this call needs the role(s) ${missing.join(', ')}`);
    request.hootIdentity = identity;
    return true;
  }
}

/** A user (or any principal) holding a token for the public audience. */
@Injectable()
export class AuthGuard extends BearerGuard {
  protected admit(identity: Identity): void {
    if (!identity.audiences.includes(this.options.userAudience)) {
      throw toAuthHttpException(
        new TokenRejectedError(TokenRejection.WrongAudience, 'token is not meant for this service'),
      );
    }
  }
}

/** Another hoot service: a token for the internal audience with the `service` role. */
@Injectable()
export class ServiceGuard extends BearerGuard {
  protected admit(identity: Identity): void {
    if (!identity.audiences.includes(this.options.serviceAudience)) {
      throw toAuthHttpException(
        new TokenRejectedError(TokenRejection.WrongAudience, 'a service token is required'),
      );
    }
    if (identity.kind !== 'service' || !identity.roles.includes(SERVICE_ROLE))
      throw forbidden('only services may call this');
  }
}
