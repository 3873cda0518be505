import { DynamicModule, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { HealthRegistry, MetricsService } from '@hoot/service-kit';
import type { RegistryConfig } from '../config/registry.config';
import { CONFERENCE_SERVICE, RECORDING_SERVICE, REGISTRY_CONFIG } from '../registry.tokens';
import { AuthTokenController } from './auth-token.controller';
import { ConferencesController } from './conferences.controller';
import { RecordingsController } from './recordings.controller';
import type { ConferencesRuntime } from './conferences.runtime';

const CONFERENCES_RUNTIME = Symbol('CONFERENCES_RUNTIME');

/** Readiness (directory consumer, store) and `hoot_registry_conference_*` metrics. */
@Injectable()
class ConferencesObservability implements OnModuleInit {
  constructor(
    @Inject(CONFERENCES_RUNTIME) private readonly runtime: ConferencesRuntime,
    private readonly health: HealthRegistry,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    const { directory, counters, store } = this.runtime;
    this.health.register({
      name: 'conference-directory',
      check: async () => {
        if (!directory.isRunning) throw new Error('conference directory consumer not running');
        await store.ping();
      },
    });
    const registers = [this.metrics.registry];
    const byOutcome = (name: string, help: string, map: Record<string, number>) =>
      new Gauge({
        name,
        help,
        labelNames: ['outcome'],
        registers,
        collect() {
          this.reset();
          for (const [outcome, n] of Object.entries(map)) this.set({ outcome }, n);
        },
      });
    byOutcome('hoot_registry_conference_creates', 'Conference creations by outcome', counters.creates);
    byOutcome('hoot_registry_conference_joins', 'Join requests by outcome', counters.joins);
    byOutcome('hoot_registry_conference_rehomes', 'Re-homing attempts by outcome', counters.rehomes);
    const directoryGauge = (name: string, help: string, key: keyof typeof directory.counters) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(directory.counters[key]);
        },
      });
    directoryGauge('hoot_registry_directory_applied', 'CCES events that changed the directory', 'applied');
    directoryGauge(
      'hoot_registry_directory_ignored',
      'CCES events the directory had already or did not need',
      'ignored',
    );
    directoryGauge(
      'hoot_registry_directory_poison',
      'Invalid CCES messages sent to dead-letter topics',
      'poison',
    );
  }
}

/** Conferences API, `POST /v1/auth/token`, and their health and metrics, on a runtime built by `production-infrastructure.ts` (started and stopped by `RegistryLifecycle`). */
@Module({})
export class ConferencesModule {
  static forRoot(config: RegistryConfig, runtime: ConferencesRuntime): DynamicModule {
    return {
      module: ConferencesModule,
      controllers: [ConferencesController, RecordingsController, AuthTokenController],
      providers: [
        ConferencesObservability,
        { provide: CONFERENCES_RUNTIME, useValue: runtime },
        { provide: CONFERENCE_SERVICE, useValue: runtime.service },
        { provide: RECORDING_SERVICE, useValue: runtime.recordings },
        { provide: REGISTRY_CONFIG, useValue: config },
      ],
    };
  }
}
