import { DynamicModule, Global, Module } from '@nestjs/common';
import type { TokenRejection } from '@hoot/domain';
import { AuthKitModule, TokenVerifier } from '@hoot/auth-kit';
import { HealthModule, MetricsModule, MetricsService, serviceLoggerModule } from '@hoot/service-kit';
import { Counter } from 'prom-client';
import { AccountResolutionController } from './account-resolution/account-resolution.controller';
import { AccountResolver } from './account-resolution/account-resolver.service';
import { AccountsService } from './accounts/accounts.service';
import { INFRASTRUCTURE, type AuthInfrastructure } from './auth-infrastructure';
import { PasswordHasher } from './accounts/password-hasher';
import { AdminController } from './admin/admin.controller';
import { AdminGuard } from './admin/admin.guard';
import {
  ACCOUNT_STORE,
  API_KEY_STORE,
  AUTH_CONFIG,
  CLOCK,
  REVOCATION_PUBLISHER,
  REVOCATION_STORE,
  TICKET_KEY_STORE,
  TOKEN_VERIFIER,
} from './auth.tokens';
import type { AuthConfig } from './config/auth.config';
import { InfrastructureLifecycle } from './infrastructure.lifecycle';
import { CallerStanding } from './introspection/caller-standing.service';
import { IntrospectionController } from './introspection/introspection.controller';
import { IntrospectionService } from './introspection/introspection.service';
import { StandingGuard } from './introspection/standing.guard';
import { JoinTicketIssuer } from './join-tickets/join-ticket-issuer.service';
import { JoinTicketsController } from './join-tickets/join-tickets.controller';
import { RegistryGuard } from './join-tickets/registry.guard';
import { SubjectStanding } from './join-tickets/subject-standing.service';
import { JwksController } from './keys/jwks.controller';
import { KeyRingService } from './keys/key-ring.service';
import { RevocationsController } from './revocations/revocations.controller';
import { RevocationsService } from './revocations/revocations.service';
import { TicketKeysController } from './ticket-keys/ticket-keys.controller';
import { TicketKeysService } from './ticket-keys/ticket-keys.service';
import { TokenIssuer } from './tokens/token-issuer.service';
import { TokensController } from './tokens/tokens.controller';

/** The ports and the key ring, global so the auth-kit module's factory can inject the verifier. */
@Global()
@Module({})
export class AuthCoreModule {
  static forRoot(config: AuthConfig, infra: AuthInfrastructure): DynamicModule {
    const providers = [
      { provide: ACCOUNT_STORE, useValue: infra.accounts },
      { provide: API_KEY_STORE, useValue: infra.apiKeys },
      { provide: AUTH_CONFIG, useValue: config },
      { provide: CLOCK, useValue: infra.clock },
      { provide: INFRASTRUCTURE, useValue: infra },
      { provide: PasswordHasher, useValue: infra.passwordHasher ?? new PasswordHasher() },
      { provide: REVOCATION_PUBLISHER, useValue: infra.publisher },
      { provide: REVOCATION_STORE, useValue: infra.revocations },
      { provide: TICKET_KEY_STORE, useValue: infra.ticketKeys },
      KeyRingService,
      {
        // Auth verifies with its own key ring (no JWKS round trip); revocations are checked in the database.
        provide: TOKEN_VERIFIER,
        inject: [KeyRingService],
        useFactory: (keys: KeyRingService) =>
          new TokenVerifier({
            issuer: config.AUTH_ISSUER,
            audiences: [config.AUTH_AUDIENCE, config.AUTH_INTERNAL_AUDIENCE],
            keys: { getKey: async (kid) => keys.ring.publicKeys().get(kid) },
            clock: infra.clock,
          }),
      },
    ];
    return {
      module: AuthCoreModule,
      providers,
      exports: [
        ACCOUNT_STORE,
        API_KEY_STORE,
        AUTH_CONFIG,
        CLOCK,
        INFRASTRUCTURE,
        KeyRingService,
        PasswordHasher,
        REVOCATION_PUBLISHER,
        REVOCATION_STORE,
        TICKET_KEY_STORE,
        TOKEN_VERIFIER,
      ],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AuthConfig, infra: AuthInfrastructure): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthCoreModule.forRoot(config, infra),
        AuthKitModule.forRootAsync({
          inject: [TOKEN_VERIFIER, MetricsService],
          useFactory: (...args: never[]) => {
            const [verifier, metrics] = args as unknown as [TokenVerifier, MetricsService];
            const refused = new Counter({
              name: 'auth_guard_refusals_total',
              help: 'Requests refused by the bearer guards, by reason',
              labelNames: ['reason'],
              registers: [metrics.registry],
            });
            return {
              verifier,
              userAudience: config.AUTH_AUDIENCE,
              serviceAudience: config.AUTH_INTERNAL_AUDIENCE,
              onRejected: (reason: TokenRejection | string) => refused.inc({ reason }),
            };
          },
        }),
        HealthModule,
        MetricsModule,
        serviceLoggerModule({
          service: 'auth',
          version: config.SERVICE_VERSION,
          nodeId: config.NODE_ID,
          level: config.LOG_LEVEL,
        }),
      ],
      controllers: [
        AccountResolutionController,
        AdminController,
        IntrospectionController,
        JoinTicketsController,
        JwksController,
        RevocationsController,
        TicketKeysController,
        TokensController,
      ],
      providers: [
        AccountResolver,
        AccountsService,
        AdminGuard,
        CallerStanding,
        InfrastructureLifecycle,
        IntrospectionService,
        JoinTicketIssuer,
        RegistryGuard,
        RevocationsService,
        StandingGuard,
        SubjectStanding,
        TicketKeysService,
        TokenIssuer,
      ],
    };
  }
}
