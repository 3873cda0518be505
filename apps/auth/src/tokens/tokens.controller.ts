import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { AuthErrorCode, type Clock } from '@hoot/domain';
import { MetricsService, invalidRequest } from '@hoot/service-kit';
import { Counter } from 'prom-client';
import { AUTH_CONFIG, CLOCK } from '../auth.tokens';
import { authError } from '../errors/auth-error';
import { NoStore } from '../http/no-store';
import { AccountsService } from '../accounts/accounts.service';
import { parseApiKey } from '../accounts/api-key.codec';
import type { AuthConfig } from '../config/auth.config';
import { SignInThrottle, type ThrottleDecision } from './sign-in-throttle';
import { TokenIssuer, type TokenResponse } from './token-issuer.service';
import { TokenRequestDto } from './token-request.dto';

@Controller('v1/tokens')
export class TokensController {
  private readonly throttle: SignInThrottle;
  private readonly outcomes: Counter<'grant' | 'outcome'>;

  constructor(
    @Inject(AUTH_CONFIG) config: AuthConfig,
    @Inject(CLOCK) clock: Clock,
    private readonly accounts: AccountsService,
    private readonly issuer: TokenIssuer,
    metrics: MetricsService,
  ) {
    this.throttle = new SignInThrottle(
      {
        perAddress: config.AUTH_RATE_LIMIT_PER_ADDRESS,
        perIdentityAddress: config.AUTH_RATE_LIMIT_PER_IDENTITY,
        windowMs: config.AUTH_RATE_LIMIT_WINDOW_MS,
        identityFreeFailures: config.AUTH_RATE_LIMIT_PER_IDENTITY,
        identityBackoffBaseMs: config.AUTH_IDENTITY_BACKOFF_BASE_MS,
        identityBackoffMaxMs: config.AUTH_IDENTITY_BACKOFF_MAX_MS,
      },
      clock,
    );
    this.outcomes = new Counter({
      name: 'auth_token_requests_total',
      help: 'Token requests by grant and outcome (issued, invalid_credentials, rate_limited, backed_off)',
      labelNames: ['grant', 'outcome'],
      registers: [metrics.registry],
    });
  }

  /**
   * Password or API-key grant → RS256 access token. Wrong username, wrong password, unknown key and
   * disabled account all get the same 401 `auth.invalid-credentials`. Too many attempts from one client
   * address, too many failures for one identity from one address, or an attempt during the identity's
   * back-off (see `SignInThrottle`) get 429 `auth.rate-limited` with `Retry-After`. The client address is
   * the socket's peer unless it is one of `TRUSTED_PROXIES`.
   */
  @Post()
  @HttpCode(200)
  @NoStore()
  async issue(@Body() body: TokenRequestDto, @Req() request: { ip: string }): Promise<TokenResponse> {
    const identity = this.identityKey(body);
    const address = request.ip;
    this.enforce(this.throttle.admit(identity, address), body.grant_type);
    const account =
      body.grant_type === 'password'
        ? await this.accounts.authenticatePassword(body.username!, body.password!)
        : await this.accounts.authenticateApiKey(body.api_key!);
    if (!account) {
      this.throttle.failed(identity, address);
      this.outcomes.inc({ grant: body.grant_type, outcome: 'invalid_credentials' });
      throw authError(AuthErrorCode.InvalidCredentials, 'invalid credentials');
    }
    this.throttle.succeeded(identity, address);
    this.outcomes.inc({ grant: body.grant_type, outcome: 'issued' });
    return this.issuer.issue(account);
  }

  private identityKey(body: TokenRequestDto): string {
    if (body.grant_type === 'password') {
      if (body.api_key !== undefined)
        throw invalidRequest([{ field: 'api_key', problems: ['not allowed with grant_type password'] }]);
      return `user:${body.username!.toLowerCase()}`;
    }
    if (body.username !== undefined || body.password !== undefined) {
      throw invalidRequest([
        {
          field: body.username !== undefined ? 'username' : 'password',
          problems: ['not allowed with grant_type api_key'],
        },
      ]);
    }
    // The key's public id, so guessing secrets for one key is limited; malformed keys share one bucket.
    return `key:${parseApiKey(body.api_key!)?.id ?? 'malformed'}`;
  }

  private enforce(decision: ThrottleDecision, grant: string): void {
    if (decision.allowed) return;
    this.outcomes.inc({
      grant,
      outcome: decision.reason === 'identity-backoff' ? 'backed_off' : 'rate_limited',
    });
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw authError(
      AuthErrorCode.RateLimited,
      `too many attempts; retry in ${seconds} s`,
      { retryAfterSeconds: seconds },
      {
        'retry-after': String(seconds),
      },
    );
  }
}
