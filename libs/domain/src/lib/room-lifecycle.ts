import type { RoomEndReason } from './room-events';
import type { Room } from './room-state';

/** How long rooms nobody is in may live. */
export interface RoomTimeouts {
  /** A room whose last participant left is deleted this long after (`emptySince`). */
  emptyTimeoutMs: number;
  /** A reserved room nobody joined is deleted this long after its creation. */
  reservationTimeoutMs: number;
}

export const ROOM_TIMEOUT_DEFAULTS: Readonly<RoomTimeouts> = {
  // Long enough for the last participant to reload the page or ride out a network change and come back
  // to the same room (and pipeline), short enough to free media resources soon after a meeting.
  emptyTimeoutMs: 2 * 60_000,
  // A conference is usually created just before its link is shared; half an hour covers people joining
  // a little late, and an abandoned reservation does not hold a CoreMX slot for long.
  reservationTimeoutMs: 30 * 60_000,
};

/** Since when the room has been empty (epoch ms), or undefined when it is not empty. */
export function emptySince(room: Room): number | undefined {
  return room.status === 'empty' && room.emptySince !== null ? room.emptySince : undefined;
}

/**
 * When the room may be deleted (epoch ms): reserved rooms at `createdAt + reservationTimeoutMs`, empty
 * rooms at `emptySince + emptyTimeoutMs`, ended rooms at once (`endedAt`); active rooms never
 * (undefined). A sweeper schedules its next run at the earliest of these.
 */
export function roomExpiresAt(
  room: Room,
  timeouts: RoomTimeouts = ROOM_TIMEOUT_DEFAULTS,
): number | undefined {
  switch (room.status) {
    case 'reserved':
      return room.createdAt + timeouts.reservationTimeoutMs;
    case 'empty':
      return (room.emptySince ?? room.createdAt) + timeouts.emptyTimeoutMs;
    case 'ended':
      return room.endedAt ?? room.createdAt;
    case 'active':
      return undefined;
  }
}

/**
 * Why the room should go now (`nowMs` from the caller's clock), or undefined while it should stay:
 * `reservation-timeout`, `empty-timeout`, or `ended` for a room that ended already. End an expiring room
 * with `applyRoomCommand(room, { type: 'end', at: nowMs, reason })` to emit `room.ended`.
 */
export function expiryReason(
  room: Room,
  nowMs: number,
  timeouts: RoomTimeouts = ROOM_TIMEOUT_DEFAULTS,
): Extract<RoomEndReason, 'empty-timeout' | 'reservation-timeout'> | 'ended' | undefined {
  const expiresAt = roomExpiresAt(room, timeouts);
  if (expiresAt === undefined || nowMs < expiresAt) return undefined;
  if (room.status === 'ended') return 'ended';
  return room.status === 'reserved' ? 'reservation-timeout' : 'empty-timeout';
}

/** True when the room should be deleted at `nowMs`. */
export function isExpired(
  room: Room,
  nowMs: number,
  timeouts: RoomTimeouts = ROOM_TIMEOUT_DEFAULTS,
): boolean {
  return expiryReason(room, nowMs, timeouts) !== undefined;
}
