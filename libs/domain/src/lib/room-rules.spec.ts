import { RoomErrorCode as E, ROOM_ERROR_MESSAGES } from './room-error-codes';
import { ROOM_EVENT_TYPES } from './room-events';
import { T0, joinOf, must, newRoom, roles, run } from './room.fixture';
import { applyRoomCommand, checkRoomCommand, type RoomCommand } from './room-rules';
import { createRoom, p2pPeers, publishersOf } from './room-state';
import { ROOM_TYPE_RULES } from './room-types';
import { at, expectRefused, groupRoom, withPublishers } from './room-rules.fixture';

describe('the room type table', () => {
  it('matches seed 001', () => {
    expect(ROOM_TYPE_RULES.m2m).toMatchObject({ maxPublishers: 9, maxParticipants: null, viewers: true });
    expect(ROOM_TYPE_RULES.m2m.kinds).toEqual(['audio', 'video']);
    expect(ROOM_TYPE_RULES.a2m).toMatchObject({ maxPublishers: 9, maxParticipants: null, viewers: true });
    expect(ROOM_TYPE_RULES.a2m.kinds).toEqual(['audio']);
    expect(ROOM_TYPE_RULES.p2m).toMatchObject({ maxPublishers: 1, maxParticipants: null, viewers: true });
    expect(ROOM_TYPE_RULES.p2p).toMatchObject({ maxPublishers: 2, maxParticipants: 2, viewers: false });
    expect(ROOM_TYPE_RULES.p2p.media).toBe('peer-to-peer');
  });

  it('has a message for every error code and stable event names', () => {
    for (const code of Object.values(E)) expect(ROOM_ERROR_MESSAGES[code]).toMatch(/\w/);
    expect(ROOM_EVENT_TYPES).toEqual(
      expect.arrayContaining([
        'room.reserved',
        'room.started',
        'room.ended',
        'participant.joined',
        'participant.left',
        'participant.kicked',
        'participant.role-changed',
        'room.owner-changed',
        'hand.raised',
        'hand.approved',
        'hand.denied',
        'stream.published',
        'stream.unpublished',
      ]),
    );
  });
});

describe('createRoom', () => {
  it('reserves a room for its creator', () => {
    const result = createRoom({ id: 'standup', type: 'm2m', owner: 'alice', createdAt: T0 });
    expect(result).toMatchObject({
      ok: true,
      room: {
        id: 'standup',
        status: 'reserved',
        version: 0,
        creator: 'alice',
        ownerId: null,
        participants: [],
      },
      events: [
        {
          type: 'room.reserved',
          roomId: 'standup',
          at: T0,
          version: 0,
          roomType: 'm2m',
          creator: 'alice',
          public: false,
          allowed: null,
          maxParticipants: null,
        },
      ],
    });
  });

  it('carries public, allowed (without repeats) and the participant limit into room.reserved', () => {
    const result = createRoom({
      id: 'standup',
      type: 'p2m',
      owner: 'alice',
      public: true,
      allowed: ['bob', 'carol', 'bob'],
      maxParticipants: 50,
      createdAt: T0,
    });
    expect(result).toMatchObject({ ok: true, room: { public: true, allowed: ['bob', 'carol'] } });
    expect(result.ok && result.events).toEqual([
      {
        type: 'room.reserved',
        roomId: 'standup',
        at: T0,
        version: 0,
        roomType: 'p2m',
        creator: 'alice',
        public: true,
        allowed: ['bob', 'carol'],
        maxParticipants: 50,
      },
    ]);
  });

  it('makes a room private unless asked', () => {
    expect(newRoom('m2m').public).toBe(false);
    expect(newRoom('m2m', { public: false }).public).toBe(false);
  });

  it.each([
    ['a bad id', { id: 'Stand Up' }, /conference id/],
    ['an unknown type', { type: 'x2y' }, /type must be/],
    ['a bad time', { createdAt: Number.NaN }, /createdAt/],
    ['a blank owner', { owner: '' }, /owner is empty/],
    ['allowed not a list', { allowed: 'bob' }, /allowed must be a list/],
    ['a bad allowed identity', { allowed: ['bob', ' x'] }, /allowed identity/],
    ['a zero participant limit', { maxParticipants: 0 }, /maxParticipants/],
    ['a public flag that is not a boolean', { public: 'yes' }, /public must be true or false/],
  ])('refuses %s', (_name, extra, message) => {
    const result = createRoom({ id: 'standup', type: 'm2m', createdAt: T0, ...(extra as object) });
    expect(result).toMatchObject({ ok: false, code: E.INVALID_ROOM });
    expect(result.ok ? '' : result.message).toMatch(message);
  });

  it('refuses a non-object', () => {
    expect(createRoom(null as never)).toMatchObject({ ok: false, code: E.INVALID_ROOM });
  });
});

describe('join', () => {
  it('starts the room: the creator publishes by default and owns it', () => {
    const result = applyRoomCommand(newRoom('m2m'), joinOf('alice', { displayName: 'Alice' }));
    expect(result).toMatchObject({
      ok: true,
      room: { status: 'active', version: 1, ownerId: 'alice', startedAt: T0 + 1 },
      events: [
        { type: 'room.started', version: 1, at: T0 + 1, roomId: 'standup' },
        {
          type: 'participant.joined',
          participantId: 'alice',
          role: 'publisher',
          displayName: 'Alice',
          joinOrder: 1,
        },
        { type: 'room.owner-changed', from: null, to: 'alice' },
      ],
    });
  });

  it('makes the first to join the creator of a room reserved for nobody', () => {
    const { room } = run(newRoom('m2m', { owner: undefined }), joinOf('zoe'), joinOf('yann'));
    expect(room.creator).toBe('zoe');
    expect(roles(room)).toEqual({ zoe: 'publisher', yann: 'viewer' });
  });

  it('lets everyone else in as a viewer, in unlimited numbers', () => {
    let room = run(newRoom('m2m'), joinOf('alice')).room;
    for (let i = 0; i < 500; i++) room = must(applyRoomCommand(room, joinOf(`v${i}`)));
    expect(room.participants).toHaveLength(501);
    expect(publishersOf(room)).toHaveLength(1);
    expect(room.participants.map((p) => p.joinOrder)).toEqual(room.participants.map((_, i) => i + 1));
  });

  it('lets a viewer-only request of the creator stay a viewer', () => {
    const { room } = run(newRoom('m2m'), joinOf('alice', { role: 'viewer' }));
    expect(roles(room)).toEqual({ alice: 'viewer' });
    expect(room.ownerId).toBeNull();
  });

  it('refuses a publisher request from anyone but the creator', () => {
    expectRefused(groupRoom(), joinOf('dave', { role: 'publisher' }), E.PUBLISH_NOT_GRANTED);
  });

  it('lets the creator join as publisher again from another session: it replaces the old one', () => {
    const room = must(
      applyRoomCommand(withPublishers(9), joinOf('alice-2', { identity: 'alice', role: 'publisher' })),
    );
    expect(publishersOf(room)).toHaveLength(9);
    expect(room.participants.some((p) => p.participantId === 'alice')).toBe(false);
    expect(room.ownerId).toBe('alice-2');
  });

  it('refuses a participant already in, a ticket in use, kicked tickets and kicked identities', () => {
    const room = groupRoom();
    expectRefused(room, joinOf('bob', { ticketId: 'other' }), E.ALREADY_IN_ROOM);
    expectRefused(room, joinOf('dave', { ticketId: 't-bob' }), E.TICKET_IN_USE);
    const kicked = run(room, { type: 'kick', at, by: 'alice', target: 'bob' }).room;
    expectRefused(kicked, joinOf('bob'), E.TICKET_KICKED);
    expectRefused(kicked, joinOf('bob-2', { identity: 'bob', ticketId: 't-bob' }), E.TICKET_KICKED);
    // A fresh ticket does not help: the identity is barred until the owner lets it back.
    expectRefused(kicked, joinOf('bob-2', { identity: 'bob', ticketId: 'fresh' }), E.BANNED);
    const back = run(kicked, { type: 'unban', at, by: 'alice', identity: 'bob' }).room;
    expect(back.bannedIdentities).toEqual([]);
    expect(
      roles(must(applyRoomCommand(back, joinOf('bob-2', { identity: 'bob', ticketId: 'fresh' })))),
    ).toEqual({
      alice: 'publisher',
      carol: 'viewer',
      'bob-2': 'viewer',
    });
  });

  it('admits only allowed identities (and the creator) when a list is set', () => {
    const room = run(newRoom('m2m', { allowed: ['bob'] }), joinOf('alice')).room;
    expect(must(applyRoomCommand(room, joinOf('bob'))).participants).toHaveLength(2);
    expectRefused(room, joinOf('mallory'), E.NOT_ALLOWED);
  });

  it('admits anyone into a public room, whatever its allowed list', () => {
    const room = run(newRoom('m2m', { public: true, allowed: ['bob'] }), joinOf('alice')).room;
    const joined = must(applyRoomCommand(room, joinOf('mallory')));
    expect(roles(joined)).toEqual({ alice: 'publisher', mallory: 'viewer' });
    expectRefused(room, joinOf('mallory', { role: 'publisher' }), E.PUBLISH_NOT_GRANTED);
  });

  it('applies the participant limit of the plan', () => {
    const room = run(newRoom('m2m', { maxParticipants: 2 }), joinOf('alice'), joinOf('bob')).room;
    expectRefused(room, joinOf('carol'), E.PARTICIPANT_LIMIT_REACHED);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['no participant id', { participantId: '' }, /participantId is empty/],
    ['a numeric identity', { identity: 7 }, /identity must be a string/],
    ['a long ticket', { ticketId: 'x'.repeat(129) }, /ticketId is longer/],
    ['a padded ticket', { ticketId: ' t' }, /surrounding spaces/],
    ['a blank display name', { displayName: '  ' }, /displayName/],
    ['a long display name', { displayName: 'x'.repeat(101) }, /displayName is longer/],
    ['an unknown role', { role: 'admin' }, /role must be/],
    ['no time', { at: undefined }, /at must be/],
    ['a negative time', { at: -1 }, /at must be/],
  ])('refuses a join with %s', (_name, extra, message) => {
    const result = applyRoomCommand(newRoom('m2m'), { ...joinOf('alice'), ...extra } as RoomCommand);
    expect(result).toMatchObject({ ok: false, code: E.INVALID_COMMAND });
    expect(result.ok ? '' : result.message).toMatch(message);
  });
});

describe('malformed commands', () => {
  it.each<[unknown, RegExp]>([
    [null, /must be an object/],
    [[], /must be an object/],
    [{ type: 'dance', at }, /type must be one of/],
    [{ type: 'publish', at, participantId: 'a', kinds: [] }, /non-empty list/],
    [{ type: 'publish', at, participantId: 'a', kinds: ['audio', 'audio'] }, /duplicates/],
    [{ type: 'publish', at, participantId: 'a', kinds: ['hologram'] }, /audio, video, screen/],
    [{ type: 'publish', at, participantId: 'a', kinds: ['video', 'screen'] }, /screen is published alone/],
    [{ type: 'unpublish', at, participantId: 'a', kinds: ['screen', 'audio'] }, /screen is published alone/],
    [{ type: 'unpublish', at, participantId: 'a', kinds: 'audio' }, /non-empty list/],
    [{ type: 'kick', at, by: 'a' }, /target must be a string/],
    [{ type: 'end', at, by: 'alice', reason: 'system' }, /only for platform ends/],
    [{ type: 'end', at, reason: 'bored' }, /reason must be one of/],
    [{ type: 'end', at, by: 3 }, /by must be a string/],
    [{ type: 'end', at, byIdentity: '' }, /byIdentity is empty/],
    [{ type: 'end', at, byIdentity: 'alice', reason: 'system' }, /only for platform ends/],
    [{ type: 'end', at, by: 'alice', byIdentity: 'alice' }, /not both/],
    [{ type: 'addChild', at, by: 'a', text: 5 }, /text must be a string/],
  ])('refuses %j', (command, message) => {
    expect(checkRoomCommand(command)).toMatch(message);
    expectRefused(groupRoom(), command as RoomCommand, E.INVALID_COMMAND);
  });
});

describe('kick', () => {
  it('lets a publisher kick a publisher, ending its streams first, and remembers the ticket', () => {
    const room = run(withPublishers(2), { type: 'publish', at, participantId: 'p1', kinds: ['audio'] }).room;
    const kicked = run(room, { type: 'kick', at: at + 5, by: 'alice', target: 'p1' });
    expect(kicked.events).toEqual([
      {
        type: 'stream.unpublished',
        participantId: 'p1',
        kinds: ['audio'],
        roomId: 'standup',
        at: at + 5,
        version: room.version + 1,
      },
      {
        type: 'participant.kicked',
        participantId: 'p1',
        identity: 'p1',
        by: 'alice',
        ticketId: 't-p1',
        roomId: 'standup',
        at: at + 5,
        version: room.version + 1,
      },
    ]);
    expect(kicked.room.kickedTickets).toEqual(['t-p1']);
  });

  it('lets the p2m publisher kick viewers', () => {
    expect(roles(run(groupRoom('p2m'), { type: 'kick', at, by: 'alice', target: 'bob' }).room)).toEqual({
      alice: 'publisher',
      carol: 'viewer',
    });
  });

  it('never lets a promoted speaker kick the owner, nor the creator when they come back', () => {
    const room = withPublishers(3); // alice (creator, owner), p1, p2 promoted
    expectRefused(room, { type: 'kick', at, by: 'p1', target: 'alice' }, E.CANNOT_KICK_OWNER);
    // alice leaves: p1 is the owner now; p1 may kick p2, but not alice when she rejoins (as a viewer,
    // after the reconnect grace, so she does not take her place back).
    const left = run(room, { type: 'leave', at, participantId: 'alice' }).room;
    expect(left.ownerId).toBe('p1');
    expectRefused(left, { type: 'kick', at, by: 'p2', target: 'p1' }, E.CANNOT_KICK_OWNER);
    const back = run(
      left,
      joinOf('alice-2', { identity: 'alice', role: 'viewer', at: at + 1, resumeWithinMs: 0 }),
    ).room;
    expectRefused(back, { type: 'kick', at, by: 'p1', target: 'alice-2' }, E.CANNOT_KICK_CREATOR);
    expect(run(back, { type: 'kick', at, by: 'p1', target: 'p2' }).room.bannedIdentities).toEqual(['p2']);
  });

  it('lets only the owner or the creator unban, and only a barred identity', () => {
    const room = run(withPublishers(3), joinOf('bob'), { type: 'kick', at, by: 'p1', target: 'bob' }).room;
    expect(room.bannedIdentities).toEqual(['bob']);
    expectRefused(room, { type: 'unban', at, by: 'p2', identity: 'bob' }, E.NOT_OWNER);
    expectRefused(room, { type: 'unban', at, by: 'alice', identity: 'carol' }, E.NOT_BANNED);
    expectRefused(room, { type: 'unban', at, by: 'zed', identity: 'bob' }, E.NOT_IN_ROOM);
    const unbanned = run(room, { type: 'unban', at, by: 'alice', identity: 'bob' });
    expect(unbanned.events).toEqual([]);
    expect(unbanned.room.bannedIdentities).toEqual([]);
  });

  it('refuses viewers, strangers, missing targets and oneself', () => {
    const room = groupRoom();
    expectRefused(room, { type: 'kick', at, by: 'bob', target: 'carol' }, E.NOT_A_PUBLISHER);
    expectRefused(room, { type: 'kick', at, by: 'zed', target: 'carol' }, E.NOT_IN_ROOM);
    expectRefused(room, { type: 'kick', at, by: 'alice', target: 'zed' }, E.TARGET_NOT_IN_ROOM);
    expectRefused(room, { type: 'kick', at, by: 'alice', target: 'alice' }, E.CANNOT_KICK_SELF);
  });
});

describe('leave', () => {
  it('empties the room when the last one leaves, and a join fills it again without a new start', () => {
    const room = run(newRoom('m2m'), joinOf('alice'), {
      type: 'publish',
      at,
      participantId: 'alice',
      kinds: ['audio'],
    }).room;
    const left = run(room, { type: 'leave', at: at + 1, participantId: 'alice' });
    expect(left.events.map((e) => e.type)).toEqual([
      'stream.unpublished',
      'participant.left',
      'room.owner-changed',
    ]);
    expect(left.events[1]).toMatchObject({ remaining: 0 });
    expect(left.room).toMatchObject({ status: 'empty', emptySince: at + 1, ownerId: null });
    const back = run(left.room, joinOf('alice-2', { identity: 'alice', at: at + 2 }));
    expect(back.events.map((e) => e.type)).toEqual(['participant.joined', 'room.owner-changed']);
    expect(back.room).toMatchObject({ status: 'active', emptySince: null, startedAt: T0 + 1 });
  });

  it('refuses someone not in the room', () => {
    expectRefused(groupRoom(), { type: 'leave', at, participantId: 'zed' }, E.NOT_IN_ROOM);
  });
});

describe('end', () => {
  it("is for the conference's creator, never for a promoted speaker who became owner", () => {
    const left = run(withPublishers(2), { type: 'leave', at, participantId: 'alice' }).room;
    expect(left.ownerId).toBe('p1');
    expectRefused(left, { type: 'end', at, by: 'p1' }, E.NOT_CREATOR);
    const back = run(left, joinOf('alice-2', { identity: 'alice', role: 'viewer' })).room;
    expect(run(back, { type: 'end', at, by: 'alice-2' }).room.status).toBe('ended');
  });

  it('is for the creator; it removes everyone and refuses every later command', () => {
    const room = groupRoom();
    expectRefused(room, { type: 'end', at, by: 'bob' }, E.NOT_CREATOR);
    expectRefused(room, { type: 'end', at, by: 'zed' }, E.NOT_IN_ROOM);
    const ended = run(room, { type: 'end', at, by: 'alice' });
    expect(ended.events).toMatchObject([
      { type: 'room.ended', by: 'alice', reason: 'ended', participantIds: ['alice', 'bob', 'carol'] },
    ]);
    expect(ended.room).toMatchObject({
      status: 'ended',
      participants: [],
      ownerId: null,
      endedAt: at,
      endReason: 'ended',
    });
    expectRefused(ended.room, joinOf('dave'), E.ROOM_ENDED);
    expectRefused(ended.room, { type: 'leave', at, participantId: 'bob' }, E.ROOM_ENDED);
    expectRefused(ended.room, { type: 'end', at }, E.ROOM_ENDED);
  });

  it('can be done by the platform, with a reason', () => {
    const ended = run(groupRoom(), { type: 'end', at, reason: 'empty-timeout' });
    expect(ended.events).toMatchObject([{ type: 'room.ended', by: null, reason: 'empty-timeout' }]);
    expect(run(newRoom('p2m'), { type: 'end', at }).room.endReason).toBe('system');
  });

  it("can be done by the conference's owner from outside the room: reason ended, by = that identity", () => {
    const ended = run(groupRoom(), { type: 'end', at, byIdentity: 'acc-alice' });
    expect(ended.events).toEqual([
      {
        type: 'room.ended',
        roomId: 'standup',
        at,
        version: expect.any(Number),
        by: 'acc-alice',
        reason: 'ended',
        participantIds: ['alice', 'bob', 'carol'],
      },
    ]);
    expect(ended.room).toMatchObject({ status: 'ended', participants: [], endReason: 'ended' });
    expect(run(newRoom('m2m'), { type: 'end', at, byIdentity: 'alice' }).room.endReason).toBe('ended');
  });
});

describe('p2p calls', () => {
  const call = () => run(newRoom('p2p'), joinOf('alice'), joinOf('bob'));

  it('has two publishers; the callee learns the caller and sends the offer', () => {
    const { room, events } = call();
    expect(roles(room)).toEqual({ alice: 'publisher', bob: 'publisher' });
    expect(events.filter((e) => e.type === 'participant.joined')).toMatchObject([
      { participantId: 'alice' },
      { participantId: 'bob', peerId: 'alice' },
    ]);
    expect(
      events.find((e) => e.type === 'participant.joined' && e.participantId === 'alice'),
    ).not.toHaveProperty('peerId');
    expect(p2pPeers(room)).toEqual({ callerId: 'alice', calleeId: 'bob', offererId: 'bob' });
    expect(p2pPeers(run(newRoom('p2p'), joinOf('alice')).room)).toBeUndefined();
    expect(p2pPeers(groupRoom())).toBeUndefined();
  });

  it('refuses a third participant and any viewer', () => {
    expectRefused(call().room, joinOf('carol'), E.P2P_FULL);
    expectRefused(
      run(newRoom('p2p'), joinOf('alice')).room,
      joinOf('bob', { role: 'viewer' }),
      E.NO_VIEWERS_IN_P2P,
    );
  });

  it('lets the caller end the call; the callee only leaves, and a side rejoins after leaving', () => {
    expect(run(call().room, { type: 'end', at, by: 'alice' }).room.status).toBe('ended');
    expectRefused(call().room, { type: 'end', at, by: 'bob' }, E.NOT_CREATOR);
    const rejoined = run(
      call().room,
      { type: 'leave', at, participantId: 'bob' },
      joinOf('bob-2', { identity: 'bob' }),
    );
    expect(p2pPeers(rejoined.room)).toEqual({ callerId: 'alice', calleeId: 'bob-2', offererId: 'bob-2' });
  });
});

describe('versions and events', () => {
  it('advances the version by one per accepted command and stamps every event', () => {
    const start = newRoom('m2m');
    const commands: RoomCommand[] = [
      joinOf('alice', { at: T0 + 1 }),
      joinOf('bob', { at: T0 + 2 }),
      { type: 'raiseHand', at: T0 + 3, participantId: 'bob' },
      { type: 'approve', at: T0 + 4, by: 'alice', target: 'bob' },
      { type: 'leave', at: T0 + 5, participantId: 'alice' },
    ];
    let room = start;
    commands.forEach((command, i) => {
      const result = applyRoomCommand(room, command);
      room = must(result);
      expect(room.version).toBe(i + 1);
      expect(
        result.ok &&
          result.events.every((e) => e.version === i + 1 && e.at === command.at && e.roomId === 'standup'),
      ).toBe(true);
    });
  });
});
