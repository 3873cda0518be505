import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { AuthKitModule } from '@hoot/auth-kit';
import { RETURNING_LEFT_BY_MAX_MS } from '@hoot/domain';
import { HealthModule, MetricsModule, serviceLoggerModule } from '@hoot/service-kit';
import { CashLifecycle } from './cash.lifecycle';
import {
  CASH_CONFIG,
  CASH_INFRASTRUCTURE,
  COREMX_STATE,
  DRAIN_COORDINATOR,
  HEARTBEAT,
  JOIN_TICKETS,
  ROOM_MANAGER,
} from './cash.tokens';
import type { CashInfrastructure } from './cash-infrastructure';
import { packagerSettingsOf, type CashConfig } from './config/cash.config';
import { CoreMxStateService } from './coremx/coremx-state';
import { DrainCoordinator } from './coremx/drain-coordinator';
import { CashMetrics } from './health/cash.metrics';
import { ViewerAccess } from './packager/viewer-access';
import { HeartbeatService } from './registry/heartbeat.service';
import { RoomManager } from './rooms/room-manager';
import { CoreMxController } from './service-api/coremx.controller';
import { RecordingsController } from './service-api/recordings.controller';
import { RoomsController } from './service-api/rooms.controller';
import { SignalingGateway } from './signaling/signaling.gateway';
import { JoinTicketVerifier } from './tickets/join-ticket.verifier';

/** The plain parts of CASH (no Nest inside), built once and shared. */
@Global()
@Module({})
export class CashCoreModule {
  static forRoot(config: CashConfig, infra: CashInfrastructure): DynamicModule {
    const logger = new Logger('Rooms');
    const settings = packagerSettingsOf(config);
    const packager =
      settings && infra.packager
        ? {
            client: infra.packager,
            access: new ViewerAccess({
              publicUrl: settings.publicUrl,
              viewerTokenKey: settings.viewerTokenKey,
              ttlS: settings.tokenTtlS,
              clock: infra.clock,
            }),
            recordingPollMs: settings.recordingPollMs,
          }
        : undefined;
    const rooms = new RoomManager({
      media: infra.media,
      events: infra.events,
      clock: infra.clock,
      coremxId: config.COREMX_ID,
      mixerAddress: config.COREMX_ADDRESS,
      timeouts: {
        emptyTimeoutMs: config.ROOM_EMPTY_TIMEOUT_MS,
        reservationTimeoutMs: config.ROOM_RESERVATION_TIMEOUT_MS,
      },
      sweepIntervalMs: config.ROOM_SWEEP_INTERVAL_MS,
      logger,
      reconnectGraceMs: config.RECONNECT_GRACE_MS,
      // A pod deletion re-homes the conference at once while its people stay in the draining room until
      // the drain deadline (every CoreMX has the same one): they keep their roles until then + the grace.
      movedLeaveWithinMs: Math.min(config.DRAIN_DEADLINE_MS, RETURNING_LEFT_BY_MAX_MS),
      ice: {
        timeoutMs: config.ICE_CANDIDATE_TIMEOUT_MS,
        maxPerEndpoint: config.ICE_CANDIDATES_PER_ENDPOINT,
        holdMs: config.ICE_CANDIDATE_HOLD_MS,
      },
      chatEvents: config.CHAT_EVENTS,
      ...(packager ? { packager } : {}),
    });
    const state = new CoreMxStateService({
      highWatermark: config.ADMISSION_HIGH_WATERMARK,
      lowWatermark: config.ADMISSION_LOW_WATERMARK,
      capacityRooms: config.CAPACITY_ROOMS,
      capacityParticipants: config.CAPACITY_PARTICIPANTS,
      retryAfterS: config.ADMISSION_RETRY_AFTER_S,
      counts: () => rooms.counts(),
      events: infra.events,
      logger,
    });
    const drainer = new DrainCoordinator(rooms, state, infra.clock, logger);
    const heartbeat = new HeartbeatService({
      coremxId: config.COREMX_ID,
      link: infra.registry,
      clock: infra.clock,
      intervalMs: config.HEARTBEAT_INTERVAL_MS,
      incarnation: infra.incarnation,
      figures: () => ({
        address: config.COREMX_ADDRESS,
        signalingUrl: config.SIGNALING_URL,
        ...(config.CASH_API_URL ? { apiUrl: config.CASH_API_URL.replace(/\/$/, '') } : {}),
        state: state.state,
        load: state.load,
        ...rooms.counts(),
        capacity: config.CAPACITY_ROOMS,
      }),
      logger: new Logger('Heartbeat'),
    });
    const providers = [
      { provide: CASH_CONFIG, useValue: config },
      { provide: CASH_INFRASTRUCTURE, useValue: infra },
      { provide: COREMX_STATE, useValue: state },
      { provide: DRAIN_COORDINATOR, useValue: drainer },
      { provide: HEARTBEAT, useValue: heartbeat },
      { provide: JOIN_TICKETS, useValue: new JoinTicketVerifier(infra.ticketVerifier) },
      { provide: ROOM_MANAGER, useValue: rooms },
    ];
    return { module: CashCoreModule, providers, exports: providers.map((p) => p.provide) };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: CashConfig, infra: CashInfrastructure): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthKitModule.forRoot({
          verifier: infra.serviceVerifier,
          // CASH has no user-facing HTTP routes (participants come through signaling with tickets).
          userAudience: config.AUTH_INTERNAL_AUDIENCE,
          serviceAudience: config.AUTH_INTERNAL_AUDIENCE,
        }),
        CashCoreModule.forRoot(config, infra),
        HealthModule,
        MetricsModule,
        serviceLoggerModule({
          service: 'cash',
          version: config.SERVICE_VERSION,
          nodeId: config.NODE_ID,
          level: config.LOG_LEVEL,
        }),
      ],
      controllers: [CoreMxController, RoomsController, RecordingsController],
      providers: [CashLifecycle, CashMetrics, SignalingGateway],
    };
  }
}
