import { DynamicModule, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '@hoot/service-kit';
import type { WebhookDispatcherCounters } from './webhook-dispatcher';
import { WebhookController } from './webhook.controller';
import type { WebhooksRuntime } from './webhooks.runtime';
import { WEBHOOK_SERVICE, WEBHOOKS_RUNTIME } from './webhooks.tokens';

/** `hoot_registry_webhook_*`: delivered, failed attempts, dead-lettered, lease conflicts, pending. */
@Injectable()
class WebhookMetrics implements OnModuleInit {
  constructor(
    @Inject(WEBHOOKS_RUNTIME) private readonly runtime: Pick<WebhooksRuntime, 'dispatcher' | 'store'>,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const { dispatcher, store } = this.runtime;
    const registers = [this.metrics.registry];
    const counter = (name: string, help: string, key: keyof WebhookDispatcherCounters) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(dispatcher.counters[key]);
        },
      });
    counter('hoot_registry_webhook_delivered', 'Webhook deliveries answered with a 2xx', 'delivered');
    counter(
      'hoot_registry_webhook_failed_attempts',
      'Webhook attempts that failed (non-2xx, timeout, unreachable)',
      'failedAttempts',
    );
    counter(
      'hoot_registry_webhook_dead_lettered',
      'Webhook deliveries that ran out of attempts (dead letters)',
      'deadLettered',
    );
    counter(
      'hoot_registry_webhook_lease_conflicts',
      'Webhook attempts a sibling replica leased first',
      'leaseConflicts',
    );
    new Gauge({
      name: 'hoot_registry_webhook_pending',
      help: 'Webhook deliveries waiting in their conference queue (all replicas of this node)',
      registers,
      async collect() {
        // A store that does not answer keeps the last value (readiness reports the store).
        await store.countPending().then(
          (pending) => this.set(pending),
          () => undefined,
        );
      },
    });
  }
}

/** The webhook API and its metrics, on a runtime built by `createWebhooks` (started and stopped by `RegistryLifecycle`). */
@Module({})
export class WebhooksModule {
  static forRoot(runtime: Pick<WebhooksRuntime, 'dispatcher' | 'service' | 'store'>): DynamicModule {
    return {
      module: WebhooksModule,
      controllers: [WebhookController],
      providers: [
        WebhookMetrics,
        { provide: WEBHOOK_SERVICE, useValue: runtime.service },
        { provide: WEBHOOKS_RUNTIME, useValue: runtime },
      ],
    };
  }
}
