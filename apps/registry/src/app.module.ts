import { DynamicModule, Module } from '@nestjs/common';
import { AuthKitModule, JwksKeyCache, TokenVerifier, httpJwksFetcher } from '@hoot/auth-kit';
import { HealthModule, MetricsModule, serviceLoggerModule } from '@hoot/service-kit';
import { ConferencesModule } from './conferences/conferences.module';
import type { RegistryConfig } from './config/registry.config';
import { GossipController } from './gcas/gossip.controller';
import { CoreMxBinding } from './membership/coremx-binding';
import { MembershipController } from './membership/membership.controller';
import { ReadController } from './read/read.controller';
import type { RegistryInfrastructure } from './registry-infrastructure';
import { RegistryLifecycle } from './registry.lifecycle';
import { COREMX_BINDING, REGISTRY_CONFIG, REGISTRY_INFRASTRUCTURE, REGISTRY_NODE } from './registry.tokens';
import { WebModule } from './web/web.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/** A registry node on its infrastructure (`production-infrastructure.ts`), its life owned by `RegistryLifecycle`. */
@Module({})
export class AppModule {
  static forRoot(config: RegistryConfig, infra: RegistryInfrastructure): DynamicModule {
    const verifier = new TokenVerifier({
      issuer: config.AUTH_ISSUER,
      audiences: [config.AUTH_AUDIENCE, config.AUTH_INTERNAL_AUDIENCE],
      keys: new JwksKeyCache({ fetchJwks: httpJwksFetcher(config.jwksUrl) }),
      revocations: infra.revocations.check,
    });
    return {
      module: AppModule,
      imports: [
        AuthKitModule.forRoot({
          verifier,
          userAudience: config.AUTH_AUDIENCE,
          serviceAudience: config.AUTH_INTERNAL_AUDIENCE,
        }),
        HealthModule,
        MetricsModule,
        serviceLoggerModule({
          service: 'registry',
          version: config.SERVICE_VERSION,
          nodeId: config.NODE_ID,
          level: config.LOG_LEVEL,
        }),
        WebhooksModule.forRoot(infra.webhooks),
        ConferencesModule.forRoot(config, infra.conferences),
        WebModule.forRoot({
          root: config.webRoot,
          registryUrls: [config.REGISTRY_PUBLIC_URL, ...config.REGISTRY_PEERS],
        }),
      ],
      controllers: [GossipController, MembershipController, ReadController],
      providers: [
        RegistryLifecycle,
        {
          provide: COREMX_BINDING,
          useValue: new CoreMxBinding({ sharedCashAccounts: config.CASH_SHARED_SERVICE_ACCOUNTS }),
        },
        { provide: REGISTRY_CONFIG, useValue: config },
        { provide: REGISTRY_INFRASTRUCTURE, useValue: infra },
        { provide: REGISTRY_NODE, useValue: infra.node },
      ],
    };
  }
}
