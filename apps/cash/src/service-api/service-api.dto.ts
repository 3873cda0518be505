import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CONFERENCE_ID_PATTERN, ROOM_RECONNECT_DEFAULTS, ROOM_TYPES, type RoomType } from '@hoot/domain';
import {
  CONFERENCE_MOVE_REASONS,
  COREMX_ID_PATTERN,
  OPAQUE_ID_PATTERN,
  type ConferenceMoveReason,
} from '@hoot/events';

/** Optional, but `null` is refused (unlike `@IsOptional`): absent is the only way to leave it out. */
const isPresent = (_dto: object, value: unknown) => value !== undefined;

/** Someone who was in a moved conference on its old CoreMX. */
export class MovedParticipantDto {
  @Matches(OPAQUE_ID_PATTERN, { message: 'movedFrom.participants identity must be an identity' })
  identity!: string;

  @IsIn(['publisher', 'viewer'])
  role!: 'publisher' | 'viewer';
}

/** Someone who was in the conference's room when the platform closed it (a drain, an operator). */
export class ReturningParticipantDto {
  @Matches(OPAQUE_ID_PATTERN, { message: 'returning identity must be an identity' })
  identity!: string;

  @IsIn(['publisher', 'viewer'])
  role!: 'publisher' | 'viewer';
}

/** Where a re-homed conference lived before (the primary registry moves it off a dead or draining CoreMX). */
export class MovedFromDto {
  @Matches(COREMX_ID_PATTERN, { message: 'movedFrom.coremxId must be a CoreMX id ([a-z0-9][a-z0-9-]{0,62})' })
  coremxId!: string;

  @IsIn(CONFERENCE_MOVE_REASONS)
  reason!: ConferenceMoveReason;

  /**
   * Who was in it there, in join order: each resumes its role (and seniority) if it joins within
   * `RECONNECT_GRACE_MS` of this reserve. Absent: everyone comes back by the usual rules.
   */
  @ValidateIf(isPresent)
  @IsArray()
  @ArrayMaxSize(ROOM_RECONNECT_DEFAULTS.maxDeparted)
  @ValidateNested({ each: true })
  @Type(() => MovedParticipantDto)
  participants?: MovedParticipantDto[];
}

/** A registry reserves a room for a conference it placed on this CoreMX. */
export class ReserveRoomDto {
  @Matches(CONFERENCE_ID_PATTERN, { message: 'id must be a conference id ([a-z0-9][a-z0-9-]{2,63})' })
  id!: string;

  @IsIn(ROOM_TYPES)
  type!: RoomType;

  /** Identity of the creator (publishes by default); absent: the first to join. */
  @IsOptional()
  @Matches(OPAQUE_ID_PATTERN, { message: 'owner must be an identity' })
  owner?: string;

  /** Identities allowed to join (the owner always is); absent: anyone with a ticket. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @Matches(OPAQUE_ID_PATTERN, { each: true, message: 'allowed must hold identities' })
  allowed?: string[];

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  maxParticipants?: number;

  /** Open to any authenticated identity (access-token joins; `allowed` not enforced); default false. */
  @ValidateIf(isPresent)
  @IsBoolean()
  public?: boolean;

  /**
   * The conference is re-homed here: when this reserve creates the room, `conference.moved` follows
   * `room.reserved` on this CoreMX's topic.
   */
  @ValidateIf(isPresent)
  @IsObject()
  @ValidateNested()
  @Type(() => MovedFromDto)
  movedFrom?: MovedFromDto;

  /**
   * The conference is reopened after the platform closed its room (a drain, an operator; on this CoreMX
   * or another): who was in it, oldest publisher first. Each resumes its role (and seniority) if it joins
   * within `RECONNECT_GRACE_MS` of this reserve. Not together with `movedFrom.participants`.
   */
  @ValidateIf(isPresent)
  @IsArray()
  @ArrayMaxSize(ROOM_RECONNECT_DEFAULTS.maxDeparted)
  @ValidateNested({ each: true })
  @Type(() => ReturningParticipantDto)
  returning?: ReturningParticipantDto[];
}

/** `DELETE /internal/v1/rooms/:roomId?by=<identity>`: the conference's owner ended it (through the registry). */
export class EndRoomQuery {
  @IsOptional()
  @Matches(OPAQUE_ID_PATTERN, { message: 'by must be an identity' })
  by?: string;
}

export class RoomIdParam {
  @Matches(CONFERENCE_ID_PATTERN, { message: 'roomId must be a conference id' })
  roomId!: string;
}

export class DrainDto {
  /** Rooms still open after this are ended; default `DRAIN_DEADLINE_MS`. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(24 * 3600_000)
  deadlineMs?: number;
}

/** `POST /internal/v1/rooms/:roomId/recording`: the registry, for the conference's owner (it checked). */
export class RecordingCommandDto {
  @IsIn(['start', 'stop'])
  action!: 'start' | 'stop';

  @Matches(OPAQUE_ID_PATTERN, { message: 'by must be an identity' })
  by!: string;
}

/** `GET /internal/v1/rooms/:roomId/recordings?viewer=<identity>`: playback URLs are signed for that viewer. */
export class RecordingsQuery {
  @Matches(OPAQUE_ID_PATTERN, { message: 'viewer must be an identity' })
  viewer!: string;
}
