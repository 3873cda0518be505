import type { RoomType } from './room-types';

/**
 * Where a conference is in its life, as the registry's directory knows it. Seed `002_*`: the room is
 * created on join and deleted when empty, the conference stays. `reserved`: a room is reserved on its
 * CoreMX, nobody in yet; `active`: the room is live; `idle`: no room right now (it emptied, its
 * reservation ran out, or its CoreMX stopped or drained) — the next join opens one again; `ended`: its
 * owner ended it (joins answer 410 until the owner creates it again).
 */
export type ConferenceStatus = 'reserved' | 'active' | 'idle' | 'ended';

/** A room exists for it on its CoreMX (`reserved` or `active`): what re-homing moves. */
export function hasRoom(record: Pick<ConferenceRecord, 'status'>): boolean {
  return record.status === 'reserved' || record.status === 'active';
}

/** One participation in the room currently open on the conference's CoreMX. */
export interface RosterEntry {
  participantId: string;
  identity: string;
  role: 'publisher' | 'viewer';
  /** 1 for the room's first participant, then 2, 3 … */
  joinOrder: number;
  /**
   * A publisher's seniority: the CCES `seq` of its join as a publisher or of its promotion (the room's
   * commit order, so the oldest publisher has the lowest); absent for viewers and in older records.
   */
  publisherSeq?: number;
  /** The room's owner (its last `room.owner-changed`). */
  owner?: true;
}

/** The most roster entries a record keeps (also bounded by the conference's `maxParticipants`). */
export const ROSTER_MAX = 500;

/**
 * Who was in the room when the platform closed it (`room.ended` reason `system`: a drain, an operator):
 * the next room of the conference gets them (`returning`) so they come back with their roles.
 */
export interface ReturningRoster {
  /** When the room was closed (that `room.ended`'s `occurredAt`), ISO-8601. */
  closedAt: string;
  /** One per identity, owner first, then publishers oldest first, then viewers in join order. */
  participants: { identity: string; role: RosterEntry['role'] }[];
}

/**
 * How long a closed room's roster is kept for its people: the SDK re-joins on its own for two minutes
 * after the platform closed its room (`ROOM_SESSION_DEFAULTS.reconnect.budgetMs`), including the
 * minutes a restarting CoreMX may take; whoever comes later is a new arrival. The new room then gives
 * each the reconnect grace from its reservation.
 */
export const RETURNING_ROSTER_TTL_MS = 120_000;

/**
 * The people to hand to the conference's next room at `now` (epoch ms): its `returning` roster while
 * it is fresh (within `RETURNING_ROSTER_TTL_MS` either side of `closedAt`: a CoreMX's clock may be
 * ahead), else none.
 */
export function returningParticipantsOf(
  record: Pick<ConferenceRecord, 'returning'>,
  now: number,
): ReturningRoster['participants'] {
  const returning = record.returning;
  if (!returning) return [];
  const age = now - Date.parse(returning.closedAt);
  return Number.isFinite(age) && Math.abs(age) <= RETURNING_ROSTER_TTL_MS ? returning.participants : [];
}

/**
 * A conference in a registry's directory: created at this registry, or learnt from the CoreMX topics
 * (`room.reserved`, `conference.moved`, …). Every registry of every cloud holds the same facts, so any
 * of them resolves an address and checks entitlement without asking the creator's registry.
 */
export interface ConferenceRecord {
  conferenceId: string;
  /** The account that created it (`null`: the room was started by a first join, not through a registry). */
  owner: string | null;
  type: RoomType;
  /** Identities besides the owner who may join. */
  allowed: string[];
  /** Anyone signed in may join. */
  public: boolean;
  /** At most this many participants at once (`null`: the room type's rule only). */
  maxParticipants: number | null;
  /** The CoreMX hosting it now and its DNS-style mixer address. */
  coremxId: string;
  mixerAddress: string;
  /** Mixers it lived on before a move: their addresses keep resolving to it. */
  previousMixers: string[];
  status: ConferenceStatus;
  participants: number;
  /**
   * Who is in the room open on its CoreMX now, in join order (from `participant.*` events; empty when
   * it has no room, and in records stored before the roster existed). Re-homing sends it to the new
   * CoreMX so returning participants get their roles back. At most `ROSTER_MAX` entries.
   */
  roster: RosterEntry[];
  /**
   * The roster of its last room when the platform closed it (a drain), for the next room; null otherwise
   * (its owner ended it, it emptied, it moved, a new room began; records stored before it existed).
   */
  returning: ReturningRoster | null;
  /** ISO-8601. */
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
  /** Highest CCES `seq` applied per CoreMX topic, and the id of the `room.reserved` that began this life. */
  applied: Record<string, number>;
  reservedEventId: string | null;
  /** A registry replica re-homing it holds this until `until` (epoch ms). */
  rehomeLease: { holder: string; until: number } | null;
  /** Compare-and-set revision of the stored document. */
  rev: number;
}

/** May `identity` join (and read) this conference: its owner, an allowed identity, or anyone when public. */
export function isEntitled(record: ConferenceRecord, identity: string): boolean {
  return record.public || record.owner === identity || record.allowed.includes(identity);
}

/** Every address under which the conference resolves: its current mixer, then the ones it moved from. */
export function mixersOf(record: ConferenceRecord): string[] {
  return [record.mixerAddress, ...record.previousMixers.filter((m) => m !== record.mixerAddress)];
}
