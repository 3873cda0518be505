import { commitRoom, type RoomResult } from './room-commit';
import { RoomErrorCode, roomFailure } from './room-error-codes';
import { checkIdField, checkTimestamp } from './room-input';
import { findParticipant, type Room, type RoomChild } from './room-state';

/** Limits on chat messages (children of the room object). */
export interface RoomChildLimits {
  /** Longest message, in characters (code points). */
  maxTextLength: number;
  /** Messages the room keeps; older ones are dropped first. */
  maxChildren: number;
}

export const ROOM_CHILD_LIMITS: Readonly<RoomChildLimits> = {
  // A long paragraph; longer texts belong in a file, not in the room's state and every patch of it.
  maxTextLength: 2000,
  // Enough scroll-back for anyone joining late, while a room snapshot stays well under 1 MB.
  maxChildren: 200,
};

export interface AddChildInput {
  /** Participant id of the author. */
  by: string;
  text: string;
  /** Epoch ms. */
  at: number;
  /**
   * What the message is a child of: the room (absent or the room id). Children cannot have children
   * (seed 003: composition is one level only), so any other parent is refused.
   */
  parentId?: string;
}

/**
 * Adds a chat message to the room: any participant may; the author is its only reporter. Keeps the
 * last `maxChildren`. Refusals: ROOM_ENDED, INVALID_COMMAND, NOT_IN_ROOM, CHILDREN_ONE_LEVEL_ONLY,
 * CHILD_TEXT_EMPTY, CHILD_TEXT_TOO_LONG.
 */
export function addChild(
  room: Room,
  input: AddChildInput,
  limits: RoomChildLimits = ROOM_CHILD_LIMITS,
): RoomResult {
  if (typeof input !== 'object' || input === null) {
    return roomFailure(RoomErrorCode.INVALID_COMMAND, 'the message must be an object');
  }
  const fieldProblem = checkIdField(input.by, 'by') ?? checkTimestamp(input.at, 'at');
  if (fieldProblem) return roomFailure(RoomErrorCode.INVALID_COMMAND, fieldProblem);
  if (typeof input.text !== 'string')
    return roomFailure(RoomErrorCode.INVALID_COMMAND, 'text must be a string');
  if (input.parentId !== undefined && input.parentId !== room.id) {
    return roomFailure(
      RoomErrorCode.CHILDREN_ONE_LEVEL_ONLY,
      `parent ${JSON.stringify(String(input.parentId))} is not the room`,
    );
  }
  if (room.status === 'ended') return roomFailure(RoomErrorCode.ROOM_ENDED);
  const author = findParticipant(room, input.by);
  if (!author) return roomFailure(RoomErrorCode.NOT_IN_ROOM);
  if (input.text.trim().length === 0) return roomFailure(RoomErrorCode.CHILD_TEXT_EMPTY);
  const length = [...input.text].length;
  if (length > limits.maxTextLength) {
    return roomFailure(
      RoomErrorCode.CHILD_TEXT_TOO_LONG,
      `${length} characters; at most ${limits.maxTextLength} are allowed`,
    );
  }
  const seq = room.seq + 1;
  const child: RoomChild = {
    childId: `c${seq}`,
    by: author.participantId,
    identity: author.identity,
    displayName: author.displayName,
    text: input.text,
    at: input.at,
  };
  const all = [...room.children, child];
  const children = limits.maxChildren > 0 ? all.slice(-limits.maxChildren) : [];
  return commitRoom(
    room,
    { ...room, seq, children },
    [
      {
        type: 'child.added',
        childId: child.childId,
        by: child.by,
        identity: child.identity,
        displayName: child.displayName,
        text: child.text,
      },
    ],
    input.at,
  );
}
