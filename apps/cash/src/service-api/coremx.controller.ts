import { Body, Controller, Get, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { ServiceGuard } from '@hoot/auth-kit';
import {
  CASH_CONFIG,
  CASH_INFRASTRUCTURE,
  COREMX_STATE,
  DRAIN_COORDINATOR,
  HEARTBEAT,
  ROOM_MANAGER,
} from '../cash.tokens';
import type { CashInfrastructure } from '../cash-infrastructure';
import type { CashConfig } from '../config/cash.config';
import type { CoreMxStateService } from '../coremx/coremx-state';
import type { DrainCoordinator, DrainStatus } from '../coremx/drain-coordinator';
import type { HeartbeatService, HeartbeatStatus } from '../registry/heartbeat.service';
import type { RoomManager } from '../rooms/room-manager';
import { DrainDto } from './service-api.dto';

export interface CoreMxStatus {
  coremxId: string;
  address: string;
  signalingUrl: string;
  state: 'active' | 'draining' | 'overloaded';
  load: number;
  mediaHealthy: boolean;
  rooms: number;
  participants: number;
  capacity: { rooms: number; participants: number };
  drain: DrainStatus;
  events: { backlog: number };
  registry: HeartbeatStatus;
  incarnation: number;
}

/** This CoreMX for registries and operators (service credentials): status, drain, undrain. */
@Controller('internal/v1/coremx')
@UseGuards(ServiceGuard)
export class CoreMxController {
  constructor(
    @Inject(CASH_CONFIG) private readonly config: CashConfig,
    @Inject(CASH_INFRASTRUCTURE) private readonly infra: CashInfrastructure,
    @Inject(ROOM_MANAGER) private readonly rooms: RoomManager,
    @Inject(COREMX_STATE) private readonly state: CoreMxStateService,
    @Inject(DRAIN_COORDINATOR) private readonly drainer: DrainCoordinator,
    @Inject(HEARTBEAT) private readonly heartbeat: HeartbeatService,
  ) {}

  @Get('status')
  status(): CoreMxStatus {
    const counts = this.rooms.counts();
    return {
      coremxId: this.config.COREMX_ID,
      address: this.config.COREMX_ADDRESS,
      signalingUrl: this.config.SIGNALING_URL,
      state: this.state.state,
      load: this.state.load,
      mediaHealthy: this.state.isMediaHealthy,
      ...counts,
      capacity: { rooms: this.config.CAPACITY_ROOMS, participants: this.config.CAPACITY_PARTICIPANTS },
      drain: this.drainer.status(),
      events: { backlog: this.infra.events.backlog() },
      registry: this.heartbeat.status(),
      incarnation: this.infra.incarnation,
    };
  }

  /** Starts draining: no new rooms; rooms end once empty, the rest at the deadline. Answers at once. */
  @Post('drain')
  @HttpCode(202)
  drain(@Body() body: DrainDto): CoreMxStatus {
    void this.drainer.drain(
      body.deadlineMs ?? this.config.DRAIN_DEADLINE_MS,
      'drain requested through the API',
    );
    return this.status();
  }

  @Post('undrain')
  @HttpCode(200)
  undrain(): CoreMxStatus {
    this.drainer.undrain();
    return this.status();
  }
}
