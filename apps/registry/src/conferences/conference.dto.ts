import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CONFERENCE_ID_PATTERN, ROOM_TYPES, type ConferenceRecord, type RoomType } from '@hoot/domain';

/** An account id (`acc_…`) or a username: who may join besides the owner. */
export const IDENTITY_PATTERN = /^(acc_[0-9a-f-]{36}|[a-z0-9][a-z0-9._-]{2,63})$/;

/**
 * Most identities in `allowed`: the list travels in the conference's `room.reserved` event, which every
 * registry reads, and CCES events are at most 16 KiB (300 account ids ≈ 13 KiB).
 */
export const MAX_ALLOWED = 300;

export class ConferenceSettingsDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100_000, description: 'capped by your plan' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  maxParticipants?: number;
}

export class CreateConferenceDto {
  @ApiPropertyOptional({ example: 'standup', description: '[a-z0-9][a-z0-9-]{2,63}; generated when absent' })
  @IsOptional()
  @Matches(CONFERENCE_ID_PATTERN, { message: 'id must match [a-z0-9][a-z0-9-]{2,63}' })
  id?: string;

  @ApiProperty({ enum: ROOM_TYPES })
  @IsIn(ROOM_TYPES)
  type!: RoomType;

  @ApiProperty({
    type: [String],
    example: ['bob', 'carol'],
    maxItems: MAX_ALLOWED,
    description: 'usernames or account ids (larger audiences: make it public)',
  })
  @IsArray()
  @ArrayMaxSize(MAX_ALLOWED, { message: `allowed holds at most ${MAX_ALLOWED} identities` })
  @IsString({ each: true })
  @Matches(IDENTITY_PATTERN, { each: true, message: 'allowed must hold usernames or account ids' })
  allowed!: string[];

  @ApiPropertyOptional({ description: 'anyone signed in may join' })
  @IsOptional()
  @IsBoolean()
  public?: boolean;

  @ApiPropertyOptional({ type: ConferenceSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ConferenceSettingsDto)
  settings?: ConferenceSettingsDto;
}

export class ConferenceIdParam {
  @ApiProperty({ description: 'the conference id', pattern: CONFERENCE_ID_PATTERN.source })
  @Matches(CONFERENCE_ID_PATTERN, { message: 'id must be a conference id' })
  id!: string;
}

export class ListConferencesQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @IsOptional()
  @Matches(CONFERENCE_ID_PATTERN, { message: 'after must be a conference id' })
  after?: string;
}

export class JoinDto {
  @ApiProperty({ example: 'hoot.mx://standup@coremx-1.c1.hoot.mx' })
  @IsString()
  @MaxLength(400)
  address!: string;
}

/** A conference as the API shows it (the owner also sees who is allowed). */
export interface ConferenceView {
  id: string;
  address: string;
  type: RoomType;
  owner: string | null;
  public: boolean;
  allowed?: string[];
  maxParticipants: number | null;
  status: ConferenceRecord['status'];
  participants: number;
  coremxId: string;
  previousAddresses: string[];
  createdAt: string;
  endedAt: string | null;
  /** Single-conference answers (create, get): account id → username for the owner and (owner only) allowed. */
  usernames?: Record<string, string>;
}
