import { hasRoom, parseConferenceAddress, type ConferenceRecord } from '@hoot/domain';
import type { CcesEvent } from '@hoot/events';

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
 * - the rest count participants and follow the status, only from the CoreMX it lives on.
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
        rehomeLease: null,
      });
    }
    default: {
      if (!record || seen || record.coremxId !== event.coremxId) return undefined;
      switch (event.type) {
        case 'room.started':
          return stamp({ ...record, status: record.status === 'ended' ? 'ended' : 'active' });
        case 'participant.joined':
          return stamp({ ...record, participants: record.participants + 1 });
        case 'participant.left':
        case 'participant.kicked':
          return stamp({ ...record, participants: Math.max(0, record.participants - 1) });
        case 'room.ended':
          if (record.status === 'ended') return stamp({ ...record, participants: 0 });
          return event.data.reason === 'ended'
            ? stamp({ ...record, status: 'ended', participants: 0, endedAt: event.occurredAt })
            : stamp({ ...record, status: 'idle', participants: 0 });
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
