/** Helpers for the room specs (not exported from the lib). */
import type { RoomResult } from './room-commit';
import type { RoomEvent } from './room-events';
import { applyRoomCommand, type JoinCommand, type RoomCommand } from './room-rules';
import { createRoom, type CreateRoomInput, type Room } from './room-state';
import type { RoomType } from './room-types';

export const T0 = 1_700_000_000_000;

/** The room of a successful result; throws with the refusal otherwise. */
export function must(result: RoomResult): Room {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return result.room;
}

export function newRoom(type: RoomType, extra: Partial<CreateRoomInput> = {}): Room {
  const result = createRoom({ id: 'standup', type, owner: 'alice', createdAt: T0, ...extra });
  if (!result.ok) throw new Error(result.message);
  return result.room;
}

/** A join of participant `id` (identity = id unless given; ticket `t-<id>`). */
export function joinOf(id: string, extra: Partial<JoinCommand> = {}): JoinCommand {
  return { type: 'join', at: T0 + 1, participantId: id, identity: id, ticketId: `t-${id}`, ...extra };
}

/** Applies commands in order; every one must succeed. Returns the room and all events. */
export function run(room: Room, ...commands: RoomCommand[]): { room: Room; events: RoomEvent[] } {
  const events: RoomEvent[] = [];
  let current = room;
  for (const command of commands) {
    const result = applyRoomCommand(current, command);
    current = must(result);
    if (result.ok) events.push(...result.events);
  }
  return { room: current, events };
}

/** Freezes a value and everything in it, so any mutation throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

export function roles(room: Room): Record<string, string> {
  return Object.fromEntries(room.participants.map((p) => [p.participantId, p.role]));
}
