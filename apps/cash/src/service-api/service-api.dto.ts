import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CONFERENCE_ID_PATTERN, ROOM_TYPES, type RoomType } from '@hoot/domain';
import { OPAQUE_ID_PATTERN } from '@hoot/events';

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
