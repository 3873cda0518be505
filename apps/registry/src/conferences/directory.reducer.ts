import {
  hasRoom,
  parseConferenceAddress,
  ROOM_RECONNECT_DEFAULTS,
  ROSTER_MAX,
  type ConferenceRecord,
  type ReturningRoster,
  type RosterEntry,
} from '@hoot/domain';
import { OPAQUE_ID_PATTERN, PARTICIPANT_ROLES, type CcesEvent } from '@hoot/events';

/**
 * The directory's rule for one CCES event: the conference record it leads to, or `undefined` when the
 * event changes nothing (a duplicate, an event of a CoreMX the conference no longer lives on, an event
 * of a conference the directory does not know). Pure and idempotent: applying an event twice is
 * applying it once, so redelivery after a crash or a rebalance is harmless.
 *
 * - `room.reserved` begins a life of the conference on its CoreMX (a new record, or a new room after
 *   it went idle or ended); on the CoreMX whose room it has it refreshes the facts (the creating registry
 *   wrote them first); a reservation elsewhere while it has a room waits for the `conference.moved` that
 *   follows it. A new room elsewhere after idle (its CoreMX could not take it) moves it there.
 * - `conference.moved` moves it (the old mixer's address keeps resolving).
 * - `room.ended` ends the conference only when someone ended it (reason `ended`); a room that emptied,
 *   whose reservation ran out or whose CoreMX stopped leaves it `idle`: the next join opens a room again.
 *   When the platform closed it (reason `system`: a drain, an operator) the people still in it stay in
 *   `returning` (identity and role, in seniority order) for the next room; any other end drops them.
 * - the rest count participants, keep the room's roster (`participant.joined` adds, `role-changed`
 *   updates, `left`/`kicked` remove, `room.owner-changed` marks the owner; bounded by `maxParticipants`
 *   and `ROSTER_MAX`) and follow the status, only from the CoreMX it lives on. Events are untrusted: a
 *   participant event whose data is malformed (or a join of a participation already listed) changes
 *   nothing. A new life, a move and a room's end clear the roster; a new life and a move clear
 *   `returning` (the reopen or the move that began them handed it over).
 */
export function reduceDirectory(
  record: ConferenceRecord | undefined,
  event: CcesEvent,
): ConferenceRecord | undefined {
  const last = record?.applied[event.coremxId];
  const seen = last !== undefined && event.seq <= last;
  const stamp = (r: ConferenceRecord): ConferenceRecord => ({
    ...r,
    applied: { ...r.applied, [event.coremxId]: Math.max(event.seq, r.applied[event.coremxId] ?? 0) },
    updatedAt: event.occurredAt,
    rev: (record?.rev ?? 0) + 1,
  });

  switch (event.type) {
    case 'room.reserved': {
      if (record?.reservedEventId === event.id) return undefined;
      const parsed = parseConferenceAddress(event.data.address);
      if (!parsed.ok) return undefined;
      // The reservation lists the owner among the allowed (CASH admits them that way); the record does not.
      const owner = record?.owner ?? event.data.creator;
      const facts = {
        owner: event.data.creator,
        type: event.data.roomType,
        allowed: (event.data.allowed ?? []).filter((identity) => identity !== owner),
        public: event.data.public,
        maxParticipants: event.data.maxParticipants,
      };
      const sameHome = record !== undefined && record.coremxId === event.coremxId;
      if (record && hasRoom(record) && !sameHome) {
        // It lives elsewhere: a move announces itself with `conference.moved` right after this.
        return seen ? undefined : stamp(record);
      }
      if (record && hasRoom(record) && sameHome && !seen) {
        return stamp({ ...record, ...facts, owner: record.owner ?? facts.owner, reservedEventId: event.id });
      }
      // A new life: first sight, a new room after idle or after it ended, or a CoreMX that lost its journal
      // (seq reset). An idle conference keeps its creation time; an ended one was created anew.
      const previous = record ? previousMixersAfter(record, parsed.address.mixerAddress) : [];
      return stamp({
        conferenceId: event.conferenceId,
        ...facts,
        owner: record?.owner ?? facts.owner,
        coremxId: event.coremxId,
        mixerAddress: parsed.address.mixerAddress,
        previousMixers: previous,
        status: 'reserved',
        participants: 0,
        roster: [],
        returning: null,
        createdAt: record && record.status !== 'ended' ? record.createdAt : event.occurredAt,
        updatedAt: event.occurredAt,
        endedAt: null,
        applied: { ...(record?.applied ?? {}), [event.coremxId]: 0 },
        reservedEventId: event.id,
        rehomeLease: null,
        rev: 0,
      });
    }
    case 'conference.moved': {
      if (!record || seen) return undefined;
      const parsed = parseConferenceAddress(event.data.toAddress);
      if (!parsed.ok) return undefined;
      return stamp({
        ...record,
        coremxId: event.data.toCoremxId,
        mixerAddress: parsed.address.mixerAddress,
        previousMixers: previousMixersAfter(record, parsed.address.mixerAddress),
        status: record.status === 'ended' ? 'ended' : 'reserved',
        participants: 0,
        roster: [],
        returning: null,
        rehomeLease: null,
      });
    }
    default: {
      if (!record || seen || record.coremxId !== event.coremxId) return undefined;
      switch (event.type) {
        case 'room.started':
          return stamp({ ...record, status: record.status === 'ended' ? 'ended' : 'active' });
        case 'participant.joined': {
          const entry = rosterEntryOf(event.data, event.seq);
          const roster = record.roster ?? [];
          if (!entry || roster.some((e) => e.participantId === entry.participantId)) return undefined;
          const bound = Math.min(ROSTER_MAX, record.maxParticipants ?? ROSTER_MAX);
          return stamp({
            ...record,
            participants: record.participants + 1,
            roster: roster.length < bound ? [...roster, entry] : roster,
          });
        }
        case 'participant.role-changed': {
          const data = event.data as unknown as Record<string, unknown> | null;
          const id = data?.['participantId'];
          const to = data?.['to'];
          if (!isOpaqueId(id) || !isRole(to) || !isRole(data?.['from'])) return undefined;
          const roster = (record.roster ?? []).map((e) => {
            if (e.participantId !== id) return e;
            const { publisherSeq: _seq, ...rest } = e;
            return to === 'publisher'
              ? { ...rest, role: to, publisherSeq: event.seq }
              : { ...rest, role: to };
          });
          return stamp({ ...record, roster });
        }
        case 'room.owner-changed': {
          const to = (event.data as unknown as Record<string, unknown> | null)?.['to'];
          if (to !== null && !isOpaqueId(to)) return undefined;
          const roster = (record.roster ?? []).map((e) => {
            const { owner: _owner, ...rest } = e;
            return e.participantId === to ? { ...rest, owner: true as const } : rest;
          });
          return stamp({ ...record, roster });
        }
        case 'participant.left':
        case 'participant.kicked': {
          const id = (event.data as unknown as Record<string, unknown> | null)?.['participantId'];
          if (!isOpaqueId(id)) return undefined;
          return stamp({
            ...record,
            participants: Math.max(0, record.participants - 1),
            roster: (record.roster ?? []).filter((e) => e.participantId !== id),
          });
        }
        case 'room.ended': {
          const over = { participants: 0, roster: [], returning: null };
          if (record.status === 'ended') return stamp({ ...record, ...over });
          if (event.data.reason === 'ended')
            return stamp({ ...record, ...over, status: 'ended', endedAt: event.occurredAt });
          const returning = event.data.reason === 'system' ? returningOf(record.roster ?? [], event) : null;
          return stamp({ ...record, ...over, status: 'idle', returning });
        }
        default:
          return stamp(record);
      }
    }
  }
}

function previousMixersAfter(record: ConferenceRecord, newMixer: string): string[] {
  const all = [record.mixerAddress, ...record.previousMixers];
  return [...new Set(all)].filter((m) => m !== newMixer);
}

const isOpaqueId = (v: unknown): v is string => typeof v === 'string' && OPAQUE_ID_PATTERN.test(v);
const isRole = (v: unknown): v is RosterEntry['role'] =>
  typeof v === 'string' && (PARTICIPANT_ROLES as readonly string[]).includes(v);

/** A `participant.joined`'s roster entry (a publisher's seniority is `seq`), or `undefined` when malformed. */
function rosterEntryOf(data: unknown, seq: number): RosterEntry | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { participantId, identity, role, joinOrder } = data as Record<string, unknown>;
  if (!isOpaqueId(participantId) || !isOpaqueId(identity) || !isRole(role)) return undefined;
  if (typeof joinOrder !== 'number' || !Number.isSafeInteger(joinOrder) || joinOrder < 1) return undefined;
  return { participantId, identity, role, joinOrder, ...(role === 'publisher' ? { publisherSeq: seq } : {}) };
}

/** The most participant ids a `room.ended` may list (its CCES contract's bound). */
const ENDED_PARTICIPANTS_MAX = 10_000;

/**
 * Who of the roster was still in the room the platform closed (the `room.ended` lists them), for the next
 * room; null when nobody was, or when the event's list is malformed (untrusted input: nothing is kept).
 */
function returningOf(roster: readonly RosterEntry[], event: CcesEvent): ReturningRoster | null {
  const ids: unknown = (event.data as unknown as Record<string, unknown> | null)?.['participantIds'];
  if (!Array.isArray(ids) || ids.length > ENDED_PARTICIPANTS_MAX || !ids.every(isOpaqueId)) return null;
  const inRoom = new Set<string>(ids);
  const participants = movedParticipantsOf(
    roster.filter((e) => inRoom.has(e.participantId)),
    ROOM_RECONNECT_DEFAULTS.maxDeparted,
  );
  return participants.length ? { closedAt: event.occurredAt, participants } : null;
}

/**
 * Who to tell a CASH a conference's last room had (`movedFrom.participants` of a move, `returning` of a
 * reopen), in the order CASH gives them seniority: one entry per identity, a publisher if any of its
 * participations was one; the room's owner first, then the other publishers oldest first (by
 * `publisherSeq`, else join order), then the viewers in join order (an identity's first join). At most
 * `max` (CASH accepts `ROOM_RECONNECT_DEFAULTS.maxDeparted`).
 */
export function movedParticipantsOf(
  roster: readonly RosterEntry[] | undefined,
  max: number,
): { identity: string; role: RosterEntry['role'] }[] {
  interface Person {
    identity: string;
    role: RosterEntry['role'];
    joinOrder: number;
    since: number;
    owner: boolean;
  }
  const byIdentity = new Map<string, Person>();
  for (const e of roster ?? []) {
    const since = e.role === 'publisher' ? (e.publisherSeq ?? e.joinOrder) : Infinity;
    const seen = byIdentity.get(e.identity);
    if (!seen) {
      byIdentity.set(e.identity, {
        identity: e.identity,
        role: e.role,
        joinOrder: e.joinOrder,
        since,
        owner: e.owner === true,
      });
    } else {
      seen.joinOrder = Math.min(seen.joinOrder, e.joinOrder);
      seen.since = Math.min(seen.since, since);
      seen.owner ||= e.owner === true;
      if (e.role === 'publisher') seen.role = 'publisher';
    }
  }
  const rank = (p: Person) => (p.owner && p.role === 'publisher' ? 0 : p.role === 'publisher' ? 1 : 2);
  return [...byIdentity.values()]
    .sort((a, b) => rank(a) - rank(b) || a.since - b.since || a.joinOrder - b.joinOrder)
    .slice(0, max)
    .map(({ identity, role }) => ({ identity, role }));
}
