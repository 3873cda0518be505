import fc from 'fast-check';
import { RoomErrorCode as E } from './room-error-codes';
import { T0, joinOf, must, newRoom, run } from './room.fixture';
import { applyRoomCommand, type RoomCommand } from './room-rules';
import type { Room } from './room-state';
import {
  applyRoomPatch,
  diffRoomViews,
  participantsInJoinOrder,
  roomPatch,
  roomSnapshot,
  type RoomView,
} from './room-view';
import { applyPatches, type JsonValue } from './json-patch';

const at = T0 + 5;

function busyRoom(): Room {
  return run(
    newRoom('m2m'),
    joinOf('alice', { displayName: 'Alice' }),
    joinOf('bob'),
    joinOf('carol'),
    { type: 'publish', at, participantId: 'alice', kinds: ['audio', 'video'] },
    { type: 'raiseHand', at, participantId: 'carol' },
    { type: 'addChild', at, by: 'bob', text: 'hi' },
  ).room;
}

describe('roomSnapshot', () => {
  it('shows what observers need, and no tickets', () => {
    const view = roomSnapshot(busyRoom());
    expect(view).toEqual({
      id: 'standup',
      type: 'm2m',
      status: 'active',
      version: 6,
      ownerId: 'alice',
      creator: 'alice',
      participants: {
        alice: {
          participantId: 'alice',
          identity: 'alice',
          displayName: 'Alice',
          role: 'publisher',
          joinOrder: 1,
          joinedAt: T0 + 1,
          handRaised: false,
          streams: ['audio', 'video'],
        },
        bob: expect.objectContaining({ role: 'viewer', joinOrder: 2, handRaised: false, streams: [] }),
        carol: expect.objectContaining({ role: 'viewer', joinOrder: 3, handRaised: true }),
      },
      children: [{ childId: 'c4', by: 'bob', identity: 'bob', displayName: 'bob', text: 'hi', at }],
    });
    expect(JSON.stringify(view)).not.toContain('t-alice');
    expect(participantsInJoinOrder(view).map((p) => p.participantId)).toEqual(['alice', 'bob', 'carol']);
  });

  it('is plain JSON, even with awkward participant ids', () => {
    const room = run(newRoom('m2m'), joinOf('__proto__'), joinOf('a/b')).room;
    const view = roomSnapshot(room);
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    expect(Object.keys(view.participants)).toEqual(['__proto__', 'a/b']);
  });
});

describe('versioned patches', () => {
  it('carry an observer from one version to the next', () => {
    const a = roomSnapshot(busyRoom());
    const next = run(busyRoom(), { type: 'approve', at, by: 'alice', target: 'carol' }).room;
    const b = roomSnapshot(next);
    const patch = roomPatch(a, b);
    expect(patch).toMatchObject({ roomId: 'standup', fromVersion: 6, toVersion: 7 });
    expect(patch.ops).toEqual(
      expect.arrayContaining([
        { op: 'replace', path: '/version', value: 7 },
        { op: 'replace', path: '/participants/carol/role', value: 'publisher' },
        { op: 'replace', path: '/participants/carol/handRaised', value: false },
      ]),
    );
    expect(applyRoomPatch(a, patch)).toEqual({ ok: true, view: b });
  });

  it('refuse a patch for another version, another room, or one that does not apply', () => {
    const a = roomSnapshot(busyRoom());
    const b = roomSnapshot(run(busyRoom(), { type: 'lowerHand', at, participantId: 'carol' }).room);
    const patch = roomPatch(a, b);
    expect(applyRoomPatch(b, patch)).toMatchObject({ ok: false, code: E.PATCH_VERSION_MISMATCH });
    expect(applyRoomPatch(a, { ...patch, roomId: 'other' })).toMatchObject({
      ok: false,
      code: E.PATCH_INVALID,
    });
    expect(applyRoomPatch(a, { ...patch, ops: [{ op: 'remove', path: '/nope' }] })).toMatchObject({
      ok: false,
      code: E.PATCH_INVALID,
    });
    expect(applyRoomPatch(a, { ...patch, ops: [] })).toMatchObject({ ok: false, code: E.PATCH_INVALID });
    expect(applyRoomPatch(a, { ...patch, ops: [{ op: 'replace', path: '', value: null }] })).toMatchObject({
      ok: false,
      code: E.PATCH_INVALID,
    });
  });

  const sessions = ['a', 'b', 'c', 'd'];
  const step: fc.Arbitrary<(room: Room) => RoomCommand> = fc.oneof(
    fc.constantFrom(...sessions).map((s) => () => joinOf(s)),
    fc.constantFrom(...sessions).map((s) => (): RoomCommand => ({ type: 'leave', at, participantId: s })),
    fc.constantFrom(...sessions).map((s) => (): RoomCommand => ({ type: 'raiseHand', at, participantId: s })),
    fc
      .constantFrom(...sessions)
      .map((s) => (room: Room): RoomCommand => ({ type: 'approve', at, by: room.ownerId ?? 'a', target: s })),
    fc
      .constantFrom(...sessions)
      .map((s) => (): RoomCommand => ({ type: 'publish', at, participantId: s, kinds: ['audio'] })),
    fc
      .tuple(fc.constantFrom(...sessions), fc.string({ minLength: 1, maxLength: 4 }))
      .map(([s, text]) => (): RoomCommand => ({ type: 'addChild', at, by: s, text })),
  );

  it('let an observer follow any history patch by patch and always equal the snapshot', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
        let room = newRoom('m2m', { owner: 'a' });
        let observed: RoomView = roomSnapshot(room);
        for (const make of steps) {
          const result = applyRoomCommand(room, make(room));
          if (!result.ok) continue;
          const patch = roomPatch(roomSnapshot(room), roomSnapshot(result.room));
          const applied = applyRoomPatch(observed, JSON.parse(JSON.stringify(patch)));
          room = result.room;
          observed = applied.ok ? applied.view : observed;
        }
        expect(observed).toEqual(roomSnapshot(room));
      }),
      { numRuns: 300 },
    );
  });

  it('diffRoomViews(a, b) applied to a gives b for any two views', () => {
    const views = [busyRoom(), newRoom('p2p'), must(applyRoomCommand(busyRoom(), { type: 'end', at }))].map(
      roomSnapshot,
    );
    for (const a of views)
      for (const b of views) expect(applyPatches(a as unknown as JsonValue, diffRoomViews(a, b))).toEqual(b);
  });
});
