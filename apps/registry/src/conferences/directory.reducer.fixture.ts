// Events and a replay helper shared by the directory reducer's specs.
import { randomUUID } from 'node:crypto';
import type { ConferenceRecord } from '@hoot/domain';
import type { CcesEvent } from '@hoot/events';
import { reduceDirectory } from './directory.reducer';

let clock = Date.parse('2026-11-23T10:00:00.000Z');
export function ev(
  type: string,
  coremxId: string,
  seq: number,
  data: object = {},
  id: string = randomUUID(),
): CcesEvent {
  clock += 1000;
  return {
    id,
    type,
    schemaVersion: type === 'room.reserved' ? 2 : 1,
    coremxId,
    conferenceId: 'standup',
    seq,
    occurredAt: new Date(clock).toISOString(),
    data,
  } as unknown as CcesEvent;
}
export const reserved = (coremxId: string, seq: number, extra: object = {}, id?: string) =>
  ev(
    'room.reserved',
    coremxId,
    seq,
    {
      roomType: 'm2m',
      creator: 'acc_alice',
      address: `hoot.mx://standup@${coremxId}.c1.hoot.mx`,
      public: false,
      allowed: ['acc_bob'],
      maxParticipants: null,
      ...extra,
    },
    id,
  );
export const joined = (coremxId: string, seq: number) =>
  ev('participant.joined', coremxId, seq, {
    participantId: `p-${seq}`,
    identity: 'acc_bob',
    displayName: 'Bob',
    role: 'viewer',
    joinOrder: seq,
  });
export const moved = (from: string, to: string, seq: number) =>
  ev('conference.moved', to, seq, {
    fromCoremxId: from,
    toCoremxId: to,
    toAddress: `hoot.mx://standup@${to}.c1.hoot.mx`,
    reason: 'coremx-down',
  });

/** Applies events in order, like the consumer (an undefined result keeps the record). */
export function run(events: CcesEvent[], start?: ConferenceRecord): ConferenceRecord | undefined {
  let record = start;
  for (const e of events) record = reduceDirectory(record, e) ?? record;
  return record;
}
