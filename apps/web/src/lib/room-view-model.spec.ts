import type { ParticipantView, RoomView } from '@hoot/domain';
import { gridColumns, initialsOf, mobileColumns, roomModel } from './room-view-model';

function participant(id: string, joinOrder: number, extra: Partial<ParticipantView> = {}): ParticipantView {
  return {
    participantId: id,
    identity: `acc-${id}`,
    displayName: id,
    role: 'viewer',
    joinOrder,
    joinedAt: 1_000 + joinOrder,
    handRaised: false,
    streams: [],
    ...extra,
  };
}

function view(type: RoomView['type'], people: ParticipantView[], extra: Partial<RoomView> = {}): RoomView {
  return {
    id: 'standup',
    type,
    status: 'active',
    version: 7,
    ownerId:
      [...people].sort((a, b) => a.joinOrder - b.joinOrder).find((p) => p.role === 'publisher')
        ?.participantId ?? null,
    creator: 'acc-alice',
    participants: Object.fromEntries(people.map((p) => [p.participantId, p])),
    children: [],
    ...extra,
  };
}

const utc = (ms: number) => new Date(ms).toISOString().slice(11, 16);

describe('roomModel', () => {
  const alice = participant('alice', 1, { role: 'publisher', streams: ['audio', 'video'] });
  const bob = participant('bob', 2, { role: 'publisher', streams: ['audio', 'video'] });
  const carol = participant('carol', 3, { handRaised: true, displayName: 'Carol Danvers' });
  const dave = participant('dave', 4);

  it('shows the owner first, then speakers, then viewers, with badges', () => {
    const m = roomModel(view('m2m', [carol, bob, alice, dave]), 'bob', utc);
    expect(m.tiles.map((t) => [t.participantId, t.role, t.isOwner, t.isMe])).toEqual([
      ['alice', 'publisher', true, false],
      ['bob', 'publisher', false, true],
      ['carol', 'viewer', false, false],
      ['dave', 'viewer', false, false],
    ]);
    expect(m.tiles[2]).toMatchObject({ initials: 'CD', handRaised: true, roleLabel: 'viewer', live: false });
    expect(m.counts).toEqual({ publishers: 2, viewers: 2, maxPublishers: 9 });
    expect(m.typeTitle).toBe('Group chat room');
  });

  it('gives the owner the raised hands to answer, and no one else', () => {
    const room = view('m2m', [alice, bob, carol, dave]);
    expect(roomModel(room, 'alice').requests).toEqual([
      { participantId: 'carol', displayName: 'Carol Danvers' },
    ]);
    expect(roomModel(room, 'bob').requests).toEqual([]);
    expect(roomModel(room, 'alice').canEnd).toBe(true);
    expect(roomModel(room, 'bob').canEnd).toBe(false);
  });

  it("offers recording to the conference's creator only, in every room type but a call", () => {
    const room = view('p2m', [alice, bob, carol]);
    expect(roomModel(room, 'alice').canRecord).toBe(true);
    expect(roomModel(room, 'bob').canRecord).toBe(false);
    expect(roomModel(room, 'carol').canRecord).toBe(false);
    const call = view(
      'p2p',
      [participant('x', 1, { role: 'publisher' }), participant('y', 2, { role: 'publisher' })],
      { creator: 'acc-x' },
    );
    expect(roomModel(call, 'x').canRecord).toBe(false);
  });

  it('lets publishers kick others but never themselves; viewers kick no one and may raise a hand', () => {
    const room = view('m2m', [alice, bob, carol, dave]);
    const asBob = roomModel(room, 'bob');
    // Never the owner nor the conference's creator (alice is both).
    expect(asBob.tiles.filter((t) => t.canKick).map((t) => t.participantId)).toEqual(['carol', 'dave']);
    expect(asBob.canRaiseHand).toBe(false);
    const asDave = roomModel(room, 'dave');
    expect(asDave.tiles.some((t) => t.canKick)).toBe(false);
    expect(asDave).toMatchObject({ canRaiseHand: true, handRaised: false });
    expect(roomModel(room, 'carol')).toMatchObject({ canRaiseHand: true, handRaised: true });
  });

  it('marks audio-only rooms and lets only the caller end a call (the callee leaves), without kicks', () => {
    expect(
      roomModel(view('a2m', [participant('alice', 1, { role: 'publisher', streams: ['audio'] })]), 'alice')
        .tiles[0].audioOnly,
    ).toBe(true);
    const call = view(
      'p2p',
      [participant('x', 1, { role: 'publisher' }), participant('y', 2, { role: 'publisher' })],
      { creator: 'acc-x' },
    );
    expect(roomModel(call, 'x').canEnd).toBe(true);
    const asY = roomModel(call, 'y');
    expect(asY.canEnd).toBe(false);
    expect(asY.tiles.every((t) => !t.canKick && t.roleLabel === 'in call')).toBe(true);
  });

  it('lets only the creator end for everyone, not an owner who inherited the room; nobody kicks the creator back', () => {
    // alice (the creator) left: bob owns the room now.
    const room = view('m2m', [bob, carol, dave]);
    expect(roomModel(room, 'bob')).toMatchObject({ isOwner: true, canEnd: false });
    const back = view('m2m', [
      bob,
      carol,
      dave,
      participant('alice-2', 9, { identity: 'acc-alice', role: 'viewer' }),
    ]);
    expect(roomModel(back, 'bob').tiles.find((t) => t.participantId === 'alice-2')?.canKick).toBe(false);
    expect(roomModel(back, 'alice-2').canEnd).toBe(true);
  });

  it('names the author of a message by the name the room kept once the author is gone', () => {
    const room = view('m2m', [alice], {
      children: [
        {
          childId: 'c1',
          by: 'carol-old',
          identity: 'acc-carol',
          displayName: 'Carol Danvers',
          text: 'bye',
          at: 1_000,
        } as RoomView['children'][number],
      ],
    });
    expect(roomModel(room, 'alice', utc).chat[0].author).toBe('Carol Danvers');
  });

  it('turns the room children into chat lines with author names', () => {
    const room = view('m2m', [alice, bob], {
      children: [
        { childId: 'c1', by: 'alice', identity: 'acc-alice', text: 'hi', at: Date.UTC(2026, 0, 1, 9, 5) },
        { childId: 'c2', by: 'gone', identity: 'acc-gone', text: 'bye', at: Date.UTC(2026, 0, 1, 9, 6) },
      ],
    });
    expect(roomModel(room, 'alice', utc).chat).toEqual([
      { id: 'c1', author: 'alice', text: 'hi', time: '09:05', mine: true },
      { id: 'c2', author: 'acc-gone', text: 'bye', time: '09:06', mine: false },
    ]);
  });
});

describe('roomModel: screen share', () => {
  const alice = participant('alice', 1, {
    role: 'publisher',
    displayName: 'Alice Liddell',
    streams: ['audio', 'video', 'screen'],
  });
  const bob = participant('bob', 2, { role: 'publisher', streams: ['audio', 'video'] });
  const carol = participant('carol', 3);

  it("puts a shared screen on the stage with its sharer's name, for everyone", () => {
    for (const me of ['bob', 'carol']) {
      expect(roomModel(view('m2m', [alice, bob, carol]), me, utc).screens).toEqual([
        {
          participantId: 'alice',
          displayName: 'Alice Liddell',
          isMe: false,
          caption: 'Alice Liddell is presenting',
        },
      ]);
    }
    expect(roomModel(view('m2m', [alice, bob]), 'alice', utc).screens[0]).toMatchObject({
      isMe: true,
      caption: 'You are presenting',
    });
    expect(roomModel(view('m2m', [bob, carol]), 'bob', utc).screens).toEqual([]);
  });

  it('a screen is not a camera: a sharer without a camera is not shown live, nor audio only', () => {
    const onlyScreen = participant('dan', 4, { role: 'publisher', streams: ['screen'] });
    const tile = roomModel(view('m2m', [bob, onlyScreen]), 'bob', utc).tiles.find(
      (t) => t.participantId === 'dan',
    );
    expect(tile).toMatchObject({ live: false, audioOnly: false });
    const withCamera = roomModel(view('m2m', [alice, bob]), 'bob', utc).tiles.find(
      (t) => t.participantId === 'alice',
    );
    expect(withCamera).toMatchObject({ live: true, audioOnly: false });
  });

  it('offers Share screen to speakers of rooms that allow it; Stop sharing to the sharer', () => {
    const idle = [participant('alice', 1, { role: 'publisher', streams: ['audio', 'video'] }), bob, carol];
    expect(roomModel(view('m2m', idle), 'bob', utc).screenShare).toEqual({
      visible: true,
      sharing: false,
      enabled: true,
    });
    expect(roomModel(view('p2m', idle.slice(0, 1)), 'alice', utc).screenShare).toMatchObject({
      visible: true,
    });
    expect(roomModel(view('m2m', [alice, bob]), 'alice', utc).screenShare).toEqual({
      visible: true,
      sharing: true,
      enabled: true,
    });
  });

  it('hides it from viewers and in rooms without screen share (audio only, p2p calls)', () => {
    expect(roomModel(view('m2m', [bob, carol]), 'carol', utc).screenShare.visible).toBe(false);
    const speaker = participant('bob', 2, { role: 'publisher', streams: ['audio'] });
    expect(roomModel(view('a2m', [speaker]), 'bob', utc).screenShare.visible).toBe(false);
    expect(
      roomModel(view('p2p', [participant('alice', 1, { role: 'publisher' }), bob]), 'bob', utc).screenShare
        .visible,
    ).toBe(false);
  });

  it('disables it, saying why, while someone else presents or when the browser cannot capture a screen', () => {
    expect(roomModel(view('m2m', [alice, bob]), 'bob', utc).screenShare).toEqual({
      visible: true,
      sharing: false,
      enabled: false,
      reason: 'Alice Liddell is sharing a screen',
    });
    expect(roomModel(view('m2m', [bob]), 'bob', utc, { canShareScreen: false }).screenShare).toEqual({
      visible: true,
      sharing: false,
      enabled: false,
      reason: 'This browser cannot share a screen',
    });
  });
});

describe('layout helpers', () => {
  it('balances the grid', () => {
    expect([1, 2, 4, 5, 9, 10].map(gridColumns)).toEqual([1, 2, 2, 3, 3, 4]);
    expect([1, 2, 3, 4, 9].map(mobileColumns)).toEqual([1, 1, 2, 2, 2]);
  });

  it('makes initials', () => {
    expect(initialsOf('ada lovelace')).toBe('AL');
    expect(initialsOf(' bob ')).toBe('B');
    expect(initialsOf('')).toBe('?');
  });
});
