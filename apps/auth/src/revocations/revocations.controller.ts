import { Body, Controller, Inject, Post, UseGuards } from '@nestjs/common';
import { IsISO8601, IsString, MaxLength, MinLength } from 'class-validator';
import type { Clock } from '@hoot/domain';
import { invalidRequest } from '@hoot/service-kit';
import { AUTH_CONFIG, CLOCK } from '../auth.tokens';
import { AccountsService } from '../accounts/accounts.service';
import { AdminGuard, AllowServices } from '../admin/admin.guard';
import type { AuthConfig } from '../config/auth.config';
import { OptionalNotNull } from '../validation/optional-not-null';
import { RevocationsService, type RevocationOutcome } from './revocations.service';

/**
 * `{sub, jti}` revokes one token; `{sub}` revokes every token of the subject issued before `before`
 * (ISO-8601, default now).
 */
export class RevocationRequestDto {
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  sub!: string;

  @OptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  jti?: string;

  @OptionalNotNull()
  @IsISO8601({ strict: true })
  before?: string;
}

@Controller('v1/revocations')
export class RevocationsController {
  constructor(
    private readonly revocations: RevocationsService,
    private readonly accounts: AccountsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  /** Admin or service credentials. Persisted, then published to `hoot.auth.revocations`. */
  @Post()
  @UseGuards(AdminGuard)
  @AllowServices()
  async revoke(@Body() body: RevocationRequestDto): Promise<RevocationOutcome> {
    if (body.jti) {
      if (body.before !== undefined) {
        throw invalidRequest([
          { field: 'before', problems: ['before applies to subject revocations only (omit jti)'] },
        ]);
      }
      // The token's exact expiry is unknown here; no token lives longer than the user TTL.
      return this.revocations.revokeToken(
        body.jti,
        body.sub,
        this.clock.now() + this.config.AUTH_TOKEN_TTL_S * 1000,
      );
    }
    const beforeMs = body.before ? Date.parse(body.before) : this.clock.now();
    await this.accounts.get(body.sub);
    return this.accounts.revokeSubject(body.sub, beforeMs);
  }
}
