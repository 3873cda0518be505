import { RoomErrorCode as E } from './room-error-codes';
import { ROOM_RECONNECT_DEFAULTS } from './room-reconnect';
import { applyRoomCommand } from './room-rules';
import { createRoom, p2pPeers } from './room-state';
import { roomSnapshot } from './room-view';
import { T0, joinOf, must, newRoom, roles, run } from './room.fixture';

const at = T0 + 10;

/** m2m: alice (creator, owner), bob (approved publisher), carol (viewer). */
function meeting() {
  return run(
    newRoom('m2m'),
    joinOf('alice'),
    joinOf('bob'),
    joinOf('carol'),
    { type: 'raiseHand', at, participantId: 'bob' },
    { type: 'approve', at, by: 'alice', target: 'bob' },
  ).room;
}

describe('a new session of an identity replaces its live one', () => {
  it('takes over role, seniority and join order; the old session leaves in the same change', () => {
    const result = applyRoomCommand(meeting(), joinOf('alice-2', { identity: 'alice', at: at + 1 }));
    const room = must(result);
    expect(roles(room)).toEqual({ 'alice-2': 'publisher', bob: 'publisher', carol: 'viewer' });
    expect(room.ownerId).toBe('alice-2');
    expect(room.participants.map((p) => p.participantId)).toEqual(['alice-2', 'bob', 'carol']);
    expect(room.participants[0]).toMatchObject({ joinOrder: 1, publisherSince: 1 });
    expect(result.ok && result.events.map((e) => e.type)).toEqual([
      'participant.left',
      'participant.joined',
      'room.owner-changed',
    ]);
    expect(result.ok && result.events[0]).toMatchObject({ participantId: 'alice', replacedBy: 'alice-2' });
  });

  it('keeps an approved publisher publishing, and the same access token may rejoin (no TICKET_IN_USE)', () => {
    const room = must(applyRoomCommand(meeting(), joinOf('bob-2', { identity: 'bob', ticketId: 't-bob' })));
    expect(roles(room)['bob-2']).toBe('publisher');
    expect(room.participants.filter((p) => p.identity === 'bob')).toHaveLength(1);
  });

  it('keeps a p2p caller the caller when it reconnects (the callee still offers)', () => {
    const call = run(newRoom('p2p'), joinOf('alice'), joinOf('bob')).room;
    const back = must(applyRoomCommand(call, joinOf('alice-2', { identity: 'alice' })));
    expect(p2pPeers(back)).toEqual({ callerId: 'alice-2', calleeId: 'bob', offererId: 'bob' });
  });
});

describe('reconnect grace', () => {
  it('gives a returning owner its place back within the grace period (ownership, publishing)', () => {
    const left = run(meeting(), { type: 'leave', at: at + 1, participantId: 'alice' }).room;
    expect(left.ownerId).toBe('bob');
    const back = must(
      applyRoomCommand(
        left,
        joinOf('alice-2', { identity: 'alice', at: at + 1 + ROOM_RECONNECT_DEFAULTS.graceMs }),
      ),
    );
    expect(roles(back)['alice-2']).toBe('publisher');
    expect(back.ownerId).toBe('alice-2');
    expect(back.departed).toEqual([]);
  });

  it('gives an approved publisher publishing back within the grace period, not after it', () => {
    const left = run(meeting(), { type: 'leave', at: at + 1, participantId: 'bob' }).room;
    const soon = must(applyRoomCommand(left, joinOf('bob-2', { identity: 'bob', at: at + 5_000 })));
    expect(roles(soon)['bob-2']).toBe('publisher');
    // Registries give every ticket but the creator's `role: viewer`: a returning publisher still publishes.
    const viewerTicket = must(
      applyRoomCommand(left, joinOf('bob-2', { identity: 'bob', role: 'viewer', at: at + 5_000 })),
    );
    expect(roles(viewerTicket)['bob-2']).toBe('publisher');
    expect(soon.participants.find((p) => p.identity === 'bob')?.joinOrder).toBe(2);
    const late = must(
      applyRoomCommand(
        left,
        joinOf('bob-2', { identity: 'bob', at: at + 1 + 30_001, resumeWithinMs: 30_000 }),
      ),
    );
    expect(roles(late)['bob-2']).toBe('viewer');
  });

  it('does not give the place back after a kick (nor after an unban)', () => {
    const kicked = run(
      meeting(),
      { type: 'leave', at, participantId: 'bob' },
      joinOf('bob-2', { identity: 'bob', ticketId: 't-bob-2' }),
      { type: 'kick', at, by: 'alice', target: 'bob-2' },
      { type: 'unban', at, by: 'alice', identity: 'bob' },
    ).room;
    const back = must(applyRoomCommand(kicked, joinOf('bob-3', { identity: 'bob', ticketId: 'fresh' })));
    expect(roles(back)['bob-3']).toBe('viewer');
  });

  it('resumes as a viewer when every publisher slot was taken meanwhile', () => {
    let room = run(meeting(), { type: 'leave', at, participantId: 'bob' }).room;
    for (let i = 1; i <= 8; i++) {
      room = run(
        room,
        joinOf(`p${i}`),
        { type: 'raiseHand', at, participantId: `p${i}` },
        { type: 'approve', at, by: 'alice', target: `p${i}` },
      ).room;
    }
    expect(applyRoomCommand(room, joinOf('bob-2', { identity: 'bob', role: 'publisher' }))).toMatchObject({
      ok: false,
      code: E.ROOM_FULL,
    });
    expect(roles(must(applyRoomCommand(room, joinOf('bob-2', { identity: 'bob' }))))['bob-2']).toBe('viewer');
  });

  it('refuses a negative grace', () => {
    expect(applyRoomCommand(meeting(), joinOf('dave', { resumeWithinMs: -1 }))).toMatchObject({
      ok: false,
      code: E.INVALID_COMMAND,
    });
  });
});

describe('chat author names', () => {
  it('keeps the display name of every author in the history after it left or was kicked', () => {
    const room = run(
      newRoom('m2m'),
      joinOf('alice', { displayName: 'Alice A.' }),
      joinOf('bob', { displayName: 'Bob B.' }),
      { type: 'addChild', at, by: 'bob', text: 'hi' },
      { type: 'addChild', at, by: 'alice', text: 'hello' },
      { type: 'kick', at, by: 'alice', target: 'bob' },
    ).room;
    expect(roomSnapshot(room).children.map((c) => [c.identity, c.displayName])).toEqual([
      ['bob', 'Bob B.'],
      ['alice', 'Alice A.'],
    ]);
  });
});

describe('a conference moved from another CoreMX', () => {
  it('remembers who was in it so they resume their roles; refuses a bad list', () => {
    const created = createRoom({
      id: 'moved',
      type: 'm2m',
      owner: 'alice',
      createdAt: T0,
      returning: [
        { identity: 'bob', role: 'publisher' },
        { identity: 'carol', role: 'viewer' },
      ],
    });
    const room = created.ok ? created.room : undefined;
    expect(room?.departed.map((d) => [d.identity, d.role, d.joinOrder])).toEqual([
      ['bob', 'publisher', 1],
      ['carol', 'viewer', 2],
    ]);
    const joined = must(applyRoomCommand(room!, joinOf('bob', { at: T0 + 1_000 })));
    expect(roles(joined)).toEqual({ bob: 'publisher' });
    expect(
      createRoom({
        id: 'moved',
        type: 'm2m',
        createdAt: T0,
        returning: [{ identity: 'x', role: 'king' as 'viewer' }],
      }),
    ).toMatchObject({ ok: false, code: E.INVALID_ROOM });
  });

  it('counts the grace from returningLeftBy: people still in a draining room keep their place until then', () => {
    const grace = ROOM_RECONNECT_DEFAULTS.graceMs;
    const drainMs = 60_000;
    const moved = (returningLeftBy?: number) => {
      const created = createRoom({
        id: 'moved',
        type: 'm2m',
        owner: 'alice',
        createdAt: T0,
        returning: [
          { identity: 'alice', role: 'publisher' },
          { identity: 'bob', role: 'publisher' },
        ],
        ...(returningLeftBy !== undefined ? { returningLeftBy } : {}),
      });
      if (!created.ok) throw new Error(created.message);
      return created.room;
    };
    // bob comes when the old room's drain ends (after the plain grace, within the grace after leftBy).
    const late = T0 + drainMs + grace;
    expect(roles(must(applyRoomCommand(moved(T0 + drainMs), joinOf('bob', { at: late }))))).toEqual({
      bob: 'publisher',
    });
    expect(roles(must(applyRoomCommand(moved(), joinOf('bob', { at: late }))))).toEqual({ bob: 'viewer' });
    expect(roles(must(applyRoomCommand(moved(T0 + drainMs), joinOf('bob', { at: late + 1 }))))).toEqual({
      bob: 'viewer',
    });
    for (const bad of [T0 - 1, T0 + 24 * 3600_000 + 1, Number.NaN, '5' as unknown as number]) {
      expect(
        createRoom({ id: 'moved', type: 'm2m', createdAt: T0, returning: [], returningLeftBy: bad }),
      ).toMatchObject({ ok: false, code: E.INVALID_ROOM });
    }
  });
});
