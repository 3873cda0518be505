import { randomUUID } from 'node:crypto';
import { RETURNING_ROSTER_TTL_MS, returningParticipantsOf, type ConferenceRecord } from '@hoot/domain';
import type { CcesEvent } from '@hoot/events';
import { movedParticipantsOf, reduceDirectory } from './directory.reducer';

let clock = Date.parse('2026-11-23T10:00:00.000Z');
function ev(
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
const reserved = (coremxId: string, seq: number, extra: object = {}, id?: string) =>
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
const joined = (coremxId: string, seq: number) =>
  ev('participant.joined', coremxId, seq, {
    participantId: `p-${seq}`,
    identity: 'acc_bob',
    displayName: 'Bob',
    role: 'viewer',
    joinOrder: seq,
  });
const moved = (from: string, to: string, seq: number) =>
  ev('conference.moved', to, seq, {
    fromCoremxId: from,
    toCoremxId: to,
    toAddress: `hoot.mx://standup@${to}.c1.hoot.mx`,
    reason: 'coremx-down',
  });

/** Applies events in order, like the consumer (an undefined result keeps the record). */
function run(events: CcesEvent[], start?: ConferenceRecord): ConferenceRecord | undefined {
  let record = start;
  for (const e of events) record = reduceDirectory(record, e) ?? record;
  return record;
}

describe('reduceDirectory', () => {
  it('learns a conference from room.reserved with the facts entitlement needs', () => {
    const r = run([reserved('coremx-1', 1, { public: true, maxParticipants: 12 })]);
    expect(r).toMatchObject({
      conferenceId: 'standup',
      owner: 'acc_alice',
      type: 'm2m',
      allowed: ['acc_bob'],
      public: true,
      maxParticipants: 12,
      coremxId: 'coremx-1',
      mixerAddress: 'coremx-1.c1.hoot.mx',
      status: 'reserved',
      participants: 0,
      rev: 1,
    });
  });

  it('follows the status and counts participants from the CoreMX it lives on', () => {
    const r = run([
      reserved('coremx-1', 1),
      ev('room.started', 'coremx-1', 2),
      joined('coremx-1', 3),
      joined('coremx-1', 4),
      ev('participant.left', 'coremx-1', 5, { participantId: 'p-3', identity: 'acc_bob', remaining: 1 }),
    ]);
    expect(r).toMatchObject({ status: 'active', participants: 1 });
    const ended = run(
      [ev('room.ended', 'coremx-1', 6, { by: null, reason: 'ended', participantIds: [] })],
      r,
    );
    expect(ended).toMatchObject({ status: 'ended', participants: 0, endedAt: expect.any(String) });
  });

  it('leaves the conference idle, not ended, when its room closes without anyone ending it', () => {
    const live = run([reserved('coremx-1', 1), ev('room.started', 'coremx-1', 2), joined('coremx-1', 3)]);
    for (const reason of ['system', 'empty-timeout', 'reservation-timeout'] as const) {
      const idle = run(
        [ev('room.ended', 'coremx-1', 4, { by: null, reason, participantIds: ['p-3'] })],
        live,
      );
      expect(idle).toMatchObject({ status: 'idle', participants: 0, endedAt: null });
    }
    // An ended conference stays ended whatever closes later.
    const ended = run(
      [ev('room.ended', 'coremx-1', 4, { by: 'acc_alice', reason: 'ended', participantIds: [] })],
      live,
    );
    const after = run(
      [ev('room.ended', 'coremx-1', 5, { by: null, reason: 'system', participantIds: [] })],
      ended,
    );
    expect(after).toMatchObject({ status: 'ended', endedAt: ended?.endedAt });
  });

  it('opens a new room for an idle conference: on its CoreMX, or elsewhere (then it moves, the old mixer resolving)', () => {
    const idle = run([
      reserved('coremx-1', 1),
      ev('room.ended', 'coremx-1', 2, { by: null, reason: 'reservation-timeout', participantIds: [] }),
    ]);
    const again = run([reserved('coremx-1', 3), ev('room.started', 'coremx-1', 4)], idle);
    expect(again).toMatchObject({ status: 'active', coremxId: 'coremx-1', createdAt: idle?.createdAt });
    const elsewhere = run([reserved('coremx-2', 1)], idle);
    expect(elsewhere).toMatchObject({
      status: 'reserved',
      coremxId: 'coremx-2',
      mixerAddress: 'coremx-2.c1.hoot.mx',
      previousMixers: ['coremx-1.c1.hoot.mx'],
      createdAt: idle?.createdAt,
    });
  });

  it('keeps the owner out of the allowed list, as the creating registry writes it (the reservation lists both)', () => {
    const r = run([reserved('coremx-1', 1, { allowed: ['acc_alice', 'acc_bob'] })]);
    expect(r?.allowed).toEqual(['acc_bob']);
    const refreshed = run(
      [reserved('coremx-1', 2, { allowed: ['acc_alice', 'acc_bob', 'acc_carol'] }, 'again')],
      r,
    );
    expect(refreshed?.allowed).toEqual(['acc_bob', 'acc_carol']);
  });

  it('is idempotent: a redelivered event changes nothing', () => {
    const first = reserved('coremx-1', 1);
    const join = joined('coremx-1', 2);
    const once = run([first, join]);
    expect(reduceDirectory(once, join)).toBeUndefined();
    expect(reduceDirectory(once, first)).toBeUndefined();
    expect(run([first, join, join, first])).toEqual(once);
  });

  it('moves the conference on conference.moved and keeps the old mixer resolving', () => {
    const r = run([
      reserved('coremx-1', 1),
      joined('coremx-1', 2),
      reserved('coremx-2', 1),
      moved('coremx-1', 'coremx-2', 2),
    ]);
    expect(r).toMatchObject({
      coremxId: 'coremx-2',
      mixerAddress: 'coremx-2.c1.hoot.mx',
      previousMixers: ['coremx-1.c1.hoot.mx'],
      status: 'reserved',
      participants: 0,
      owner: 'acc_alice',
    });
    // A late event from the old CoreMX no longer counts.
    expect(
      reduceDirectory(r, ev('room.ended', 'coremx-1', 3, { by: null, reason: 'system', participantIds: [] })),
    ).toBeUndefined();
  });

  it('ignores events of a conference it never saw reserved, except a reservation', () => {
    expect(reduceDirectory(undefined, joined('coremx-1', 2))).toBeUndefined();
    expect(reduceDirectory(undefined, moved('coremx-1', 'coremx-2', 2))).toBeUndefined();
  });

  it('begins a new life when an ended conference is reserved again (and keeps its creation facts fresh)', () => {
    const ended = run([
      reserved('coremx-1', 1),
      ev('room.ended', 'coremx-1', 2, { by: 'acc_alice', reason: 'ended', participantIds: [] }),
    ]);
    const again = run([reserved('coremx-1', 3, { public: true })], ended);
    expect(again).toMatchObject({ status: 'reserved', public: true, endedAt: null });
  });

  it('treats a second room.reserved with a lower seq on the same CoreMX as a new life (the CoreMX lost its journal)', () => {
    const live = run([reserved('coremx-1', 1), ev('room.started', 'coremx-1', 2), joined('coremx-1', 3)]);
    const restarted = run([reserved('coremx-1', 1)], live);
    expect(restarted).toMatchObject({ status: 'reserved', participants: 0 });
    expect(restarted?.reservedEventId).not.toBe(live?.reservedEventId);
  });

  it('keeps the owner written by the creating registry when the event names none', () => {
    const local = run([reserved('coremx-1', 1)]);
    const fromFirstJoin = reduceDirectory(
      { ...local!, reservedEventId: null, applied: {} },
      reserved('coremx-1', 1, { creator: null }),
    );
    expect(fromFirstJoin?.owner).toBe('acc_alice');
  });

  it('advances the revision by one per change (compare-and-set)', () => {
    const r1 = run([reserved('coremx-1', 1)]);
    const r2 = reduceDirectory(r1, joined('coremx-1', 2));
    expect(r2?.rev).toBe((r1?.rev ?? 0) + 1);
  });
  describe('roster', () => {
    const join = (seq: number, identity: string, role: 'publisher' | 'viewer', order = seq) =>
      ev('participant.joined', 'coremx-1', seq, {
        participantId: `p-${seq}`,
        identity,
        displayName: identity,
        role,
        joinOrder: order,
      });
    const live = (): ConferenceRecord =>
      run([
        reserved('coremx-1', 1),
        ev('room.started', 'coremx-1', 2),
        join(3, 'acc_alice', 'publisher', 1),
        join(4, 'acc_bob', 'viewer', 2),
        join(5, 'acc_carol', 'viewer', 3),
      ])!;

    it('lists joins in order with their roles', () => {
      expect(live().roster).toEqual([
        { participantId: 'p-3', identity: 'acc_alice', role: 'publisher', joinOrder: 1, publisherSeq: 3 },
        { participantId: 'p-4', identity: 'acc_bob', role: 'viewer', joinOrder: 2 },
        { participantId: 'p-5', identity: 'acc_carol', role: 'viewer', joinOrder: 3 },
      ]);
      expect(live().participants).toBe(3);
    });

    it('follows role changes, leaves and kicks', () => {
      const r = run(
        [
          ev('participant.role-changed', 'coremx-1', 6, {
            participantId: 'p-4',
            from: 'viewer',
            to: 'publisher',
          }),
          ev('participant.left', 'coremx-1', 7, {
            participantId: 'p-3',
            identity: 'acc_alice',
            remaining: 2,
          }),
          ev('participant.kicked', 'coremx-1', 8, {
            participantId: 'p-5',
            identity: 'acc_carol',
            by: 'acc_bob',
            ticketId: 't-1',
          }),
        ],
        live(),
      );
      expect(r?.roster).toEqual([
        { participantId: 'p-4', identity: 'acc_bob', role: 'publisher', joinOrder: 2, publisherSeq: 6 },
      ]);
      expect(r?.participants).toBe(1);
    });

    /** alice (creator, owner), bob promoted, carol and dan viewers; dan left before the drain. */
    const drainedRoom = (): ConferenceRecord =>
      run(
        [
          ev('room.owner-changed', 'coremx-1', 6, { from: null, to: 'p-3' }),
          join(7, 'acc_dan', 'viewer', 4),
          ev('participant.role-changed', 'coremx-1', 8, {
            participantId: 'p-4',
            from: 'viewer',
            to: 'publisher',
          }),
          ev('participant.left', 'coremx-1', 9, { participantId: 'p-7', identity: 'acc_dan', remaining: 3 }),
        ],
        live(),
      )!;
    const ended = (reason: string, participantIds: unknown = ['p-3', 'p-4', 'p-5']) =>
      ev('room.ended', 'coremx-1', 10, { by: null, reason, participantIds });

    it('marks the owner from room.owner-changed (one at a time; malformed changes nothing)', () => {
      const r = drainedRoom();
      expect(r.roster.filter((e) => e.owner).map((e) => e.participantId)).toEqual(['p-3']);
      const moved = reduceDirectory(r, ev('room.owner-changed', 'coremx-1', 10, { from: 'p-3', to: 'p-4' }));
      expect(moved?.roster.filter((e) => e.owner).map((e) => e.participantId)).toEqual(['p-4']);
      const none = reduceDirectory(r, ev('room.owner-changed', 'coremx-1', 10, { from: 'p-3', to: null }));
      expect(none?.roster.some((e) => e.owner)).toBe(false);
      for (const to of [{ $ne: null }, 'a b', 7])
        expect(
          reduceDirectory(r, ev('room.owner-changed', 'coremx-1', 10, { from: 'p-3', to })),
        ).toBeUndefined();
    });

    it('keeps who was in a room the platform closed (system end), owner and oldest publishers first', () => {
      const r = reduceDirectory(drainedRoom(), ended('system'));
      expect(r).toMatchObject({ status: 'idle', participants: 0, roster: [], endedAt: null });
      expect(r?.returning).toEqual({
        closedAt: r?.updatedAt,
        participants: [
          { identity: 'acc_alice', role: 'publisher' },
          { identity: 'acc_bob', role: 'publisher' },
          { identity: 'acc_carol', role: 'viewer' },
        ],
      });
      // Only those the end lists (still in the room): nobody listed, nothing kept.
      expect(reduceDirectory(drainedRoom(), ended('system', ['p-4']))?.returning?.participants).toEqual([
        { identity: 'acc_bob', role: 'publisher' },
      ]);
      expect(reduceDirectory(drainedRoom(), ended('system', []))?.returning).toBeNull();
    });

    it('drops it at any other end, and keeps nothing from a malformed list (untrusted input)', () => {
      for (const reason of ['ended', 'empty-timeout', 'reservation-timeout'])
        expect(reduceDirectory(drainedRoom(), ended(reason))?.returning).toBeNull();
      for (const ids of ['p-3', [{ $gt: '' }], ['p 3'], Array.from({ length: 10_001 }, (_, i) => `p-${i}`)]) {
        const r = reduceDirectory(drainedRoom(), ended('system', ids));
        expect(r).toMatchObject({ status: 'idle', returning: null });
      }
    });

    it('hands it over once: a new room or a move clears it, other events keep it', () => {
      const closed = reduceDirectory(drainedRoom(), ended('system'))!;
      expect(reduceDirectory(closed, ev('stream.published', 'coremx-1', 11, {}))?.returning).toEqual(
        closed.returning,
      );
      expect(run([reserved('coremx-1', 11)], closed)?.returning).toBeNull();
      expect(run([reserved('coremx-2', 1)], closed)).toMatchObject({ coremxId: 'coremx-2', returning: null });
      expect(run([reserved('coremx-2', 1), moved('coremx-1', 'coremx-2', 2)], closed)?.returning).toBeNull();
      // A later end of an ended conference keeps nothing either.
      const over = reduceDirectory(
        closed,
        ev('room.ended', 'coremx-1', 12, { by: 'acc_alice', reason: 'ended', participantIds: [] }),
      );
      expect(over?.returning).toBeNull();
    });

    it('gives it to the next room only while fresh (RETURNING_ROSTER_TTL_MS either side of the close)', () => {
      const closed = reduceDirectory(drainedRoom(), ended('system'))!;
      const at = Date.parse(closed.returning!.closedAt);
      expect(returningParticipantsOf(closed, at + 60_000)).toEqual(closed.returning!.participants);
      expect(returningParticipantsOf(closed, at + RETURNING_ROSTER_TTL_MS)).toHaveLength(3);
      expect(returningParticipantsOf(closed, at + RETURNING_ROSTER_TTL_MS + 1)).toEqual([]);
      expect(returningParticipantsOf(closed, at - RETURNING_ROSTER_TTL_MS - 1)).toEqual([]);
      expect(returningParticipantsOf({ returning: { closedAt: 'yesterday', participants: [] } }, at)).toEqual(
        [],
      );
      expect(returningParticipantsOf({ returning: null }, at)).toEqual([]);
    });

    it('clears it when the room ends, goes idle, or the conference moves or begins a new life', () => {
      for (const reason of ['ended', 'system', 'empty-timeout'] as const) {
        const r = run([ev('room.ended', 'coremx-1', 6, { by: null, reason, participantIds: [] })], live());
        expect(r?.roster).toEqual([]);
      }
      expect(run([reserved('coremx-2', 1), moved('coremx-1', 'coremx-2', 2)], live())?.roster).toEqual([]);
      expect(run([reserved('coremx-1', 1)], live())?.roster).toEqual([]);
    });

    it('ignores malformed participant events (they change nothing, not even the count)', () => {
      const r = live();
      const bad = [
        ev('participant.joined', 'coremx-1', 6, {
          participantId: 'p-6',
          identity: 'acc_dan',
          role: 'owner',
          joinOrder: 4,
        }),
        ev('participant.joined', 'coremx-1', 6, {
          participantId: 'p-6',
          identity: 'a b',
          role: 'viewer',
          joinOrder: 4,
        }),
        ev('participant.joined', 'coremx-1', 6, {
          participantId: 'p-6',
          identity: 'acc_dan',
          role: 'viewer',
          joinOrder: 0,
        }),
        ev('participant.joined', 'coremx-1', 6, {
          participantId: 7,
          identity: 'acc_dan',
          role: 'viewer',
          joinOrder: 4,
        }),
        ev('participant.joined', 'coremx-1', 6, null as unknown as object),
        // the same participation twice
        ev('participant.joined', 'coremx-1', 6, {
          participantId: 'p-4',
          identity: 'acc_bob',
          role: 'viewer',
          joinOrder: 5,
        }),
        ev('participant.role-changed', 'coremx-1', 6, { participantId: 'p-4', from: 'viewer', to: 'admin' }),
        ev('participant.role-changed', 'coremx-1', 6, {
          participantId: { $ne: 1 },
          from: 'viewer',
          to: 'publisher',
        }),
        ev('participant.left', 'coremx-1', 6, { identity: 'acc_bob', remaining: 2 }),
        ev('participant.kicked', 'coremx-1', 6, 'p-4' as unknown as object),
      ];
      for (const e of bad) expect(reduceDirectory(r, e)).toBeUndefined();
      // A role change of a participation it does not list changes no entry.
      const unknown = reduceDirectory(
        r,
        ev('participant.role-changed', 'coremx-1', 6, {
          participantId: 'p-99',
          from: 'viewer',
          to: 'publisher',
        }),
      );
      expect(unknown?.roster).toEqual(r.roster);
    });

    it("is bounded by the conference's participant cap (and ROSTER_MAX), the count is not", () => {
      const capped = run([
        reserved('coremx-1', 1, { maxParticipants: 2 }),
        ev('room.started', 'coremx-1', 2),
      ]);
      const r = run(
        [join(3, 'acc_a', 'viewer'), join(4, 'acc_b', 'viewer'), join(5, 'acc_c', 'viewer')],
        capped,
      );
      expect(r?.roster.map((e) => e.identity)).toEqual(['acc_a', 'acc_b']);
      expect(r?.participants).toBe(3);
      let big = run([reserved('coremx-1', 1), ev('room.started', 'coremx-1', 2)]);
      for (let seq = 3; seq < 3 + 510; seq++) big = reduceDirectory(big, join(seq, `acc_${seq}`, 'viewer'));
      expect(big?.roster).toHaveLength(500);
    });

    it('reads a record stored without a roster as an empty one', () => {
      const { roster: _, ...old } = run([reserved('coremx-1', 1), ev('room.started', 'coremx-1', 2)])!;
      const r = reduceDirectory(old as ConferenceRecord, join(3, 'acc_alice', 'publisher'));
      expect(r?.roster).toHaveLength(1);
    });
  });

  describe('movedParticipantsOf', () => {
    const e = (participantId: string, identity: string, role: 'publisher' | 'viewer', joinOrder: number) => ({
      participantId,
      identity,
      role,
      joinOrder,
    });

    it('sends identities in join order, one each (first join), a publisher if any session was one', () => {
      expect(
        movedParticipantsOf(
          [
            e('p-2', 'acc_bob', 'viewer', 2),
            e('p-1', 'acc_alice', 'publisher', 1),
            e('p-3', 'acc_carol', 'viewer', 3),
            e('p-4', 'acc_bob', 'publisher', 4),
            e('p-5', 'acc_carol', 'viewer', 5),
          ],
          200,
        ),
      ).toEqual([
        { identity: 'acc_alice', role: 'publisher' },
        { identity: 'acc_bob', role: 'publisher' },
        { identity: 'acc_carol', role: 'viewer' },
      ]);
    });

    it('puts the owner first, then publishers by seniority (promotion order), then viewers', () => {
      expect(
        movedParticipantsOf(
          [
            { ...e('p-1', 'acc_alice', 'publisher', 1), publisherSeq: 3 },
            { ...e('p-2', 'acc_bob', 'publisher', 2), publisherSeq: 9 },
            e('p-3', 'acc_carol', 'viewer', 3),
            { ...e('p-4', 'acc_dan', 'publisher', 4), publisherSeq: 8 },
            // erin reloaded: her new session holds her old join order and is the owner again
            { ...e('p-6', 'acc_erin', 'publisher', 5), publisherSeq: 12, owner: true as const },
          ],
          200,
        ),
      ).toEqual([
        { identity: 'acc_erin', role: 'publisher' },
        { identity: 'acc_alice', role: 'publisher' },
        { identity: 'acc_dan', role: 'publisher' },
        { identity: 'acc_bob', role: 'publisher' },
        { identity: 'acc_carol', role: 'viewer' },
      ]);
    });

    it('keeps at most `max` and copes with no roster', () => {
      expect(movedParticipantsOf([e('p-1', 'a', 'viewer', 1), e('p-2', 'b', 'viewer', 2)], 1)).toEqual([
        { identity: 'a', role: 'viewer' },
      ]);
      expect(movedParticipantsOf(undefined, 200)).toEqual([]);
    });
  });
});
