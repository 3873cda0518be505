import {
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Gauge } from 'prom-client';
import {
  AuthKitModule,
  JwksKeyCache,
  TokenVerifier,
  httpJwksFetcher,
  type RevocationCheck,
} from '@hoot/auth-kit';
import {
  HealthModule,
  HealthRegistry,
  MetricsModule,
  MetricsService,
  serviceLoggerModule,
} from '@hoot/service-kit';
import type { RegistryConfig } from './config/registry.config';
import { GossipController } from './gcas/gossip.controller';
import type { RegistryNode } from './gcas/registry-node';
import { CoreMxBinding } from './membership/coremx-binding';
import { MembershipController } from './membership/membership.controller';
import { ReadController } from './read/read.controller';
import { COREMX_BINDING, REGISTRY_CONFIG, REGISTRY_NODE } from './registry.tokens';
import { revocationReadiness } from './revocations/revocation-readiness';
import { ConferencesModule } from './conferences/conferences.module';
import type { ConferencesRuntime } from './conferences/conferences.runtime';
import { WebhooksModule } from './webhooks/webhooks.module';
import type { WebhooksRuntime } from './webhooks/webhooks.runtime';
import { WebModule } from './web/web.module';

export interface RegistryRuntime {
  node: RegistryNode;
  /** Readiness of the store (MongoDB ping). */
  pingStore: () => Promise<void>;
  /**
   * Auth's revocations (jti, per-subject: revoked tokens and disabled accounts), kept current from the
   * revocation topic: every user and service token is checked against them; readiness fails while the
   * feed has not read the topic to its end.
   */
  revocations: { check: RevocationCheck; isCaughtUp: () => boolean };
  /** Webhooks: API service, intake and dispatcher (started by `main`, stopped by `close`). */
  webhooks: WebhooksRuntime;
  /** Conferences: service, directory consumer, re-home timer (started by `main`, stopped by `close`). */
  conferences: ConferencesRuntime;
  /** Stops what `main` started besides the node (pod watch, connections). */
  close: () => Promise<void>;
}

const RUNTIME = Symbol('RUNTIME');

/** Wires the node into health, metrics and shutdown. */
@Injectable()
class RegistryLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('Registry');

  constructor(
    @Inject(RUNTIME) private readonly runtime: RegistryRuntime,
    private readonly health: HealthRegistry,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const { node } = this.runtime;
    this.health.register({ name: 'mongo', check: () => this.runtime.pingStore() });
    this.health.register(revocationReadiness(this.runtime.revocations.isCaughtUp));
    this.health.register({
      name: 'join-tickets',
      check: async () => {
        if (!this.runtime.conferences.tickets.ready())
          throw new Error('no join ticket key registered with auth yet');
      },
    });
    this.health.register({
      name: 'gcas',
      check: async () => {
        if (!node.isReady) throw new Error('GCAS not restored yet');
      },
    });
    const registry = this.metrics.registry;
    const counter = (name: string, help: string, key: keyof RegistryNode['counters']) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(node.counters[key]);
        },
      });
    counter('hoot_registry_gossip_rounds_ok', 'Gossip rounds completed with a peer', 'roundsOk');
    counter(
      'hoot_registry_gossip_rounds_failed',
      'Gossip rounds that failed (peer down, timeout, refused)',
      'roundsFailed',
    );
    counter(
      'hoot_registry_gossip_rejected_messages',
      'Peer gossip messages rejected as invalid',
      'rejectedMessages',
    );
    counter(
      'hoot_registry_gossip_rejected_verdicts',
      'Down verdicts not accepted (not from the listing registry or primary)',
      'rejectedVerdicts',
    );
    counter('hoot_registry_coremx_declared_down', 'CoreMX this registry declared down', 'declaredDown');
    counter(
      'hoot_registry_gcas_restored_entries',
      'GCAS entries read from MongoDB at start',
      'restoredEntries',
    );
    counter(
      'hoot_registry_store_conflicts',
      'Snapshot writes lost to a sibling replica (merged next cycle)',
      'storeConflicts',
    );
    new Gauge({
      name: 'hoot_registry_coremx',
      help: 'CoreMX known, by liveness',
      labelNames: ['liveness'],
      registers: [registry],
      collect() {
        this.reset();
        for (const c of node.coremx()) this.inc({ liveness: c.liveness });
      },
    });
    new Gauge({
      name: 'hoot_registry_registries',
      help: 'Registry nodes known, by liveness',
      labelNames: ['liveness'],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of node.registries()) this.inc({ liveness: r.liveness });
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.node.stop();
    await this.runtime.close();
    this.log.log('registry node stopped');
  }
}

@Module({})
export class AppModule {
  static forRoot(config: RegistryConfig, runtime: RegistryRuntime): DynamicModule {
    const verifier = new TokenVerifier({
      issuer: config.AUTH_ISSUER,
      audiences: [config.AUTH_AUDIENCE, config.AUTH_INTERNAL_AUDIENCE],
      keys: new JwksKeyCache({ fetchJwks: httpJwksFetcher(config.jwksUrl) }),
      revocations: runtime.revocations.check,
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
        WebhooksModule.forRoot(runtime.webhooks),
        ConferencesModule.forRoot(config, runtime.conferences),
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
        { provide: REGISTRY_NODE, useValue: runtime.node },
        { provide: RUNTIME, useValue: runtime },
      ],
    };
  }
}
