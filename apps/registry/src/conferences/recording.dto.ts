import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import {
  RECORDING_STOP_REASONS,
  type RecordedStream,
  type RecordingCommandAnswer,
  type RecordingCommandInput,
  type RecordingList,
  type RecordingStopReason,
  type RecordingSummary,
} from '@hoot/contracts';
import { STREAM_SOURCES, type StreamSource } from '@hoot/domain';

/*
 * The recording API (issue 18) in class form: Nest validates the command body and Swagger documents the
 * body and the answers from these classes; `recording.dto.spec.ts` holds each to its contract type.
 */

export const RECORDING_ACTIONS = ['start', 'stop'] as const;

export class RecordingCommandDto implements RecordingCommandInput {
  @ApiProperty({ enum: RECORDING_ACTIONS, description: 'start or stop recording the live room' })
  @IsIn(RECORDING_ACTIONS, { message: 'action must be start or stop' })
  action!: 'start' | 'stop';
}

export class RecordingCommandAnswerDto implements RecordingCommandAnswer {
  @ApiProperty() conferenceId!: string;
  @ApiProperty() recordingId!: string;
  @ApiProperty({ enum: ['recording', 'stopped'] }) state!: 'recording' | 'stopped';
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty({ description: 'account id of the owner who started it' }) startedBy!: string;
  @ApiPropertyOptional({ format: 'date-time' }) stoppedAt?: string;
  @ApiPropertyOptional({ enum: RECORDING_STOP_REASONS }) stopReason?: RecordingStopReason;
}

export class RecordedStreamDto implements RecordedStream {
  @ApiProperty({ description: "the packager's id of this recorded stream" }) streamId!: string;
  @ApiProperty() participantId!: string;
  @ApiProperty({ enum: STREAM_SOURCES }) stream!: StreamSource;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiPropertyOptional({ format: 'date-time' }) endedAt?: string;
  @ApiProperty({ description: 'seconds of media kept' }) durationS!: number;
  @ApiProperty() bytes!: number;
  @ApiProperty({ enum: ['recording', 'complete'] }) state!: 'recording' | 'complete';
  @ApiPropertyOptional({ enum: RECORDING_STOP_REASONS }) stopReason?: RecordingStopReason;
  @ApiProperty({ description: 'the HLS VOD playlist with a viewer token for the caller (it expires)' })
  playbackUrl!: string;
  @ApiProperty({ format: 'date-time', description: 'list again for a fresh token after this' })
  playbackExpiresAt!: string;
}

export class RecordingSummaryDto implements RecordingSummary {
  @ApiProperty() recordingId!: string;
  @ApiProperty({ format: 'date-time' }) startedAt!: string;
  @ApiProperty() startedBy!: string;
  @ApiPropertyOptional({ format: 'date-time' }) stoppedAt?: string;
  @ApiPropertyOptional({ enum: RECORDING_STOP_REASONS }) stopReason?: RecordingStopReason;
  @ApiProperty({ type: [RecordedStreamDto] }) streams!: RecordedStreamDto[];
}

export class RecordingListDto implements RecordingList {
  @ApiProperty() conferenceId!: string;
  @ApiProperty({ type: [RecordingSummaryDto] }) recordings!: RecordingSummaryDto[];
}
