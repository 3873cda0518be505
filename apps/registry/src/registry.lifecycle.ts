import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HealthRegistry, MetricsService } from '@hoot/service-kit';
import type { RegistryInfrastructure } from './registry-infrastructure';
import { registerNodeMetrics } from './registry.metrics';
import { REGISTRY_INFRASTRUCTURE } from './registry.tokens';
import { revocationReadiness } from './revocations/revocation-readiness';

/**
 * Owns the registry node's life: registers its readiness checks and metrics; before it listens, starts
 * the GCAS node, the webhook feature, the conference feature and (in a cluster) the CoreMX pod watch;
 * on shutdown stops them, the node first, and closes the connections last.
 */
@Injectable()
export class RegistryLifecycle implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Registry');

  constructor(
    @Inject(REGISTRY_INFRASTRUCTURE) private readonly infra: RegistryInfrastructure,
    private readonly health: HealthRegistry,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const { node, conferences, revocations } = this.infra;
    for (const check of this.infra.checks) this.health.register(check);
    this.health.register(revocationReadiness(revocations.isCaughtUp));
    this.health.register({
      name: 'join-tickets',
      check: async () => {
        if (!conferences.tickets.ready()) throw new Error('no join ticket key registered with auth yet');
      },
    });
    this.health.register({
      name: 'gcas',
      check: async () => {
        if (!node.isReady) throw new Error('GCAS not restored yet');
      },
    });
    registerNodeMetrics(this.metrics.registry, node);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.infra.node.start();
    await this.infra.webhooks.start();
    await this.infra.conferences.start();
    void this.infra.podWatcher?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    const { node, podWatcher, webhooks, conferences } = this.infra;
    await node.stop();
    podWatcher?.stop();
    await webhooks.stop();
    await conferences.stop();
    await this.infra.close();
    this.log.log('registry node stopped');
  }
}
