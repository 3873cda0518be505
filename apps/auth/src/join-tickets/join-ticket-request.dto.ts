import { IsIn, IsInt, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { CONFERENCE_ID_PATTERN, ROOM_TYPES, type RoomRole, type RoomType } from '@hoot/domain';
import { COREMX_ID_PATTERN, OPAQUE_ID_PATTERN } from '@hoot/events';
import { OptionalNotNull } from '../validation/optional-not-null';

/** Bounds of join tickets, with why. */
export const JOIN_TICKET_DEFAULTS = {
  /** A ticket is used right away (the client connects to CASH with it): two minutes covers a slow start. */
  ttlSeconds: 120,
  /** Shorter would expire between the registry's answer and the client's connection. */
  minTtlSeconds: 10,
  /** A ticket is a bearer credential for one room: never let it live long. */
  maxTtlSeconds: 600,
  /** What CASH keeps of `name`. */
  maxDisplayNameLength: 100,
  /** Every verifier refuses tokens above 8 KiB. */
  maxSubjectTokenLength: 8 * 1024,
} as const;

/** `POST /internal/v1/join-tickets`: what the registry asks to be signed (see README). */
export class JoinTicketRequestDto {
  @IsString()
  @Matches(COREMX_ID_PATTERN, { message: 'coremxId must be a CoreMX id (a-z 0-9 -, at most 63)' })
  coremxId!: string;

  /** The identity (account id) joining. */
  @IsString()
  @Matches(OPAQUE_ID_PATTERN, {
    message: 'subject must be an opaque id (A-Z a-z 0-9 . _ : @ -, at most 128)',
  })
  subject!: string;

  @IsString()
  @Matches(CONFERENCE_ID_PATTERN, {
    message: 'conferenceId must be 3-64 of a-z 0-9 -, starting with a letter or digit',
  })
  conferenceId!: string;

  @OptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(JOIN_TICKET_DEFAULTS.maxDisplayNameLength)
  @Matches(/^[^\u0000-\u001f\u007f]*$/, { message: 'displayName must not contain control characters' })
  displayName?: string;

  @OptionalNotNull()
  @IsIn(['publisher', 'viewer'])
  role?: RoomRole;

  @OptionalNotNull()
  @IsIn(ROOM_TYPES)
  roomType?: RoomType;

  @OptionalNotNull()
  @IsInt()
  @Min(JOIN_TICKET_DEFAULTS.minTtlSeconds)
  @Max(JOIN_TICKET_DEFAULTS.maxTtlSeconds)
  ttlSeconds?: number;

  /**
   * The access token the user joined with (as the registry received it). With it, auth also refuses a
   * ticket when that token was revoked by `jti` or by a whole-subject revocation; without it, only a
   * disabled or unknown account is refused.
   */
  @OptionalNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(JOIN_TICKET_DEFAULTS.maxSubjectTokenLength)
  subjectToken?: string;
}
