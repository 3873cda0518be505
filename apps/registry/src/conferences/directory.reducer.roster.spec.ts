import { RETURNING_ROSTER_TTL_MS, returningParticipantsOf, type ConferenceRecord } from '@hoot/domain';
import { reduceDirectory } from './directory.reducer';
import { ev, moved, reserved, run } from './directory.reducer.fixture';

describe('reduceDirectory: roster', () => {
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
    const capped = run([reserved('coremx-1', 1, { maxParticipants: 2 }), ev('room.started', 'coremx-1', 2)]);
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
