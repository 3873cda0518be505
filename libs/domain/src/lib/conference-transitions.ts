import { mixersOf, type ConferenceRecord } from './conference-record';
import type { RoomType } from './room-types';

/**
 * The registry's own changes to a conference record, as pure functions of the record before (and the
 * time, ISO-8601): create, reopen, end, re-home lease, move. Each answers the record to write, or
 * `undefined` when the change no longer applies to the record as it is now (someone else changed it
 * first): the caller then keeps what is there. `rev` is left to the compare-and-set that writes it,
 * except for a creation (from nothing or an ended life) and a lease (written with compare-and-set on
 * the record it was taken from).
 */

/** A CoreMX a conference is placed on: its id and its `hoot.mx` mixer address. */
export interface MixerPlacement {
  coremxId: string;
  address: string;
}

/** What the owner asked for when creating a conference (identities already resolved to account ids). */
export interface ConferenceCreation {
  conferenceId: string;
  owner: string;
  type: RoomType;
  /** Allowed identities besides the owner. */
  allowed: string[];
  public: boolean;
  maxParticipants: number | null;
}

/**
 * A new life of a conference, reserved on `placed`: from nothing, or from `existing` (an ended conference
 * of the same owner created again) whose mixers keep resolving and whose CCES positions are kept.
 */
export function createdConference(
  creation: ConferenceCreation,
  placed: MixerPlacement,
  now: string,
  existing?: ConferenceRecord,
): ConferenceRecord {
  return {
    conferenceId: creation.conferenceId,
    owner: creation.owner,
    type: creation.type,
    allowed: creation.allowed,
    public: creation.public,
    maxParticipants: creation.maxParticipants,
    coremxId: placed.coremxId,
    mixerAddress: placed.address,
    previousMixers: existing ? mixersOf(existing).filter((m) => m !== placed.address) : [],
    status: 'reserved',
    participants: 0,
    roster: [],
    returning: null,
    createdAt: now,
    updatedAt: now,
    endedAt: null,
    applied: existing?.applied ?? {},
    reservedEventId: null,
    rehomeLease: null,
    rev: (existing?.rev ?? 0) + 1,
  };
}

/** Reserved on `to`, nobody in yet; its former mixer addresses keep resolving. */
function reservedOn(record: ConferenceRecord, to: MixerPlacement, now: string): ConferenceRecord {
  return {
    ...record,
    coremxId: to.coremxId,
    mixerAddress: to.address,
    previousMixers: [...new Set([record.mixerAddress, ...record.previousMixers])].filter(
      (m) => m !== to.address,
    ),
    status: 'reserved',
    participants: 0,
    roster: [],
    returning: null,
    updatedAt: now,
  };
}

/** An idle conference reopened by a join on `to` (its CoreMX again, or another); undefined unless idle. */
export function reopenedConference(
  record: ConferenceRecord,
  to: MixerPlacement,
  now: string,
): ConferenceRecord | undefined {
  return record.status === 'idle' ? reservedOn(record, to, now) : undefined;
}

/** Ended by its owner: nobody in, no returning roster; undefined when it has ended already. */
export function endedConference(record: ConferenceRecord, now: string): ConferenceRecord | undefined {
  if (record.status === 'ended') return undefined;
  return {
    ...record,
    status: 'ended',
    participants: 0,
    roster: [],
    returning: null,
    endedAt: now,
    updatedAt: now,
  };
}

/**
 * The re-home lease taken by `holder` until `now + leaseMs` (epoch ms), the next revision of `record`;
 * undefined while another holder's lease runs (that replica moves it).
 */
export function leasedForRehome(
  record: ConferenceRecord,
  holder: string,
  now: number,
  leaseMs: number,
): ConferenceRecord | undefined {
  const lease = record.rehomeLease;
  if (lease && lease.until > now && lease.holder !== holder) return undefined;
  return { ...record, rehomeLease: { holder, until: now + leaseMs }, rev: record.rev + 1 };
}

/** The lease given back by `holder` after a failed move; undefined when it is not (or no longer) theirs. */
export function rehomeLeaseReleased(record: ConferenceRecord, holder: string): ConferenceRecord | undefined {
  return record.rehomeLease?.holder === holder ? { ...record, rehomeLease: null } : undefined;
}

/**
 * Moved off the CoreMX `from` (declared down) to `to`: reserved there, the lease cleared; undefined when
 * it is no longer on `from` (moved already, or reopened elsewhere).
 */
export function movedConference(
  record: ConferenceRecord,
  from: string,
  to: MixerPlacement,
  now: string,
): ConferenceRecord | undefined {
  return record.coremxId !== from ? undefined : { ...reservedOn(record, to, now), rehomeLease: null };
}
