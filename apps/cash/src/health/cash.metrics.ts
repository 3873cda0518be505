import { Inject, Injectable } from '@nestjs/common';
import { MetricsService } from '@hoot/service-kit';
import { Counter, Gauge, Histogram } from 'prom-client';
import { CASH_INFRASTRUCTURE, COREMX_STATE, ROOM_MANAGER } from '../cash.tokens';
import type { CashInfrastructure } from '../cash-infrastructure';
import type { CoreMxStateService } from '../coremx/coremx-state';
import type { RoomManager } from '../rooms/room-manager';

const STATES = ['active', 'draining', 'overloaded'] as const;

/** CASH's own Prometheus series (beside the default process and HTTP ones of `MetricsModule`). */
@Injectable()
export class CashMetrics {
  readonly signalingErrors: Counter<'code'>;
  readonly joinDuration: Histogram;
  readonly roomWaits: Histogram<'wait'>;

  constructor(
    metrics: MetricsService,
    @Inject(ROOM_MANAGER) rooms: RoomManager,
    @Inject(COREMX_STATE) state: CoreMxStateService,
    @Inject(CASH_INFRASTRUCTURE) infra: CashInfrastructure,
  ) {
    const registers = [metrics.registry];
    this.signalingErrors = new Counter({
      name: 'cash_signaling_errors_total',
      help: 'Errors sent on the signaling WebSocket, by code',
      labelNames: ['code'],
      registers,
    });
    this.joinDuration = new Histogram({
      name: 'cash_join_duration_seconds',
      help: 'From a join message to the joined answer (ticket check, rules, event journal)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.roomWaits = new Histogram({
      name: 'cash_room_wait_seconds',
      help: 'What room commands waited for: the event journal (events durable) or one media server call',
      labelNames: ['wait'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    new Counter({
      name: 'cash_rooms_closed_at_start_total',
      help: 'Rooms the previous process of this CoreMX left open on its topic, closed by this start',
      registers,
    }).inc(infra.roomsClosedAtStart ?? 0);
    rooms.observeWaits((wait, ms) => this.roomWaits.observe({ wait }, ms / 1000));
    new Gauge({
      name: 'cash_rooms',
      help: 'Rooms on this CoreMX',
      registers,
      collect() {
        this.set(rooms.counts().rooms);
      },
    });
    new Gauge({
      name: 'cash_participants',
      help: 'Participants over all rooms',
      registers,
      collect() {
        this.set(rooms.counts().participants);
      },
    });
    new Gauge({
      name: 'cash_hls_streams',
      help: 'Live LL-HLS streams sent to the packager (p2m publishers)',
      registers,
      collect() {
        this.set(rooms.packagerCounts().hlsStreams);
      },
    });
    new Gauge({
      name: 'cash_recordings',
      help: 'Rooms being recorded',
      registers,
      collect() {
        this.set(rooms.packagerCounts().recordings);
      },
    });
    new Gauge({
      name: 'cash_load_ratio',
      help: 'Load used by admission control (0..1)',
      registers,
      collect() {
        this.set(state.load);
      },
    });
    new Gauge({
      name: 'cash_state',
      help: 'Reported state (1 for the current one)',
      labelNames: ['state'],
      registers,
      collect() {
        for (const s of STATES) this.set({ state: s }, state.state === s ? 1 : 0);
      },
    });
    new Gauge({
      name: 'cash_cces_backlog',
      help: 'CCES events journaled but not yet acknowledged by Kafka',
      registers,
      collect() {
        this.set(infra.events.backlog());
      },
    });
  }
}
