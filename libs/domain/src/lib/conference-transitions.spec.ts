import type { ConferenceRecord } from './conference-record';
import {
  createdConference,
  endedConference,
  leasedForRehome,
  movedConference,
  rehomeLeaseReleased,
  reopenedConference,
} from './conference-transitions';

const T0 = '2026-01-01T00:00:00.000Z';
const T1 = '2026-01-01T00:05:00.000Z';

function record(over: Partial<ConferenceRecord> = {}): ConferenceRecord {
  return {
    conferenceId: 'standup',
    owner: 'acc_alice',
    type: 'm2m',
    allowed: ['acc_bob'],
    public: false,
    maxParticipants: 10,
    coremxId: 'coremx-1',
    mixerAddress: 'coremx-1.c1.hoot.mx',
    previousMixers: ['coremx-0.c1.hoot.mx'],
    status: 'active',
    participants: 2,
    roster: [{ participantId: 'p1', identity: 'acc_alice', role: 'publisher', joinOrder: 1 }],
    returning: { closedAt: T0, participants: [{ identity: 'acc_alice', role: 'publisher' }] },
    createdAt: T0,
    updatedAt: T0,
    endedAt: null,
    applied: { 'cces.coremx-1': 7 },
    reservedEventId: 'e-1',
    rehomeLease: null,
    rev: 4,
    ...over,
  };
}

const creation = {
  conferenceId: 'standup',
  owner: 'acc_alice',
  type: 'm2m' as const,
  allowed: ['acc_bob'],
  public: true,
  maxParticipants: null,
};
const coremx2 = { coremxId: 'coremx-2', address: 'coremx-2.c1.hoot.mx' };

describe('conference transitions: create', () => {
  it('a first creation is reserved on its CoreMX at revision 1 with no history', () => {
    expect(createdConference(creation, coremx2, T1)).toEqual({
      ...creation,
      coremxId: 'coremx-2',
      mixerAddress: 'coremx-2.c1.hoot.mx',
      previousMixers: [],
      status: 'reserved',
      participants: 0,
      roster: [],
      returning: null,
      createdAt: T1,
      updatedAt: T1,
      endedAt: null,
      applied: {},
      reservedEventId: null,
      rehomeLease: null,
      rev: 1,
    });
  });

  it('a creation again after the end keeps every former mixer, the CCES positions and counts the revision on', () => {
    const ended = record({ status: 'ended', endedAt: T0 });
    const again = createdConference(creation, coremx2, T1, ended);
    expect(again).toMatchObject({
      previousMixers: ['coremx-1.c1.hoot.mx', 'coremx-0.c1.hoot.mx'],
      applied: { 'cces.coremx-1': 7 },
      rev: 5,
      status: 'reserved',
      endedAt: null,
      createdAt: T1,
    });
    // Re-created on a mixer it had before: that address is current, not previous.
    expect(
      createdConference(creation, { coremxId: 'coremx-0', address: 'coremx-0.c1.hoot.mx' }, T1, ended)
        .previousMixers,
    ).toEqual(['coremx-1.c1.hoot.mx']);
  });
});

describe('conference transitions: reopen, end', () => {
  it('reopens only an idle conference, on the CoreMX given, its old address kept resolving', () => {
    expect(reopenedConference(record({ status: 'active' }), coremx2, T1)).toBeUndefined();
    expect(reopenedConference(record({ status: 'ended' }), coremx2, T1)).toBeUndefined();
    const idle = record({ status: 'idle', rehomeLease: { holder: 'x', until: 9 } });
    expect(reopenedConference(idle, coremx2, T1)).toEqual({
      ...idle,
      coremxId: 'coremx-2',
      mixerAddress: 'coremx-2.c1.hoot.mx',
      previousMixers: ['coremx-1.c1.hoot.mx', 'coremx-0.c1.hoot.mx'],
      status: 'reserved',
      participants: 0,
      roster: [],
      returning: null,
      updatedAt: T1,
    });
  });

  it('reopening on its own CoreMX changes no address', () => {
    const idle = record({ status: 'idle' });
    expect(
      reopenedConference(idle, { coremxId: 'coremx-1', address: 'coremx-1.c1.hoot.mx' }, T1),
    ).toMatchObject({ mixerAddress: 'coremx-1.c1.hoot.mx', previousMixers: ['coremx-0.c1.hoot.mx'] });
  });

  it('ends once: nobody in, no returning roster, the end time stamped', () => {
    const live = record();
    expect(endedConference(live, T1)).toEqual({
      ...live,
      status: 'ended',
      participants: 0,
      roster: [],
      returning: null,
      endedAt: T1,
      updatedAt: T1,
    });
    expect(endedConference(record({ status: 'ended', endedAt: T0 }), T1)).toBeUndefined();
  });
});

describe('conference transitions: re-homing', () => {
  it('a lease is taken when there is none, it ran out, or it is the holder’s own; never over a running one', () => {
    expect(leasedForRehome(record(), 'a', 1_000, 30_000)).toMatchObject({
      rehomeLease: { holder: 'a', until: 31_000 },
      rev: 5,
    });
    expect(
      leasedForRehome(record({ rehomeLease: { holder: 'b', until: 1_000 } }), 'a', 1_000, 30_000),
    ).toMatchObject({ rehomeLease: { holder: 'a', until: 31_000 } });
    expect(
      leasedForRehome(record({ rehomeLease: { holder: 'a', until: 5_000 } }), 'a', 1_000, 30_000),
    ).toMatchObject({ rehomeLease: { holder: 'a', until: 31_000 } });
    expect(
      leasedForRehome(record({ rehomeLease: { holder: 'b', until: 1_001 } }), 'a', 1_000, 30_000),
    ).toBeUndefined();
  });

  it('only the holder gives a lease back', () => {
    const leased = record({ rehomeLease: { holder: 'a', until: 9 } });
    expect(rehomeLeaseReleased(leased, 'a')).toEqual({ ...leased, rehomeLease: null });
    expect(rehomeLeaseReleased(leased, 'b')).toBeUndefined();
    expect(rehomeLeaseReleased(record(), 'a')).toBeUndefined();
  });

  it('moves off the CoreMX that is down only while the conference is still there, clearing the lease', () => {
    const leased = record({ rehomeLease: { holder: 'a', until: 9 } });
    expect(movedConference(leased, 'coremx-1', coremx2, T1)).toEqual({
      ...leased,
      coremxId: 'coremx-2',
      mixerAddress: 'coremx-2.c1.hoot.mx',
      previousMixers: ['coremx-1.c1.hoot.mx', 'coremx-0.c1.hoot.mx'],
      status: 'reserved',
      participants: 0,
      roster: [],
      returning: null,
      rehomeLease: null,
      updatedAt: T1,
    });
    expect(movedConference(leased, 'coremx-7', coremx2, T1)).toBeUndefined();
  });
});
