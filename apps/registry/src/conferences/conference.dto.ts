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
import {
  IDENTITY_PATTERN,
  MAX_ALLOWED,
  REGISTRY_API_LIMITS,
  type Conference,
  type ConferenceSettings,
  type CreateConferenceInput,
  type JoinRequest,
  type ListConferencesQuery as ListConferencesQueryContract,
} from '@hoot/contracts';
import { CONFERENCE_ID_PATTERN, ROOM_TYPES, type RoomType } from '@hoot/domain';

/*
 * The class-validator forms of the registry API contract (`@hoot/contracts`): Nest validates bodies and Swagger
 * documents them from these classes. Their bounds come from the contract; `conference.dto.spec.ts` holds each
 * class to its contract type at compile time and to the contract's validator on the same inputs.
 */
export { IDENTITY_PATTERN, MAX_ALLOWED };

const {
  maxParticipants: PARTICIPANTS,
  pageLimit: PAGE,
  joinAddressMaxLength: ADDRESS_MAX,
} = REGISTRY_API_LIMITS;

export class ConferenceSettingsDto implements ConferenceSettings {
  @ApiPropertyOptional({
    minimum: PARTICIPANTS.min,
    maximum: PARTICIPANTS.max,
    description: 'capped by your plan',
  })
  @IsOptional()
  @IsInt()
  @Min(PARTICIPANTS.min)
  @Max(PARTICIPANTS.max)
  maxParticipants?: number;
}

export class CreateConferenceDto implements CreateConferenceInput {
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

export class ListConferencesQuery implements ListConferencesQueryContract {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(PAGE.min)
  @Max(PAGE.max)
  limit?: number;

  @IsOptional()
  @Matches(CONFERENCE_ID_PATTERN, { message: 'after must be a conference id' })
  after?: string;
}

export class JoinDto implements JoinRequest {
  @ApiProperty({ example: 'hoot.mx://standup@coremx-1.c1.hoot.mx' })
  @IsString()
  @MaxLength(ADDRESS_MAX)
  address!: string;
}

/** A conference as the API shows it (the owner also sees who is allowed): the contract's `Conference`. */
export type ConferenceView = Conference;
