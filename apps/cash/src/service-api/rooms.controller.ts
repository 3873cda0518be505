import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ServiceGuard } from '@hoot/auth-kit';
import { formatConferenceAddress } from '@hoot/domain';
import { CashError, CashErrorCode } from '../cash-error';
import { CASH_CONFIG, COREMX_STATE, ROOM_MANAGER } from '../cash.tokens';
import type { CashConfig } from '../config/cash.config';
import type { CoreMxStateService } from '../coremx/coremx-state';
import { checkMove, type RoomInfo, type RoomManager } from '../rooms/room-manager';
import { toHttp } from './cash-http';
import { EndRoomQuery, ReserveRoomDto, RoomIdParam } from './service-api.dto';

type RoomAnswer = RoomInfo & { address: string };

/** Rooms for registries (service credentials): reserve, end, info. */
@Controller('internal/v1/rooms')
@UseGuards(ServiceGuard)
export class RoomsController {
  constructor(
    @Inject(CASH_CONFIG) private readonly config: CashConfig,
    @Inject(ROOM_MANAGER) private readonly rooms: RoomManager,
    @Inject(COREMX_STATE) private readonly state: CoreMxStateService,
  ) {}

  /**
   * 201 when created, 200 when the same room (id and type) exists already (nothing is published again);
   * 503 + Retry-After when full; 400 `cash.moved-from-self` when `movedFrom` names this CoreMX.
   */
  @Post()
  async reserve(
    @Body() body: ReserveRoomDto,
    @Res({ passthrough: true }) reply: { status(code: number): unknown },
  ): Promise<RoomAnswer> {
    try {
      checkMove(body, this.config.COREMX_ID);
      if (!this.rooms.has(body.id)) this.state.checkNewRoom();
      const { created, info } = await this.rooms.reserve(body);
      this.state.refresh();
      reply.status(created ? 201 : 200);
      return this.answer(info);
    } catch (error) {
      throw toHttp(error);
    }
  }

  @Get()
  list(): { rooms: RoomAnswer[] } {
    return { rooms: this.rooms.list().map((info) => this.answer(info)) };
  }

  @Get(':roomId')
  info(@Param() { roomId }: RoomIdParam): RoomAnswer {
    const info = this.rooms.info(roomId);
    if (!info) throw toHttp(new CashError(CashErrorCode.RoomNotFound, `no room ${roomId} on this CoreMX`));
    return this.answer(info);
  }

  /**
   * Ends the room for everyone in it: `?by=<identity>` when the conference's owner ended it through the
   * registry (`room.ended` reason `ended`, `by` = that identity); else reason `system`, `by` null.
   */
  @Delete(':roomId')
  @HttpCode(204)
  async end(@Param() { roomId }: RoomIdParam, @Query() { by }: EndRoomQuery): Promise<void> {
    try {
      await this.rooms.end(roomId, by !== undefined ? { by } : 'system');
      this.state.refresh();
    } catch (error) {
      throw toHttp(error);
    }
  }

  private answer(info: RoomInfo): RoomAnswer {
    return {
      ...info,
      address: formatConferenceAddress({ conferenceId: info.id, mixerAddress: this.config.COREMX_ADDRESS }),
    };
  }
}
