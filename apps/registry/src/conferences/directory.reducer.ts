import {
  hasRoom,
  parseConferenceAddress,
  ROSTER_MAX,
  type ConferenceRecord,
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
 * - the rest count participants, keep the room's roster (`participant.joined` adds, `role-changed`
 *   updates, `left`/`kicked` remove; bounded by `maxParticipants` and `ROSTER_MAX`) and follow the
 *   status, only from the CoreMX it lives on. Events are untrusted: a participant event whose data is
 *   malformed (or a join of a participation already listed) changes nothing. A new life, a move and a
 *   room's end clear the roster.
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
        rehomeLease: null,
      });
    }
    default: {
      if (!record || seen || record.coremxId !== event.coremxId) return undefined;
      switch (event.type) {
        case 'room.started':
          return stamp({ ...record, status: record.status === 'ended' ? 'ended' : 'active' });
        case 'participant.joined': {
          const entry = rosterEntryOf(event.data);
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
          const roster = (record.roster ?? []).map((e) => (e.participantId === id ? { ...e, role: to } : e));
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
        case 'room.ended':
          if (record.status === 'ended') return stamp({ ...record, participants: 0, roster: [] });
          return event.data.reason === 'ended'
            ? stamp({ ...record, status: 'ended', participants: 0, roster: [], endedAt: event.occurredAt })
            : stamp({ ...record, status: 'idle', participants: 0, roster: [] });
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

/** A `participant.joined`'s roster entry, or `undefined` when its data is malformed. */
function rosterEntryOf(data: unknown): RosterEntry | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const { participantId, identity, role, joinOrder } = data as Record<string, unknown>;
  if (!isOpaqueId(participantId) || !isOpaqueId(identity) || !isRole(role)) return undefined;
  if (typeof joinOrder !== 'number' || !Number.isSafeInteger(joinOrder) || joinOrder < 1) return undefined;
  return { participantId, identity, role, joinOrder };
}

/**
 * Who to tell a CASH a moved conference had (`movedFrom.participants`): one entry per identity, in
 * join order (an identity's first join), a publisher if any of its participations was one; at most `max`
 * (CASH accepts `ROOM_RECONNECT_DEFAULTS.maxDeparted`).
 */
export function movedParticipantsOf(
  roster: readonly RosterEntry[] | undefined,
  max: number,
): { identity: string; role: RosterEntry['role'] }[] {
  const byIdentity = new Map<string, { identity: string; role: RosterEntry['role']; joinOrder: number }>();
  for (const e of roster ?? []) {
    const seen = byIdentity.get(e.identity);
    if (!seen) byIdentity.set(e.identity, { identity: e.identity, role: e.role, joinOrder: e.joinOrder });
    else {
      seen.joinOrder = Math.min(seen.joinOrder, e.joinOrder);
      if (e.role === 'publisher') seen.role = 'publisher';
    }
  }
  return [...byIdentity.values()]
    .sort((a, b) => a.joinOrder - b.joinOrder)
    .slice(0, max)
    .map(({ identity, role }) => ({ identity, role }));
}
