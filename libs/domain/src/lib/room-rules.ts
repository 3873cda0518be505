import { addChild } from './room-children';
import type { RoomResult } from './room-commit';
import { RoomErrorCode, roomFailure } from './room-error-codes';
import { checkRoomCommand, type RoomCommand } from './room-rules.commands';
import { end, join, kick, leave, unban } from './room-rules.membership';
import { approve, deny, lowerHand, publish, raiseHand, unpublish } from './room-rules.stage';
import { findParticipant, type Room, type RoomParticipant } from './room-state';

// The commands and their check live in room-rules.commands.ts, the rules by job in
// room-rules.membership.ts (who is in the room) and room-rules.stage.ts (who publishes, hands).
export * from './room-rules.commands';

const fail = roomFailure;
const E = RoomErrorCode;

/**
 * The room state machine: applies one command and answers the new room and the events it caused, or a
 * refusal with a stable code (the room is never changed by a refusal, and never mutated at all).
 * Being pure and synchronous, it is the atomic decision point: whoever owns the room applies commands
 * one at a time, so limits (publisher slots, p2p's two sides) can never be exceeded.
 */
export function applyRoomCommand(room: Room, command: RoomCommand): RoomResult {
  const problem = checkRoomCommand(command);
  if (problem) return fail(E.INVALID_COMMAND, problem);
  if (room.status === 'ended') return fail(E.ROOM_ENDED);
  switch (command.type) {
    case 'join':
      return join(room, command);
    case 'leave':
      return leave(room, command);
    case 'publish':
      return publish(room, command);
    case 'unpublish':
      return unpublish(room, command);
    case 'raiseHand':
      return raiseHand(room, command);
    case 'lowerHand':
      return lowerHand(room, command);
    case 'approve':
      return approve(room, command);
    case 'deny':
      return deny(room, command);
    case 'kick':
      return kick(room, command);
    case 'unban':
      return unban(room, command);
    case 'end':
      return end(room, command);
    case 'addChild':
      return addChild(room, {
        by: command.by,
        text: command.text,
        at: command.at,
        parentId: command.parentId,
      });
  }
}

/** The owner, as a participant (the oldest publisher). */
export function roomOwner(room: Room): RoomParticipant | undefined {
  return room.ownerId === null ? undefined : findParticipant(room, room.ownerId);
}
