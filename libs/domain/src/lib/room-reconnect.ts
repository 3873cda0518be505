import type { DepartedParticipant, Room, RoomParticipant } from './room-state';
import type { RoomRole } from './room-types';
import { ROOM_RECONNECT_DEFAULTS } from './room-reconnect.defaults';

export { ROOM_RECONNECT_DEFAULTS } from './room-reconnect.defaults';

/** The place a new session of an identity takes over: role, join order and publisher seniority. */
export interface ResumedPlace {
  readonly role: RoomRole;
  readonly joinOrder: number;
  readonly publisherSince?: number;
}

/** Remembers where a participant was when it left (one record per identity, the newest). */
export function rememberDeparture(
  departed: readonly DepartedParticipant[],
  p: RoomParticipant,
  at: number,
  max: number = ROOM_RECONNECT_DEFAULTS.maxDeparted,
): DepartedParticipant[] {
  const record: DepartedParticipant = {
    identity: p.identity,
    role: p.role,
    joinOrder: p.joinOrder,
    ...(p.publisherSince !== undefined ? { publisherSince: p.publisherSince } : {}),
    leftAt: at,
  };
  return [...forgetDeparture(departed, p.identity), record].slice(-max);
}

export function forgetDeparture(
  departed: readonly DepartedParticipant[],
  identity: string,
): DepartedParticipant[] {
  return departed.filter((d) => d.identity !== identity);
}

/**
 * The place a joining session of `identity` resumes: that of its live session(s) it replaces (the most
 * senior one), else that of its departure within `graceMs`; undefined for a fresh join.
 */
export function resumedPlace(
  room: Room,
  identity: string,
  at: number,
  graceMs: number,
): ResumedPlace | undefined {
  const live = room.participants
    .filter((p) => p.identity === identity)
    .sort((a, b) => seniority(a) - seniority(b))[0];
  if (live) return live;
  const departed = room.departed.find((d) => d.identity === identity);
  return departed && at - departed.leftAt <= graceMs ? departed : undefined;
}

/** Publishers before viewers, then the older first. */
function seniority(p: ResumedPlace): number {
  return p.role === 'publisher'
    ? (p.publisherSince ?? p.joinOrder)
    : Number.MAX_SAFE_INTEGER / 2 + p.joinOrder;
}
