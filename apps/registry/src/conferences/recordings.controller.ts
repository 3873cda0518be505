import { Body, Controller, Get, HttpCode, Inject, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuthGuard, CurrentIdentity, type Identity } from '@hoot/auth-kit';
import type { RecordingCommandAnswer, RecordingList } from '@hoot/contracts';
import { RECORDING_SERVICE } from '../registry.tokens';
import { ConferenceProblemFilter } from './conference-problem';
import { ConferenceIdParam } from './conference.dto';
import { RecordingCommandAnswerDto, RecordingCommandDto, RecordingListDto } from './recording.dto';
import type { RecordingService } from './recording.service';

/**
 * Recording (issue 18, user tokens): the owner starts and stops recording the live room; anyone entitled
 * to join lists the recordings with playback URLs signed for them. Both go to the CASH hosting the room.
 */
@ApiTags('conferences')
@ApiBearerAuth()
@Controller('v1/conferences/:id')
@UseGuards(AuthGuard)
@UseFilters(new ConferenceProblemFilter())
export class RecordingsController {
  constructor(@Inject(RECORDING_SERVICE) private readonly recordings: RecordingService) {}

  @Post('recording')
  @HttpCode(200)
  @ApiOperation({ summary: 'start or stop recording the live room (owner only)' })
  @ApiOkResponse({
    type: RecordingCommandAnswerDto,
    description: 'the recording started, or the one stopped',
  })
  @ApiResponse({ status: 400, description: 'request.invalid (action must be start or stop, nothing else)' })
  @ApiResponse({ status: 403, description: 'conference.not-owner' })
  @ApiResponse({ status: 404, description: 'conference.not-found (unknown, or not yours to see)' })
  @ApiResponse({
    status: 409,
    description: 'conference.not-live (nobody in the room), ALREADY_RECORDING, NOT_RECORDING',
  })
  @ApiResponse({ status: 410, description: 'conference.ended' })
  @ApiResponse({
    status: 503,
    description:
      'RECORDING_UNAVAILABLE (no recording on its CoreMX, or a p2p call); conference.coremx-unavailable + Retry-After',
  })
  @ApiResponse({ status: 507, description: 'RECORDING_STORAGE_FULL' })
  command(
    @CurrentIdentity() identity: Identity,
    @Param() { id }: ConferenceIdParam,
    @Body() body: RecordingCommandDto,
  ): Promise<RecordingCommandAnswer> {
    return this.recordings.command(identity.subject, id, { action: body.action });
  }

  @Get('recordings')
  @ApiOperation({ summary: "the conference's recordings, playable by the caller (anyone entitled to join)" })
  @ApiOkResponse({ type: RecordingListDto })
  @ApiResponse({ status: 404, description: 'conference.not-found (unknown, or not yours to see)' })
  @ApiResponse({ status: 503, description: 'conference.coremx-unavailable + Retry-After' })
  list(@CurrentIdentity() identity: Identity, @Param() { id }: ConferenceIdParam): Promise<RecordingList> {
    return this.recordings.list(identity.subject, id);
  }
}
