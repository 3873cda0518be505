import { RoomErrorCode } from '@hoot/domain';
import { CashErrorCode } from '../cash-error';
import { sdpOffer } from '../testing/room-fixture';
import { signalingFixture } from '../testing/signaling-fixture';
import { JOIN_TIMEOUT_CLOSE_CODE } from './signaling.session';

describe('SignalingSession', () => {
  it('joins with a ticket, then handles room messages in order', async () => {
    const f = signalingFixture();
    const alice = f.connect();
    await alice.send({ type: 'join', id: 'j1', ticket: f.ticket('standup', 'alice') });
    expect(alice.socket.last()).toMatchObject({ type: 'joined', re: 'j1', participantId: 'p-1' });
    expect(alice.session.participant).toEqual({ roomId: 'standup', participantId: 'p-1' });

    await alice.send({ type: 'publish', id: 'pub', kinds: ['audio'], sdpOffer: sdpOffer(['audio']) });
    expect(alice.socket.ofType('publish-answer')[0].re).toBe('pub');
    await alice.send({ type: 'chat', id: 'c1', text: 'hello' });
    expect(alice.socket.ofType('patch').at(-1)?.patch.ops).toEqual(
      expect.arrayContaining([expect.objectContaining({ op: 'add', path: '/children/0' })]),
    );
    expect(alice.socket.last()).toEqual({ type: 'ok', re: 'c1' });
    expect(f.events.ofType('participant.joined')[0].data).toMatchObject({
      identity: 'alice',
      displayName: 'alice',
    });
  });

  it('refuses every message before join, and a second join', async () => {
    const f = signalingFixture();
    const c = f.connect();
    for (const message of [
      { type: 'publish', kinds: ['audio'], sdpOffer: sdpOffer() },
      { type: 'raise-hand' },
      { type: 'leave' },
      { type: 'p2p-signal', signal: { kind: 'answer', sdp: sdpOffer() } },
    ]) {
      await c.send({ ...message, id: 'x' });
      expect(c.socket.last()).toMatchObject({ type: 'error', re: 'x', code: CashErrorCode.NotJoined });
    }
    await c.send({ type: 'join', ticket: f.ticket('room-a', 'alice') });
    await c.send({ type: 'join', id: 'again', ticket: f.ticket('room-a', 'alice') });
    expect(c.socket.last()).toMatchObject({ type: 'error', re: 'again', code: CashErrorCode.AlreadyJoined });
    expect(f.rooms.info('room-a')?.participants).toBe(1);
  });

  it.each([
    [
      'another CoreMX',
      (f: ReturnType<typeof signalingFixture>) => f.ticket('r1', 'a', {}, 'coremx:other'),
      CashErrorCode.TicketWrongCoreMx,
    ],
    [
      'a user token',
      (f: ReturnType<typeof signalingFixture>) => f.ticket('r1', 'a', {}, 'hoot'),
      CashErrorCode.TicketWrongCoreMx,
    ],
    [
      'no conference id',
      (f: ReturnType<typeof signalingFixture>) => f.ticket('r1', 'a', { cid: undefined }),
      CashErrorCode.TicketInvalid,
    ],
    [
      'a bad conference id',
      (f: ReturnType<typeof signalingFixture>) => f.ticket('R 1', 'a'),
      CashErrorCode.TicketInvalid,
    ],
    [
      'an unknown role',
      (f: ReturnType<typeof signalingFixture>) => f.ticket('r1', 'a', { role: 'king' }),
      CashErrorCode.TicketInvalid,
    ],
    [
      'an unknown room type',
      (f: ReturnType<typeof signalingFixture>) => f.ticket('r1', 'a', { rtype: 'x2y' }),
      CashErrorCode.TicketInvalid,
    ],
    [
      'an identity with spaces',
      (f: ReturnType<typeof signalingFixture>) => f.ticket('r1', 'a b'),
      CashErrorCode.TicketInvalid,
    ],
    ['garbage', () => 'not.a.jwt', CashErrorCode.TicketInvalid],
    [
      'a forged signature',
      (f: ReturnType<typeof signalingFixture>) => `${f.ticket('r1', 'a').slice(0, -4)}AAAA`,
      CashErrorCode.TicketInvalid,
    ],
  ])('refuses a ticket for %s and changes nothing', async (_why, make, code) => {
    const f = signalingFixture();
    const c = f.connect();
    await c.send({ type: 'join', id: 'j', ticket: make(f) });
    expect(c.socket.last()).toMatchObject({ type: 'error', re: 'j', code });
    expect(f.rooms.list()).toEqual([]);
    expect(f.events.events).toEqual([]);
    expect(c.session.participant).toBeUndefined();
  });

  it('refuses an expired ticket', async () => {
    const f = signalingFixture();
    const ticket = f.ticket('late', 'alice');
    f.clock.advance(120_000 + 30_001);
    const c = f.connect();
    await c.send({ type: 'join', ticket });
    expect(c.socket.last()).toMatchObject({ type: 'error', code: CashErrorCode.TicketExpired });
  });

  it('refuses a revoked ticket (by its id, and every ticket of a revoked identity) and changes nothing', async () => {
    const f = signalingFixture();
    const byId = f.ticket('r-revoked', 'alice', { jti: 'ticket-gone' });
    f.revocations.revokeToken('ticket-gone', f.clock.now() + 120_000);
    const c = f.connect();
    await c.send({ type: 'join', id: 'j1', ticket: byId });
    expect(c.socket.last()).toMatchObject({ type: 'error', re: 'j1', code: CashErrorCode.TicketRevoked });
    const ofBob = f.ticket('r-revoked', 'bob');
    f.clock.advance(1_000);
    f.revocations.revokeSubject('bob', f.clock.now());
    await c.send({ type: 'join', id: 'j2', ticket: ofBob });
    expect(c.socket.last()).toMatchObject({ type: 'error', re: 'j2', code: CashErrorCode.TicketRevoked });
    expect(f.rooms.has('r-revoked')).toBe(false);
    expect(f.events.ofType('participant.joined')).toHaveLength(0);
    expect(c.session.participant).toBeUndefined();
  });

  describe('join with an access token and a room id', () => {
    async function reserved() {
      const f = signalingFixture();
      await f.rooms.reserve({ id: 'board', type: 'm2m', owner: 'alice', allowed: ['bob'] });
      return f;
    }
    const roleOf = (f: ReturnType<typeof signalingFixture>, participantId: string) =>
      f.rooms.view('board')?.participants[participantId]?.role;

    it('admits the owner as a publisher and an allowed identity as a viewer', async () => {
      const f = await reserved();
      const alice = f.connect();
      await alice.send({ type: 'join', id: 'j', accessToken: f.accessToken('alice'), roomId: 'board' });
      expect(alice.socket.last()).toMatchObject({ type: 'joined', re: 'j', participantId: 'p-1' });
      expect(alice.session.participant).toEqual({ roomId: 'board', participantId: 'p-1' });
      expect(roleOf(f, 'p-1')).toBe('publisher');

      const bob = f.connect();
      await bob.send({
        type: 'join',
        accessToken: f.accessToken('bob'),
        roomId: 'board',
        displayName: 'Bobby',
      });
      expect(bob.socket.last()).toMatchObject({ type: 'joined', participantId: 'p-2' });
      expect(roleOf(f, 'p-2')).toBe('viewer');
      expect(f.events.ofType('participant.joined').map((e) => e.data)).toEqual([
        expect.objectContaining({ identity: 'alice', displayName: 'alice (account)' }),
        // The account's name: a displayName in join is ignored (names come from the account).
        expect.objectContaining({ identity: 'bob', displayName: 'bob (account)' }),
      ]);
      // Messages after the join work as after a ticket join.
      await bob.send({ type: 'raise-hand', id: 'h' });
      expect(bob.socket.last()).toEqual({ type: 'ok', re: 'h' });
    });

    it('refuses an identity that is neither owner nor allowed (also in a room without an allowed list)', async () => {
      const f = await reserved();
      await f.rooms.reserve({ id: 'open', type: 'm2m', owner: 'alice' });
      const before = f.events.events.length;
      const carol = f.connect();
      for (const roomId of ['board', 'open']) {
        await carol.send({ type: 'join', id: roomId, accessToken: f.accessToken('carol'), roomId });
        expect(carol.socket.last()).toMatchObject({
          type: 'error',
          re: roomId,
          code: CashErrorCode.RoomNotFound,
        });
        expect(f.rooms.info(roomId)?.participants).toBe(0);
      }
      expect(f.events.events.length).toBe(before);
      expect(carol.session.participant).toBeUndefined();
      // The same connection may still join with a ticket (a room without an allowed list takes any ticket).
      await carol.send({ type: 'join', ticket: f.ticket('open', 'carol') });
      expect(carol.socket.last()).toMatchObject({ type: 'joined' });
    });

    it('admits any authenticated stranger into a public room, even one with an allowed list', async () => {
      const f = await reserved();
      await f.rooms.reserve({ id: 'town-hall', type: 'm2m', owner: 'alice', public: true });
      await f.rooms.reserve({ id: 'open-list', type: 'm2m', owner: 'alice', allowed: ['bob'], public: true });
      for (const roomId of ['town-hall', 'open-list']) {
        const mallory = f.connect();
        await mallory.send({ type: 'join', id: roomId, accessToken: f.accessToken('mallory'), roomId });
        expect(mallory.socket.last()).toMatchObject({ type: 'joined', re: roomId });
        const { participantId } = mallory.session.participant ?? { participantId: '' };
        expect(f.rooms.view(roomId)?.participants[participantId]).toMatchObject({
          identity: 'mallory',
          role: 'viewer',
        });
      }
      expect(f.events.ofType('participant.joined').map((e) => [e.conferenceId, e.data.identity])).toEqual([
        ['town-hall', 'mallory'],
        ['open-list', 'mallory'],
      ]);
      // The private room next door still refuses the same stranger.
      const again = f.connect();
      await again.send({ type: 'join', id: 'b', accessToken: f.accessToken('mallory'), roomId: 'board' });
      expect(again.socket.last()).toMatchObject({ type: 'error', re: 'b', code: CashErrorCode.RoomNotFound });
      expect(f.rooms.info('board')?.participants).toBe(0);
    });

    it('still verifies the token for a public room (a bad token joins nothing)', async () => {
      const f = await reserved();
      await f.rooms.reserve({ id: 'town-hall', type: 'm2m', owner: 'alice', public: true });
      const c = f.connect();
      await c.send({ type: 'join', id: 'x', accessToken: 'not-a-jwt', roomId: 'town-hall' });
      expect(c.socket.last()).toMatchObject({ type: 'error', re: 'x', code: CashErrorCode.TokenInvalid });
      expect(f.rooms.info('town-hall')?.participants).toBe(0);
    });

    it('refuses an unknown room without creating it, and an ended one', async () => {
      const f = await reserved();
      const c = f.connect();
      await c.send({ type: 'join', id: 'j', accessToken: f.accessToken('alice'), roomId: 'nowhere' });
      expect(c.socket.last()).toMatchObject({ type: 'error', re: 'j', code: CashErrorCode.RoomNotFound });
      expect(f.rooms.has('nowhere')).toBe(false);
      await f.rooms.end('board');
      await c.send({ type: 'join', id: 'k', accessToken: f.accessToken('alice'), roomId: 'board' });
      expect(c.socket.last()).toMatchObject({ type: 'error', re: 'k', code: RoomErrorCode.ROOM_ENDED });
      expect(f.rooms.has('board')).toBe(false);
      expect(f.events.ofType('participant.joined')).toHaveLength(0);
    });

    it('answers a stranger identically for a private room that exists, an ended one and an unknown one', async () => {
      const f = await reserved();
      await f.rooms.reserve({ id: 'gone', type: 'm2m', owner: 'alice' });
      await f.rooms.end('gone');
      const refusal = async (roomId: string) => {
        const c = f.connect();
        await c.send({ type: 'join', id: 'j', accessToken: f.accessToken('mallory'), roomId });
        const last = c.socket.last() as { message?: string };
        return { ...last, message: last.message?.replace(roomId, '<room>') };
      };
      const unknown = await refusal('nowhere');
      expect(unknown).toMatchObject({ type: 'error', code: CashErrorCode.RoomNotFound });
      expect(await refusal('board')).toEqual(unknown);
      expect(await refusal('gone')).toEqual(unknown);
      expect(f.rooms.info('board')?.participants).toBe(0);
    });

    it('refuses an expired token', async () => {
      const f = await reserved();
      const token = f.accessToken('alice');
      f.clock.advance(900_000 + 30_001);
      const c = f.connect();
      await c.send({ type: 'join', accessToken: token, roomId: 'board' });
      expect(c.socket.last()).toMatchObject({ type: 'error', code: CashErrorCode.TokenExpired });
      expect(f.rooms.info('board')?.participants).toBe(0);
    });

    it('refuses a revoked token (by id and by identity)', async () => {
      const f = await reserved();
      const c = f.connect();
      const byId = f.accessToken('alice', { jti: 'at-gone' });
      f.revocations.revokeToken('at-gone', f.clock.now() + 900_000);
      await c.send({ type: 'join', id: 'a', accessToken: byId, roomId: 'board' });
      expect(c.socket.last()).toMatchObject({ type: 'error', re: 'a', code: CashErrorCode.TokenRevoked });
      const ofBob = f.accessToken('bob');
      f.clock.advance(1_000);
      f.revocations.revokeSubject('bob', f.clock.now());
      await c.send({ type: 'join', id: 'b', accessToken: ofBob, roomId: 'board' });
      expect(c.socket.last()).toMatchObject({ type: 'error', re: 'b', code: CashErrorCode.TokenRevoked });
      expect(f.rooms.info('board')?.participants).toBe(0);
    });

    it.each([
      ['a join ticket', (f: ReturnType<typeof signalingFixture>) => f.ticket('board', 'alice')],
      [
        'a service token',
        (f: ReturnType<typeof signalingFixture>) => f.accessToken('alice', { kind: 'service' }),
      ],
      [
        'a token without jti',
        (f: ReturnType<typeof signalingFixture>) => f.accessToken('alice', { jti: 42 }),
      ],
      ['garbage', () => 'not.a.jwt'],
    ])('refuses %s as an access token with TOKEN_INVALID', async (_name, token) => {
      const f = await reserved();
      const c = f.connect();
      await c.send({ type: 'join', accessToken: token(f), roomId: 'board' });
      expect(c.socket.last()).toMatchObject({ type: 'error', code: CashErrorCode.TokenInvalid });
      expect(f.rooms.info('board')?.participants).toBe(0);
    });
  });

  it('answers rule refusals with the rule code and changes nothing (acting as owner when not)', async () => {
    const f = signalingFixture();
    const alice = f.connect();
    const bob = f.connect();
    const carol = f.connect();
    await alice.send({ type: 'join', ticket: f.ticket('rules', 'alice') });
    await bob.send({ type: 'join', ticket: f.ticket('rules', 'bob') });
    await carol.send({ type: 'join', ticket: f.ticket('rules', 'carol') });
    await carol.send({ type: 'raise-hand' });
    const version = f.rooms.info('rules')?.version;
    await bob.send({ type: 'approve', id: 'a', target: 'p-3' });
    expect(bob.socket.last()).toMatchObject({ type: 'error', re: 'a', code: RoomErrorCode.NOT_OWNER });
    await bob.send({ type: 'kick', id: 'k', target: 'p-1' });
    expect(bob.socket.last()).toMatchObject({ code: RoomErrorCode.NOT_A_PUBLISHER });
    await bob.send({ type: 'end', id: 'e' });
    expect(bob.socket.last()).toMatchObject({ code: RoomErrorCode.NOT_CREATOR });
    await bob.send({ type: 'lower-hand' });
    expect(bob.socket.last()).toMatchObject({ code: RoomErrorCode.HAND_NOT_RAISED });
    await bob.send({ type: 'unpublish' });
    expect(bob.socket.last()).toMatchObject({ code: RoomErrorCode.NOT_A_PUBLISHER });
    await bob.send({ type: 'subscribe', publisherId: 'p-1', sdpOffer: sdpOffer() });
    expect(bob.socket.last()).toMatchObject({ code: CashErrorCode.StreamNotReady });
    await bob.send({ type: 'unsubscribe', publisherId: 'p-1' });
    expect(bob.socket.last()).toMatchObject({ code: CashErrorCode.NotSubscribed });
    await bob.send({
      type: 'ice',
      publisherId: 'p-2',
      candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0 },
    });
    // A candidate before the endpoint exists is held briefly (then dropped), never an error.
    expect(bob.socket.last()).toMatchObject({ type: 'ok' });
    await bob.send({ type: 'p2p-signal', signal: { kind: 'answer', sdp: sdpOffer() } });
    expect(bob.socket.last()).toMatchObject({ code: CashErrorCode.WrongRoomMedia });
    await bob.send({ type: 'chat', text: '   ' });
    expect(bob.socket.last()).toMatchObject({ code: RoomErrorCode.CHILD_TEXT_EMPTY });
    await bob.send({ type: 'publish', kinds: ['audio'], sdpOffer: sdpOffer() });
    expect(bob.socket.last()).toMatchObject({ code: RoomErrorCode.NOT_A_PUBLISHER });
    expect(f.rooms.info('rules')?.version).toBe(version);

    await alice.send({ type: 'approve', id: 'ok', target: 'p-3' });
    expect(alice.socket.last()).toEqual({ type: 'ok', re: 'ok' });
  });

  it('refuses malformed frames with a clear code and keeps the connection', async () => {
    const f = signalingFixture();
    const c = f.connect();
    await c.session.receive('{broken');
    expect(c.socket.last()).toMatchObject({ type: 'error', code: CashErrorCode.MessageMalformed });
    await c.session.receive(Buffer.from([1, 2, 3]), true);
    expect(c.socket.last()).toMatchObject({ type: 'error', code: CashErrorCode.MessageMalformed });
    await c.send({ type: 'teleport', id: 't' });
    expect(c.socket.last()).toMatchObject({ type: 'error', re: 't', code: CashErrorCode.UnknownType });
    expect(c.socket.closedWith).toBeUndefined();
    await c.send({ type: 'join', ticket: f.ticket('still-ok', 'alice') });
    expect(c.socket.last()).toMatchObject({ type: 'joined' });
  });

  it('closes a connection that does not join in time', async () => {
    const f = signalingFixture();
    const c = f.connect();
    f.clock.advance(9_999);
    expect(c.socket.closedWith).toBeUndefined();
    f.clock.advance(1);
    expect(c.socket.closedWith?.code).toBe(JOIN_TIMEOUT_CLOSE_CODE);
    expect(c.socket.last()).toMatchObject({ type: 'error', code: CashErrorCode.JoinTimeout });
  });

  it('leaves the room on leave and on disconnect', async () => {
    const f = signalingFixture();
    const alice = f.connect();
    const bob = f.connect();
    await alice.send({ type: 'join', ticket: f.ticket('bye', 'alice') });
    await bob.send({ type: 'join', ticket: f.ticket('bye', 'bob') });
    await bob.send({ type: 'leave', id: 'l' });
    expect(bob.socket.last()).toEqual({ type: 'ok', re: 'l' });
    expect(bob.socket.closedWith?.code).toBe(1000);
    await alice.session.disconnected();
    expect(f.events.ofType('participant.left').map((e) => e.data.participantId)).toEqual(['p-2', 'p-1']);
    expect(f.rooms.info('bye')?.status).toBe('empty');
  });

  it('refuses joins while overloaded (503-style with retry) and new rooms while draining', async () => {
    const f = signalingFixture({ capacityParticipants: 2 });
    const a = f.connect();
    await a.send({ type: 'join', ticket: f.ticket('busy', 'alice') });
    f.state.startDrain('test');
    const b = f.connect();
    await b.send({ type: 'join', ticket: f.ticket('other-room', 'bob') });
    expect(b.socket.last()).toMatchObject({ type: 'error', code: CashErrorCode.Draining, retryAfterS: 7 });
    await b.send({ type: 'join', ticket: f.ticket('busy', 'bob') });
    expect(b.socket.last()).toMatchObject({ type: 'joined' });
    f.state.undrain();
    // two participants of capacity two: load 1 ≥ 0.85
    const c = f.connect();
    await c.send({ type: 'join', ticket: f.ticket('busy', 'carol') });
    expect(c.socket.last()).toMatchObject({ type: 'error', code: CashErrorCode.Overloaded, retryAfterS: 7 });
    expect(f.state.state).toBe('overloaded');
    expect(f.rooms.info('busy')?.participants).toBe(2);
  });
});
