import { CONFERENCE_ID_PATTERN } from './conference-address';
import { RoomErrorCode, roomFailure, type RoomFailure } from './room-error-codes';
import { checkIdField, checkTimestamp } from './room-input';
import { ROOM_RECONNECT_DEFAULTS } from './room-reconnect.defaults';
import type { RoomEndReason, RoomEvent } from './room-events';
import { ROOM_TYPE_RULES, isRoomType, type MediaKind, type RoomRole, type RoomType } from './room-types';

/**
 * `reserved`: created, nobody joined yet. `active`: someone is in it. `empty`: had participants, has
 * none now (deleted after the empty timeout). `ended`: over; every command is refused.
 */
export type RoomStatus = 'reserved' | 'active' | 'empty' | 'ended';

export interface RoomParticipant {
  /** One session of an identity (an identity may be in a room more than once). */
  readonly participantId: string;
  /** Account id or username of whoever holds the ticket. */
  readonly identity: string;
  readonly displayName: string;
  /** The join ticket this session used. */
  readonly ticketId: string;
  readonly role: RoomRole;
  readonly joinedAt: number;
  /**
   * Position in join order (room-wide, increasing; a new identity never gets an old one). A session that
   * resumes its identity's place (a reconnect within the grace period, or a replaced session) keeps it.
   */
  readonly joinOrder: number;
  /**
   * Publisher seniority: when this participant became a publisher (same counter as `joinOrder`); the
   * publisher with the lowest is the owner. Absent for viewers.
   */
  readonly publisherSince?: number;
  readonly handRaised: boolean;
  readonly handRaisedAt?: number;
  /** Published kinds, in `MEDIA_KINDS` order. */
  readonly streams: readonly MediaKind[];
}

/** A chat message: a child of the room object (one level only, seed 003). */
export interface RoomChild {
  readonly childId: string;
  /** Participant id of its author (its only reporter). */
  readonly by: string;
  readonly identity: string;
  /** The author's display name when it wrote (kept after the author left, was kicked or reloaded). */
  readonly displayName: string;
  readonly text: string;
  readonly at: number;
}

/**
 * Where an identity was when its last session left the room (not when kicked): a session of the same
 * identity joining within the reconnect grace period resumes it (role, join order, publisher seniority).
 */
export interface DepartedParticipant {
  readonly identity: string;
  readonly role: RoomRole;
  readonly joinOrder: number;
  readonly publisherSince?: number;
  /** Epoch ms. */
  readonly leftAt: number;
}

/** A room: an immutable value; every change makes a new one with `version` + 1. */
export interface Room {
  readonly id: string;
  readonly type: RoomType;
  readonly status: RoomStatus;
  readonly version: number;
  readonly createdAt: number;
  /** Identity of the creator: joins as a publisher by default. Set by the first join when not reserved for anyone. */
  readonly creator: string | null;
  /**
   * Open to anyone authenticated: `allowed` does not restrict joins, and CASH admits any valid access token.
   * False: only the creator and `allowed` (when set).
   */
  readonly public: boolean;
  /** When set (and the room is not public), only these identities (and the creator) may join. */
  readonly allowed: readonly string[] | null;
  /** Account limit on participants at once (publishers and viewers); null: only the room type's limits. */
  readonly maxParticipants: number | null;
  readonly startedAt: number | null;
  /** Since when the room has had nobody in it (status `empty`). */
  readonly emptySince: number | null;
  readonly endedAt: number | null;
  readonly endReason: RoomEndReason | null;
  /** Participant id of the owner: always the publisher with the lowest `publisherSince`; null without publishers. */
  readonly ownerId: string | null;
  /** In join order. */
  readonly participants: readonly RoomParticipant[];
  /** Tickets that were kicked: they can never join this room again. */
  readonly kickedTickets: readonly string[];
  /**
   * Identities that were kicked: barred from the room (with any ticket) until its owner or creator lets
   * them back (`unban`).
   */
  readonly bannedIdentities: readonly string[];
  /** Chat messages, oldest first; only the last `ROOM_CHILD_LIMITS.maxChildren` are kept. */
  readonly children: readonly RoomChild[];
  /** Recent departures, one per identity, newest last (at most `ROOM_RECONNECT_DEFAULTS.maxDeparted`). */
  readonly departed: readonly DepartedParticipant[];
  /** Counter behind `joinOrder`, `publisherSince` and child ids. */
  readonly seq: number;
}

export interface CreateRoomInput {
  /** The conference id (`CONFERENCE_ID_PATTERN`). */
  id: string;
  type: RoomType;
  /** Identity of the creator, who publishes by default; when absent the first to join is the creator. */
  owner?: string;
  /** Open to anyone authenticated (`allowed` is then not enforced); default false. */
  public?: boolean;
  /** Identities allowed to join (the creator always is); absent: anyone with a ticket. */
  allowed?: readonly string[];
  /** Most participants at once (from the account's plan); absent: only the room type's limits. */
  maxParticipants?: number;
  /**
   * The conference moved here from another CoreMX: who was in it there, in join order (the oldest
   * publisher first among publishers). Each may come back within the reconnect grace (counted from
   * `createdAt`) and resumes its role and seniority, as after a dropped connection.
   */
  returning?: readonly { identity: string; role: RoomRole }[];
  /**
   * Until when (epoch ms, from `createdAt` to `createdAt` + `RETURNING_LEFT_BY_MAX_MS`) the `returning`
   * participants may still be in the room they come from: a draining CoreMX keeps its rooms until its
   * drain deadline while the conference is already re-homed. Their grace is counted from then. Default
   * `createdAt` (they left when the conference came here).
   */
  returningLeftBy?: number;
  /** Epoch ms. */
  createdAt: number;
}

/** The latest `returningLeftBy` after `createdAt`: a day, the longest drain deadline CASH accepts. */
export const RETURNING_LEFT_BY_MAX_MS = 24 * 3600_000;

export type CreateRoomResult = { ok: true; room: Room; events: RoomEvent[] } | RoomFailure;

export { DISPLAY_NAME_MAX_LENGTH, ROOM_ID_FIELD_MAX_LENGTH } from './room-input';

/**
 * A new room in status `reserved` (event `room.reserved`). A room that starts with its first join is
 * created the same way and joined at once.
 */
export function createRoom(input: CreateRoomInput): CreateRoomResult {
  const bad = (detail: string) => roomFailure(RoomErrorCode.INVALID_ROOM, detail);
  if (typeof input !== 'object' || input === null) return bad('the input must be an object');
  if (typeof input.id !== 'string' || !CONFERENCE_ID_PATTERN.test(input.id)) {
    return bad('id must be a conference id (3–64 chars of a-z, 0-9, "-", not starting with "-")');
  }
  if (!isRoomType(input.type)) return bad(`type must be one of m2m, a2m, p2m, p2p`);
  const createdAtProblem = checkTimestamp(input.createdAt, 'createdAt');
  if (createdAtProblem) return bad(createdAtProblem);
  if (input.owner !== undefined) {
    const p = checkIdField(input.owner, 'owner');
    if (p) return bad(p);
  }
  if (input.public !== undefined && typeof input.public !== 'boolean') {
    return bad('public must be true or false');
  }
  if (input.allowed !== undefined) {
    if (!Array.isArray(input.allowed)) return bad('allowed must be a list of identities');
    for (const identity of input.allowed) {
      const p = checkIdField(identity, 'allowed identity');
      if (p) return bad(p);
    }
  }
  if (input.returning !== undefined) {
    if (!Array.isArray(input.returning)) return bad('returning must be a list');
    if (input.returning.length > ROOM_RECONNECT_DEFAULTS.maxDeparted) {
      return bad(`returning may hold at most ${ROOM_RECONNECT_DEFAULTS.maxDeparted} participants`);
    }
    for (const r of input.returning) {
      const p = checkIdField(r?.identity, 'returning identity');
      if (p) return bad(p);
      if (r.role !== 'publisher' && r.role !== 'viewer')
        return bad('returning role must be publisher or viewer');
    }
  }
  if (input.returningLeftBy !== undefined) {
    const by = input.returningLeftBy;
    if (!Number.isFinite(by) || by < input.createdAt || by > input.createdAt + RETURNING_LEFT_BY_MAX_MS) {
      return bad(`returningLeftBy must be between createdAt and ${RETURNING_LEFT_BY_MAX_MS} ms after it`);
    }
  }
  if (
    input.maxParticipants !== undefined &&
    (!Number.isInteger(input.maxParticipants) || input.maxParticipants < 1)
  ) {
    return bad('maxParticipants must be an integer >= 1');
  }
  const room: Room = {
    id: input.id,
    type: input.type,
    status: 'reserved',
    version: 0,
    createdAt: input.createdAt,
    creator: input.owner ?? null,
    public: input.public ?? false,
    allowed: input.allowed ? [...new Set(input.allowed)] : null,
    maxParticipants: input.maxParticipants ?? null,
    startedAt: null,
    emptySince: null,
    endedAt: null,
    endReason: null,
    ownerId: null,
    participants: [],
    kickedTickets: [],
    bannedIdentities: [],
    children: [],
    departed: departedOnArrival(input.returning ?? [], input.returningLeftBy ?? input.createdAt),
    seq: input.returning?.length ?? 0,
  };
  const event: RoomEvent = {
    type: 'room.reserved',
    roomId: room.id,
    at: room.createdAt,
    version: 0,
    roomType: room.type,
    creator: room.creator,
    public: room.public,
    allowed: room.allowed && [...room.allowed],
    maxParticipants: room.maxParticipants,
  };
  return { ok: true, room, events: [event] };
}

/** A moved conference's participants, as if they had left at `at` (one per identity, the first kept). */
function departedOnArrival(
  returning: readonly { identity: string; role: RoomRole }[],
  at: number,
): DepartedParticipant[] {
  const seen = new Set<string>();
  const departed: DepartedParticipant[] = [];
  returning.forEach((r, i) => {
    if (seen.has(r.identity)) return;
    seen.add(r.identity);
    departed.push({
      identity: r.identity,
      role: r.role,
      joinOrder: i + 1,
      ...(r.role === 'publisher' ? { publisherSince: i + 1 } : {}),
      leftAt: at,
    });
  });
  return departed;
}

export function findParticipant(room: Room, participantId: string): RoomParticipant | undefined {
  return room.participants.find((p) => p.participantId === participantId);
}

export function publishersOf(room: Room): RoomParticipant[] {
  return room.participants.filter((p) => p.role === 'publisher');
}

export function viewersOf(room: Room): RoomParticipant[] {
  return room.participants.filter((p) => p.role === 'viewer');
}

/** Participants sharing a screen, in join order. */
export function screenSharers(room: Pick<Room, 'participants'>): RoomParticipant[] {
  return room.participants.filter((p) => p.streams.includes('screen'));
}

/** Free publisher slots under the room type's limit. */
export function freePublisherSlots(room: Room): number {
  return Math.max(0, ROOM_TYPE_RULES[room.type].maxPublishers - publishersOf(room).length);
}

/** The oldest publisher (lowest `publisherSince`), or undefined when there is none. */
export function oldestPublisher(room: Pick<Room, 'participants'>): RoomParticipant | undefined {
  let oldest: RoomParticipant | undefined;
  for (const p of room.participants) {
    if (p.role !== 'publisher') continue;
    if (!oldest || (p.publisherSince ?? Infinity) < (oldest.publisherSince ?? Infinity)) oldest = p;
  }
  return oldest;
}

/**
 * The two sides of a p2p call once both are in: the caller joined first; the callee sends the WebRTC
 * offer to the caller (seed 001). Undefined for other room types or while one side is missing.
 */
export function p2pPeers(room: Room): { callerId: string; calleeId: string; offererId: string } | undefined {
  if (room.type !== 'p2p' || room.participants.length !== 2) return undefined;
  const [caller, callee] = [...room.participants].sort((a, b) => a.joinOrder - b.joinOrder);
  return { callerId: caller.participantId, calleeId: callee.participantId, offererId: callee.participantId };
}
