import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { HealthRegistry } from '@hoot/service-kit';
import {
  CASH_CONFIG,
  CASH_INFRASTRUCTURE,
  COREMX_STATE,
  DRAIN_COORDINATOR,
  HEARTBEAT,
  ROOM_MANAGER,
} from './cash.tokens';
import type { CashInfrastructure } from './cash-infrastructure';
import type { CashConfig } from './config/cash.config';
import type { CoreMxStateService } from './coremx/coremx-state';
import type { DrainCoordinator } from './coremx/drain-coordinator';
import { LoadSampler } from './coremx/load-sampler';
import type { HeartbeatService } from './registry/heartbeat.service';
import type { RoomManager } from './rooms/room-manager';

/**
 * Starts and stops CASH's background work: the media server monitor (a restart rebuilds the rooms), load
 * sampling, room expiry, heartbeats to the registry. On SIGTERM it drains first (no new rooms; rooms end
 * when empty or at `DRAIN_DEADLINE_MS`), then deregisters and closes its connections.
 */
@Injectable()
export class CashLifecycle
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Cash');
  private readonly sampler: LoadSampler;
  private readonly unsubscribers: (() => void)[] = [];

  constructor(
    @Inject(CASH_CONFIG) private readonly config: CashConfig,
    @Inject(CASH_INFRASTRUCTURE) private readonly infra: CashInfrastructure,
    @Inject(ROOM_MANAGER) private readonly rooms: RoomManager,
    @Inject(COREMX_STATE) private readonly state: CoreMxStateService,
    @Inject(DRAIN_COORDINATOR) private readonly drainer: DrainCoordinator,
    @Inject(HEARTBEAT) private readonly heartbeat: HeartbeatService,
    private readonly health: HealthRegistry,
  ) {
    this.sampler = new LoadSampler(infra.media, state, infra.clock, config.LOAD_SAMPLE_INTERVAL_MS);
  }

  onModuleInit(): void {
    const { infra, config } = this;
    this.health.register({
      name: 'kms',
      check: async () => {
        const health = await infra.media.health();
        if (health.status === 'down') throw new Error(`media server: ${health.error.message}`);
      },
    });
    this.health.register({
      name: 'events',
      check: async () => {
        const status = infra.events.status?.();
        if (status?.failed) throw new Error(`event journal failed: ${status.failed.message}`);
        const backlog = infra.events.backlog();
        if (backlog > config.CCES_BACKLOG_READY_MAX) {
          throw new Error(`${backlog} events wait for Kafka (limit ${config.CCES_BACKLOG_READY_MAX})`);
        }
      },
    });
    for (const check of infra.checks) this.health.register(check);
  }

  onApplicationBootstrap(): void {
    const monitor = this.infra.kmsMonitor;
    this.unsubscribers.push(
      monitor.on('healthy', () => this.state.setMediaHealthy(true)),
      monitor.on('unhealthy', ({ error }) => {
        this.logger.warn({ code: error.code, message: error.message }, 'media server unhealthy');
        this.state.setMediaHealthy(false);
      }),
      monitor.on('restarted', ({ reasons }) => {
        this.logger.warn({ reasons }, 'media server restarted: rebuilding every room');
        this.state.setMediaHealthy(true);
        // A new server identity is a restart, whether or not the old session was also refused (which of the
        // two kurento-client notices first is a race); a lost session on the same server is reported as such.
        void this.rooms.rebuildAll(
          reasons.includes('session-lost') && !reasons.includes('identity-changed')
            ? 'media-session-lost'
            : 'media-server-restarted',
        );
      }),
      this.state.onChange(() => void this.heartbeat.beatNow()),
    );
    monitor.start();
    this.sampler.start();
    this.rooms.start();
    void this.state.announce('ready');
    this.heartbeat.start();
  }

  /** On a signal (SIGTERM from Kubernetes), drain before anything closes. */
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (signal) {
      this.logger.log({ signal, deadlineMs: this.config.DRAIN_DEADLINE_MS }, 'draining before exit');
      await this.drainer.drain(this.config.DRAIN_DEADLINE_MS, `${signal} received`);
    }
    await this.state.announce('stopping');
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.drainer.stop();
    this.sampler.stop();
    this.rooms.stop();
    // Rooms a drain did not end (no signal, or a failure): their packager streams end now.
    await this.rooms.closeFeeds().catch(() => undefined);
    this.infra.kmsMonitor.stop();
    await this.heartbeat.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.infra.close();
  }
}
