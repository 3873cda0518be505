import { RoomErrorCode as E, ROOM_ERROR_MESSAGES } from './room-error-codes';
import { T0, deepFreeze, joinOf, newRoom, run } from './room.fixture';
import { applyRoomCommand, type RoomCommand } from './room-rules';
import type { Room } from './room-state';

// What the specs of the room rules share (room-rules.spec.ts, room-rules.stage.spec.ts).

export const at = T0 + 10;

/** The command is refused with `code` and its message, and the (frozen) room is left as it was. */
export function expectRefused(room: Room, command: RoomCommand, code: E): void {
  const before = JSON.stringify(room);
  const result = applyRoomCommand(deepFreeze(room), command);
  expect(result).toMatchObject({ ok: false, code });
  expect(result.ok ? '' : result.message).toContain(ROOM_ERROR_MESSAGES[code]);
  expect(JSON.stringify(room)).toBe(before);
}

/** m2m room with alice (creator, owner, publisher) and viewers bob and carol. */
export function groupRoom(type: 'm2m' | 'a2m' | 'p2m' = 'm2m'): Room {
  return run(newRoom(type), joinOf('alice'), joinOf('bob'), joinOf('carol')).room;
}

/** An m2m room with `n` publishers: alice, then p1 … p(n-1), each promoted by raising a hand. */
export function withPublishers(n: number): Room {
  let room = newRoom('m2m');
  room = run(room, joinOf('alice')).room;
  for (let i = 1; i < n; i++) {
    room = run(
      room,
      joinOf(`p${i}`),
      { type: 'raiseHand', at, participantId: `p${i}` },
      { type: 'approve', at, by: 'alice', target: `p${i}` },
    ).room;
  }
  return room;
}
