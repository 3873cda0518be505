import { movedParticipantsOf, reduceDirectory } from './directory.reducer';
import { ev, joined, moved, reserved, run } from './directory.reducer.fixture';

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

  it('ignores chat.message (issue 21): no write, whatever its data; the next event still applies', () => {
    const live = run([reserved('coremx-1', 1), ev('room.started', 'coremx-1', 2), joined('coremx-1', 3)]);
    const chats = [
      ev('chat.message', 'coremx-1', 4, {
        messageId: 'c4',
        participantId: 'p-3',
        identity: 'acc_bob',
        displayName: 'Bob',
        length: 2,
        text: 'hi',
      }),
      // untrusted: a chat whose data is nothing like the contract, or pretends to be a join
      ev('chat.message', 'coremx-1', 5, { participantId: 'p-9', role: 'publisher', joinOrder: 9 }),
      ev('chat.message', 'coremx-1', 6, null as unknown as object),
      ev('chat.message', 'coremx-2', 1, { text: 'elsewhere' }),
    ];
    for (const chat of chats) expect(reduceDirectory(live, chat)).toBeUndefined();
    expect(reduceDirectory(undefined, chats[0])).toBeUndefined();
    const after = run(
      [ev('participant.left', 'coremx-1', 7, { participantId: 'p-3', identity: 'acc_bob', remaining: 0 })],
      live,
    );
    expect(after).toMatchObject({ participants: 0, roster: [], rev: (live?.rev ?? 0) + 1 });
    expect(after?.applied['coremx-1']).toBe(7);
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
