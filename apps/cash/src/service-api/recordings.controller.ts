import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ServiceGuard } from '@hoot/auth-kit';
import type { RecordingCommandAnswer, RecordingList } from '@hoot/contracts';
import { ROOM_MANAGER } from '../cash.tokens';
import type { RoomManager } from '../rooms/room-manager';
import { toHttp } from './cash-http';
import { RecordingCommandDto, RecordingsQuery, RoomIdParam } from './service-api.dto';

/**
 * Recording for registries (service credentials, issue 18): the owner's start/stop (the registry checked
 * the ownership; CASH does not again) and the recordings of a conference, read from the packager's volume.
 */
@Controller('internal/v1/rooms')
@UseGuards(ServiceGuard)
export class RecordingsController {
  constructor(@Inject(ROOM_MANAGER) private readonly rooms: RoomManager) {}

  /**
   * 200 the recording started or stopped; 404 `cash.room-not-found` (no live room); 409
   * `cash.already-recording` / `cash.not-recording`; 503 `cash.recording-unavailable`; 507
   * `cash.recording-storage-full`.
   */
  @Post(':roomId/recording')
  @HttpCode(200)
  async command(
    @Param() { roomId }: RoomIdParam,
    @Body() { action, by }: RecordingCommandDto,
  ): Promise<RecordingCommandAnswer> {
    try {
      return await this.rooms.recordFor(roomId, action, by);
    } catch (error) {
      throw toHttp(error);
    }
  }

  /** 200 the conference's recordings (with or without a live room); 503 without a packager. */
  @Get(':roomId/recordings')
  async list(@Param() { roomId }: RoomIdParam, @Query() _query: RecordingsQuery): Promise<RecordingList> {
    try {
      return { conferenceId: roomId, recordings: await this.rooms.listRecordings(roomId) };
    } catch (error) {
      throw toHttp(error);
    }
  }
}
