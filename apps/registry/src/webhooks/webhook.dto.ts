import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { EVENT_ID_PATTERN } from '@hoot/events';
import { WEBHOOK_URL_MAX_LENGTH } from './webhook-url';

export class PutWebhookDto {
  @ApiProperty({
    example: 'https://backend.example.com/hoot/events',
    description:
      'where conference events are POSTed: https (http only where private URLs are allowed); loopback, private and link-local hosts are refused',
    maxLength: WEBHOOK_URL_MAX_LENGTH,
  })
  @IsString()
  @MaxLength(WEBHOOK_URL_MAX_LENGTH)
  url!: string;
}

export class DeadLettersQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @ApiPropertyOptional({ description: 'the `next` of the previous page' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\/[0-9a-f-]{36}$/, {
    message: 'after must be the next of a previous page',
  })
  after?: string;
}

export class DeadLetterIdParam {
  @ApiProperty({ description: 'the event id of the dead letter' })
  @IsString()
  @Matches(EVENT_ID_PATTERN, { message: 'id must be an event id (lower-case UUID)' })
  id!: string;
}

export class WebhookWithSecretDto {
  @ApiProperty() url!: string;
  @ApiProperty({
    description:
      'HMAC-SHA256 key of `hoot-signature` (the whole string); shown here only (registration, rotation)',
  })
  secret!: string;
  @ApiProperty() createdAt!: string;
}

export class WebhookViewDto {
  @ApiProperty() url!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class DeadLetterDto {
  @ApiProperty({ description: 'event id' }) id!: string;
  @ApiProperty() conferenceId!: string;
  @ApiProperty() eventType!: string;
  @ApiProperty({ description: 'the CCES envelope that was to be delivered', type: Object }) event!: unknown;
  @ApiProperty({ nullable: true, type: String }) url!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true, type: Number }) lastStatus!: number | null;
  @ApiProperty({ nullable: true, type: String }) lastError!: string | null;
  @ApiProperty() queuedAt!: string;
  @ApiProperty() deadAt!: string;
}

export class DeadLetterPageDto {
  @ApiProperty({ type: [DeadLetterDto] }) deadLetters!: DeadLetterDto[];
  @ApiProperty({ nullable: true, type: String, description: 'pass as `after` for the next page' })
  next!: string | null;
}
