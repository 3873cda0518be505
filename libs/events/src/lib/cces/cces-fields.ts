import { array, oneOf, text } from './validation';

/** `conferenceId` of ARCHITECTURE.md: lower-case letters, digits and dashes, 3–64 characters. */
export const CONFERENCE_ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,63}$/;
/** A CoreMX id as the gossip lib knows it (`coremx-1`): also the middle of its topic name. */
export const COREMX_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
/**
 * Key and `conferenceId` of the events that concern the CoreMX itself (`coremx.state-changed`). It can
 * never be a conference id (those never start with `_`), so the stream of CoreMX events has its own seq.
 */
export const COREMX_STREAM_KEY = '_coremx';
/** Ids of participants, accounts, streams and hand requests: opaque, URL-safe, at most 128 characters. */
export const OPAQUE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
/** A `hoot.mx://<conferenceId>@<mixer>` address (parsed for real by libs/domain; here: shape and size). */
export const CONFERENCE_ADDRESS_PATTERN =
  /^hoot\.mx:\/\/[a-z0-9][a-z0-9-]{2,63}@[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

export const conferenceIdField = text({
  max: 64,
  pattern: CONFERENCE_ID_PATTERN,
  patternName: 'a conference id ([a-z0-9][a-z0-9-]{2,63})',
});
export const coremxIdField = text({
  max: 63,
  pattern: COREMX_ID_PATTERN,
  patternName: 'a CoreMX id ([a-z0-9][a-z0-9-]{0,62})',
});
export const opaqueIdField = text({ max: 128, pattern: OPAQUE_ID_PATTERN, patternName: 'an opaque id' });
export const addressField = text({
  max: 256,
  pattern: CONFERENCE_ADDRESS_PATTERN,
  patternName: 'a hoot.mx://<conferenceId>@<mixer> address',
});
/** Free text people read (display names, reasons). */
export const displayTextField = (max: number) => text({ max });

/** The room types of seeds/001 (as libs/domain names them): group chat, audio-only, broadcast, call. */
export const ROOM_TYPES = ['m2m', 'a2m', 'p2m', 'p2p'] as const;
export type CcesRoomType = (typeof ROOM_TYPES)[number];
export const roomTypeField = oneOf(ROOM_TYPES);

/** Roles in a room (the owner is the oldest publisher, reported by `room.owner-changed`). */
export const PARTICIPANT_ROLES = ['publisher', 'viewer'] as const;
export type CcesParticipantRole = (typeof PARTICIPANT_ROLES)[number];
export const participantRoleField = oneOf(PARTICIPANT_ROLES);

/** As libs/domain names them: `screen` is a shared screen (a publisher's second stream). */
export const MEDIA_KINDS = ['audio', 'video', 'screen'] as const;
export type CcesMediaKind = (typeof MEDIA_KINDS)[number];
/**
 * The media kinds of a stream, no repeats: `audio` and/or `video` (the camera), or `screen`; all three
 * when a participant who shared its screen leaves.
 */
export const mediaKindsField = array(oneOf(MEDIA_KINDS), { min: 1, max: 3, unique: true });
