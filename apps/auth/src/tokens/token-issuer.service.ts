import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AccountRecord, Clock } from '@hoot/domain';
import { signRs256 } from '@hoot/auth-kit';
import { AUTH_CONFIG, CLOCK } from '../auth.tokens';
import type { AuthConfig } from '../config/auth.config';
import { KeyRingService } from '../keys/key-ring.service';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  /** Seconds. */
  expires_in: number;
}

/** Signs access tokens: users get the public audience and 8 h; services the internal audience and minutes. */
@Injectable()
export class TokenIssuer {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly keys: KeyRingService,
  ) {}

  issue(account: AccountRecord): TokenResponse {
    const service = account.kind === 'service';
    const ttl = service ? this.config.AUTH_SERVICE_TOKEN_TTL_S : this.config.AUTH_TOKEN_TTL_S;
    const iat = Math.floor(this.clock.now() / 1000);
    const key = this.keys.ring.signingKey();
    const claims = {
      iss: this.config.AUTH_ISSUER,
      aud: service ? this.config.AUTH_INTERNAL_AUDIENCE : this.config.AUTH_AUDIENCE,
      sub: account.id,
      jti: randomUUID(),
      iat,
      nbf: iat,
      exp: iat + ttl,
      name: account.displayName,
      username: account.username,
      kind: account.kind,
      roles: account.roles,
    };
    return {
      access_token: signRs256(claims, key.privateKey, key.kid),
      token_type: 'Bearer',
      expires_in: ttl,
    };
  }
}
