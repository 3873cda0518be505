import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HealthRegistry } from '@hoot/service-kit';
import { ADMIN_ROLE } from '@hoot/domain';
import { AccountsService } from './accounts/accounts.service';
import { INFRASTRUCTURE, type AuthInfrastructure } from './auth-infrastructure';
import { AUTH_CONFIG } from './auth.tokens';
import type { AuthConfig } from './config/auth.config';

/** Registers readiness checks, bootstraps the configured accounts, and closes connections last. */
@Injectable()
export class InfrastructureLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(InfrastructureLifecycle.name);

  constructor(
    @Inject(INFRASTRUCTURE) private readonly infra: AuthInfrastructure,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    private readonly health: HealthRegistry,
    private readonly accounts: AccountsService,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const check of this.infra.checks) this.health.register(check);
    const admin =
      this.config.AUTH_BOOTSTRAP_ADMIN_USERNAME && this.config.AUTH_BOOTSTRAP_ADMIN_PASSWORD
        ? {
            username: this.config.AUTH_BOOTSTRAP_ADMIN_USERNAME,
            password: this.config.AUTH_BOOTSTRAP_ADMIN_PASSWORD,
          }
        : undefined;
    const services = (this.config.AUTH_BOOTSTRAP_SERVICE_KEYS ?? []).map((pair) => {
      const at = pair.indexOf(':');
      return { name: pair.slice(0, at), apiKey: pair.slice(at + 1) };
    });
    await this.accounts.bootstrap(admin, services);
    if (admin || services.length) {
      this.logger.log(
        { admin: admin?.username, adminRole: ADMIN_ROLE, services: services.map((s) => s.name) },
        'bootstrap accounts ensured',
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.infra.close();
  }
}
