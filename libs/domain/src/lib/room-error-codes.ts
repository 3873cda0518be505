/**
 * Why a room command (or room creation, chat message, view patch) was refused. Stable: clients branch
 * on these, so never rename one, only add. A refused command never changes the room.
 */
export enum RoomErrorCode {
  INVALID_COMMAND = 'INVALID_COMMAND',
  INVALID_ROOM = 'INVALID_ROOM',
  ROOM_ENDED = 'ROOM_ENDED',
  ROOM_FULL = 'ROOM_FULL',
  P2P_FULL = 'P2P_FULL',
  NO_VIEWERS_IN_P2P = 'NO_VIEWERS_IN_P2P',
  PARTICIPANT_LIMIT_REACHED = 'PARTICIPANT_LIMIT_REACHED',
  NOT_ALLOWED = 'NOT_ALLOWED',
  PUBLISH_NOT_GRANTED = 'PUBLISH_NOT_GRANTED',
  ALREADY_IN_ROOM = 'ALREADY_IN_ROOM',
  TICKET_KICKED = 'TICKET_KICKED',
  TICKET_IN_USE = 'TICKET_IN_USE',
  NOT_IN_ROOM = 'NOT_IN_ROOM',
  TARGET_NOT_IN_ROOM = 'TARGET_NOT_IN_ROOM',
  NOT_OWNER = 'NOT_OWNER',
  NOT_A_PUBLISHER = 'NOT_A_PUBLISHER',
  ALREADY_PUBLISHER = 'ALREADY_PUBLISHER',
  VIDEO_NOT_ALLOWED = 'VIDEO_NOT_ALLOWED',
  STREAM_ALREADY_PUBLISHED = 'STREAM_ALREADY_PUBLISHED',
  STREAM_NOT_PUBLISHED = 'STREAM_NOT_PUBLISHED',
  SCREEN_SHARE_NOT_ALLOWED = 'SCREEN_SHARE_NOT_ALLOWED',
  SCREEN_SHARE_TAKEN = 'SCREEN_SHARE_TAKEN',
  HAND_ALREADY_RAISED = 'HAND_ALREADY_RAISED',
  HAND_NOT_RAISED = 'HAND_NOT_RAISED',
  CANNOT_KICK_SELF = 'CANNOT_KICK_SELF',
  CANNOT_KICK_OWNER = 'CANNOT_KICK_OWNER',
  CANNOT_KICK_CREATOR = 'CANNOT_KICK_CREATOR',
  NOT_CREATOR = 'NOT_CREATOR',
  BANNED = 'BANNED',
  NOT_BANNED = 'NOT_BANNED',
  CHILD_TEXT_EMPTY = 'CHILD_TEXT_EMPTY',
  CHILD_TEXT_TOO_LONG = 'CHILD_TEXT_TOO_LONG',
  CHILDREN_ONE_LEVEL_ONLY = 'CHILDREN_ONE_LEVEL_ONLY',
  PATCH_INVALID = 'PATCH_INVALID',
  PATCH_VERSION_MISMATCH = 'PATCH_VERSION_MISMATCH',
}

/** One human sentence per code (the `message` of a refusal starts with it). */
export const ROOM_ERROR_MESSAGES: Readonly<Record<RoomErrorCode, string>> = {
  INVALID_COMMAND: 'The command is malformed',
  INVALID_ROOM: 'The room cannot be created with these settings',
  ROOM_ENDED: 'The room has ended',
  ROOM_FULL: 'Every publisher slot of the room is taken',
  P2P_FULL: 'A peer-to-peer call has two participants already',
  NO_VIEWERS_IN_P2P: 'A peer-to-peer call has no viewers: both sides publish',
  PARTICIPANT_LIMIT_REACHED: 'The room has reached its participant limit',
  NOT_ALLOWED: 'This identity is not allowed in the room',
  PUBLISH_NOT_GRANTED: 'Only the creator joins as a publisher; join as a viewer and raise your hand',
  ALREADY_IN_ROOM: 'This participant is already in the room',
  TICKET_KICKED: 'This ticket was kicked from the room and cannot be used again',
  TICKET_IN_USE: 'This ticket is in use by another participant of the room',
  NOT_IN_ROOM: 'You are not in the room',
  TARGET_NOT_IN_ROOM: 'The target participant is not in the room',
  NOT_OWNER: 'Only the room owner (its oldest publisher) may do this',
  NOT_A_PUBLISHER: 'Only a publisher may do this',
  ALREADY_PUBLISHER: 'You are a publisher already',
  VIDEO_NOT_ALLOWED: 'This room is audio only: video cannot be published',
  STREAM_ALREADY_PUBLISHED: 'This stream is published already',
  STREAM_NOT_PUBLISHED: 'This stream is not published',
  SCREEN_SHARE_NOT_ALLOWED: 'Screens cannot be shared in this room',
  SCREEN_SHARE_TAKEN: 'Someone else is sharing a screen in this room; wait until they stop',
  HAND_ALREADY_RAISED: 'The hand is raised already',
  HAND_NOT_RAISED: 'The participant has not raised a hand',
  CANNOT_KICK_SELF: 'You cannot kick yourself; leave instead',
  CANNOT_KICK_OWNER: 'Nobody may kick the room owner',
  CANNOT_KICK_CREATOR: "Nobody may kick the conference's creator",
  NOT_CREATOR: "Only the conference's creator may end the room for everyone",
  BANNED: 'You were kicked from this room; its owner must let you back in',
  NOT_BANNED: 'This identity is not barred from the room',
  CHILD_TEXT_EMPTY: 'The message is empty',
  CHILD_TEXT_TOO_LONG: 'The message is too long',
  CHILDREN_ONE_LEVEL_ONLY: 'Messages belong to the room only: a message cannot have children',
  PATCH_INVALID: 'The patch cannot be applied',
  PATCH_VERSION_MISMATCH: 'The patch does not follow this version of the view: take a new snapshot',
};

export interface RoomFailure {
  ok: false;
  code: RoomErrorCode;
  message: string;
}

/** A refusal with the code's message, and a detail when there is one. */
export function roomFailure(code: RoomErrorCode, detail?: string): RoomFailure {
  const base = ROOM_ERROR_MESSAGES[code];
  return { ok: false, code, message: detail ? `${base}: ${detail}` : base };
}
