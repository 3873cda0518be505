import { RevocationSet } from '@hoot/auth-kit';
import { RoomErrorCode } from '@hoot/domain';
import { FakeClock } from '@hoot/testing';
import { CashErrorCode } from '../cash-error';
import { signalingFixture } from '../testing/signaling-fixture';
import { UsedTickets } from '../tickets/used-tickets';
import { RevocationWatch, type WatchedSession } from './revocation-watch';
import { UnjoinedSockets } from './signaling-limits';
import { RATE_LIMITED_CLOSE_CODE, REVOKED_CLOSE_CODE } from './signaling.session';

type Fixture = ReturnType<typeof signalingFixture>;

/** alice (creator, owner) and bob (promoted to publisher) in `standup`. */
async function withPromotedSpeaker(f: Fixture) {
  const alice = f.connect();
  await alice.send({ type: 'join', ticket: f.ticket('standup', 'alice') });
  const bob = f.connect();
  await bob.send({ type: 'join', ticket: f.ticket('standup', 'bob') });
  await bob.send({ type: 'raise-hand' });
  await alice.send({ type: 'approve', target: 'p-2' });
  expect(f.rooms.view('standup')?.participants['p-2']?.role).toBe('publisher');
  return { alice, bob };
}

describe('a promoted speaker cannot take the room (issue 16 item 2)', () => {
  it('cannot kick the owner, nor end the room; the creator who comes back cannot be kicked either', async () => {
    const f = signalingFixture();
    const { alice, bob } = await withPromotedSpeaker(f);
    await bob.send({ type: 'kick', id: 'k', target: 'p-1' });
    expect(bob.socket.last()).toMatchObject({
      type: 'error',
      re: 'k',
      code: RoomErrorCode.CANNOT_KICK_OWNER,
    });
    await bob.send({ type: 'end', id: 'e' });
    expect(bob.socket.last()).toMatchObject({ type: 'error', re: 'e', code: RoomErrorCode.NOT_CREATOR });
    expect(alice.socket.closedWith).toBeUndefined();
    expect(f.rooms.view('standup')?.ownerId).toBe('p-1');

    // alice leaves: bob is the oldest publisher (owner) now; alice comes back after the reconnect grace
    // (so she does not take her ownership back) and is still untouchable.
    await alice.send({ type: 'leave' });
    expect(f.rooms.view('standup')?.ownerId).toBe('p-2');
    f.clock.advance(31_000);
    const back = f.connect();
    await back.send({ type: 'join', ticket: f.ticket('standup', 'alice') });
    await bob.send({ type: 'kick', id: 'k2', target: 'p-3' });
    expect(bob.socket.last()).toMatchObject({ code: RoomErrorCode.CANNOT_KICK_CREATOR });
    await bob.send({ type: 'end', id: 'e2' });
    expect(bob.socket.last()).toMatchObject({ code: RoomErrorCode.NOT_CREATOR });
    expect(back.socket.closedWith).toBeUndefined();
    expect(f.events.ofType('participant.kicked')).toHaveLength(0);
    expect(f.events.ofType('room.ended')).toHaveLength(0);
    // The creator may end it.
    await back.send({ type: 'end', id: 'e3' });
    expect(f.events.ofType('room.ended')).toHaveLength(1);
  });
});

describe('join tickets are single use; a kick bars the identity (issue 16 item 10)', () => {
  it('refuses a second use of a ticket, also after the first connection left', async () => {
    const f = signalingFixture();
    const ticket = f.ticket('standup', 'alice');
    const first = f.connect();
    await first.send({ type: 'join', ticket });
    expect(first.socket.last()).toMatchObject({ type: 'joined' });
    await first.send({ type: 'leave' });
    const replay = f.connect();
    await replay.send({ type: 'join', id: 'again', ticket });
    expect(replay.socket.last()).toMatchObject({
      type: 'error',
      re: 'again',
      code: CashErrorCode.TicketUsed,
    });
    expect(f.events.ofType('participant.joined')).toHaveLength(1);
  });

  it('gives a ticket back when its join was refused, so the client may retry it', async () => {
    const f = signalingFixture();
    const ticket = f.ticket('other-room', 'bob');
    f.state.startDrain('test');
    const c = f.connect();
    await c.send({ type: 'join', ticket });
    expect(c.socket.last()).toMatchObject({ type: 'error', code: CashErrorCode.Draining });
    f.state.undrain();
    await c.send({ type: 'join', ticket });
    expect(c.socket.last()).toMatchObject({ type: 'joined' });
  });

  it('bars a kicked identity with any fresh ticket until the owner sends unban', async () => {
    const f = signalingFixture();
    const alice = f.connect();
    await alice.send({ type: 'join', ticket: f.ticket('standup', 'alice') });
    const bob = f.connect();
    await bob.send({ type: 'join', ticket: f.ticket('standup', 'bob') });
    await alice.send({ type: 'kick', target: 'p-2' });
    expect(bob.socket.closedWith?.code).toBe(4003);

    const again = f.connect();
    await again.send({ type: 'join', id: 'j', ticket: f.ticket('standup', 'bob') });
    expect(again.socket.last()).toMatchObject({ type: 'error', re: 'j', code: RoomErrorCode.BANNED });
    await alice.send({ type: 'unban', id: 'u', identity: 'bob' });
    expect(alice.socket.last()).toEqual({ type: 'ok', re: 'u' });
    await again.send({ type: 'join', id: 'j2', ticket: f.ticket('standup', 'bob') });
    expect(again.socket.last()).toMatchObject({ type: 'joined', re: 'j2' });
  });

  it('keeps used tickets until they expire (plus the clock skew), then forgets them', () => {
    const used = new UsedTickets(30_000);
    expect(used.claim('t1', 120_000, 0)).toBe(true);
    expect(used.claim('t1', 120_000, 150_000)).toBe(false);
    expect(used.claim('t2', 300_000, 150_001)).toBe(true);
    expect(used.size).toBe(1);
  });
});

describe('display names come from the account (issue 16 item 11)', () => {
  it("ignores the join message's displayName and uses the ticket's name", async () => {
    const f = signalingFixture();
    const c = f.connect();
    await c.send({
      type: 'join',
      ticket: f.ticket('standup', 'alice', { name: 'Alice Account' }),
      displayName: 'The Administrator',
    });
    expect(f.events.ofType('participant.joined')[0].data).toMatchObject({ displayName: 'Alice Account' });
    expect(f.rooms.view('standup')?.participants['p-1']?.displayName).toBe('Alice Account');
  });
});

describe('signaling rate limits (issue 16 item 9)', () => {
  it('refuses messages over the connection limit (nothing happens), lets them through after a refill, and leaves others alone', async () => {
    const f = signalingFixture({ limits: { connectionMessages: { ratePerS: 1, burst: 3 } } });
    const alice = f.connect();
    await alice.send({ type: 'join', ticket: f.ticket('standup', 'alice') });
    const bob = f.connect();
    await bob.send({ type: 'join', ticket: f.ticket('standup', 'bob') });
    await bob.send({ type: 'raise-hand' });
    await bob.send({ type: 'lower-hand' });
    await bob.send({ type: 'raise-hand', id: 'over' });
    expect(bob.socket.last()).toMatchObject({
      type: 'error',
      code: CashErrorCode.RateLimited,
      retryAfterS: 1,
    });
    expect(f.rooms.view('standup')?.participants['p-2']?.handRaised).toBe(false);
    // alice has her own bucket.
    await alice.send({ type: 'chat', id: 'c', text: 'hi' });
    expect(alice.socket.last()).toEqual({ type: 'ok', re: 'c' });
    f.clock.advance(1_000);
    await bob.send({ type: 'raise-hand', id: 'later' });
    expect(bob.socket.last()).toEqual({ type: 'ok', re: 'later' });
  });

  it('closes a flood: 5,000 chat messages get 5 through, 20 refusals are tolerated, the 21st closes the connection (4029) and it leaves', async () => {
    const f = signalingFixture();
    const alice = f.connect();
    await alice.send({ type: 'join', ticket: f.ticket('standup', 'alice') });
    const bob = f.connect();
    await bob.send({ type: 'join', ticket: f.ticket('standup', 'bob') });
    const patchesBefore = alice.socket.ofType('patch').length;
    for (let i = 0; i < 5_000; i++) await bob.send({ type: 'chat', text: `spam ${i}` });
    expect(f.rooms.view('standup')?.children).toHaveLength(5);
    expect(bob.socket.ofType('error')).toHaveLength(21);
    expect(bob.socket.ofType('error').at(-1)?.message).toMatch(/closed/);
    expect(bob.socket.closedWith?.code).toBe(RATE_LIMITED_CLOSE_CODE);
    await bob.session.disconnected();
    // alice saw the 5 messages and bob leaving, nothing more; her connection works.
    expect(alice.socket.ofType('patch').length - patchesBefore).toBe(6);
    expect(f.events.ofType('participant.left').map((e) => e.data.participantId)).toEqual(['p-2']);
    await alice.send({ type: 'chat', id: 'c', text: 'still here' });
    expect(alice.socket.last()).toEqual({ type: 'ok', re: 'c' });
  });

  it('limits chat separately, and an identity over all its connections', async () => {
    const f = signalingFixture({
      limits: {
        connectionChat: { ratePerS: 1, burst: 2 },
        identityMessages: { ratePerS: 1, burst: 4 },
      },
    });
    const one = f.connect();
    await one.send({ type: 'join', ticket: f.ticket('room-a', 'alice') });
    await one.send({ type: 'chat', text: 'a' });
    await one.send({ type: 'chat', text: 'b' });
    await one.send({ type: 'chat', id: 'c3', text: 'c' });
    expect(one.socket.last()).toMatchObject({ re: 'c3', code: CashErrorCode.RateLimited });
    expect(one.socket.last()).toMatchObject({
      message: expect.stringMatching(/chat messages on this connection/),
    });
    expect(f.rooms.view('room-a')?.children).toHaveLength(2);

    // The identity has used 3 of its 4 (the join is counted before the identity is known).
    const two = f.connect();
    await two.send({ type: 'join', ticket: f.ticket('room-b', 'alice') });
    await two.send({ type: 'chat', id: 'h1', text: 'd' });
    expect(two.socket.last()).toEqual({ type: 'ok', re: 'h1' });
    await two.send({ type: 'chat', id: 'h2', text: 'e' });
    expect(two.socket.last()).toMatchObject({
      code: CashErrorCode.RateLimited,
      message: expect.stringMatching(/your identity/),
    });
  });

  it('closes a burst of 5,000 frames at once before any is handled beyond the burst', async () => {
    const f = signalingFixture();
    const alice = f.connect();
    await alice.send({ type: 'join', ticket: f.ticket('standup', 'alice') });
    const bob = f.connect();
    await bob.send({ type: 'join', ticket: f.ticket('standup', 'bob') });
    await Promise.all(Array.from({ length: 5_000 }, (_, i) => bob.send({ type: 'chat', text: `spam ${i}` })));
    expect(bob.socket.closedWith?.code).toBe(RATE_LIMITED_CLOSE_CODE);
    expect(f.rooms.view('standup')?.children.length).toBeLessThanOrEqual(5);
    await alice.send({ type: 'chat', id: 'c', text: 'still here' });
    expect(alice.socket.last()).toEqual({ type: 'ok', re: 'c' });
  });

  it('sends a clear error before closing a connection that did not join in time', async () => {
    const f = signalingFixture();
    const c = f.connect();
    f.clock.advance(10_000);
    expect(c.socket.last()).toMatchObject({ type: 'error', code: CashErrorCode.JoinTimeout });
    expect(c.socket.closedWith?.code).toBe(4008);
  });

  it('caps connections per address that have not joined', () => {
    const unjoined = new UnjoinedSockets(2);
    expect(unjoined.tryAdd('10.0.0.1')).toBe(true);
    expect(unjoined.tryAdd('10.0.0.1')).toBe(true);
    expect(unjoined.tryAdd('10.0.0.1')).toBe(false);
    expect(unjoined.tryAdd('10.0.0.2')).toBe(true);
    unjoined.remove('10.0.0.1');
    expect(unjoined.tryAdd('10.0.0.1')).toBe(true);
  });
});

describe('revoked credentials close live sessions (issue 16 item 1)', () => {
  it('closes the sessions of a revoked subject and of a revoked ticket within one check interval', async () => {
    const f = signalingFixture();
    const alice = f.connect();
    await alice.send({ type: 'join', ticket: f.ticket('standup', 'alice') });
    const bob = f.connect();
    await bob.send({ type: 'join', ticket: f.ticket('standup', 'bob', { jti: 'ticket-of-bob' }) });
    const carol = f.connect();
    await carol.send({ type: 'join', ticket: f.ticket('standup', 'carol') });
    const sessions = [alice.session, bob.session, carol.session];
    const watch = new RevocationWatch({
      clock: f.clock,
      intervalMs: 250,
      revocations: f.revocations,
      sessions: () => sessions,
    });
    watch.start();
    f.clock.advance(250);
    expect([alice, bob, carol].map((c) => c.socket.closedWith)).toEqual([undefined, undefined, undefined]);

    f.revocations.revokeSubject('alice', f.clock.now() + 1);
    f.revocations.revokeToken('ticket-of-bob', f.clock.now() + 120_000);
    f.clock.advance(250);
    watch.stop();
    for (const c of [alice, bob]) {
      expect(c.socket.closedWith?.code).toBe(REVOKED_CLOSE_CODE);
      expect(c.socket.last()).toMatchObject({ type: 'error', code: CashErrorCode.TicketRevoked });
    }
    expect(carol.socket.closedWith).toBeUndefined();
    await Promise.all([alice.session.disconnected(), bob.session.disconnected()]);
    expect(
      f.events
        .ofType('participant.left')
        .map((e) => e.data.participantId)
        .sort(),
    ).toEqual(['p-1', 'p-2']);
  });

  it('closes a session that joined with an access token when that token is revoked (TOKEN_REVOKED)', async () => {
    const f = signalingFixture();
    await f.rooms.reserve({ id: 'board', type: 'm2m', owner: 'alice', public: true });
    const c = f.connect();
    const token = f.accessToken('mallory', { jti: 'at-of-mallory' });
    await c.send({ type: 'join', accessToken: token, roomId: 'board' });
    expect(c.socket.last()).toMatchObject({ type: 'joined' });
    const watch = new RevocationWatch({
      clock: f.clock,
      intervalMs: 100,
      revocations: f.revocations,
      sessions: () => [c.session],
    });
    expect(watch.check()).toBe(0);
    f.revocations.revokeToken('at-of-mallory', f.clock.now() + 900_000);
    expect(watch.check()).toBe(1);
    expect(c.socket.last()).toMatchObject({ type: 'error', code: CashErrorCode.TokenRevoked });
    expect(c.socket.closedWith?.code).toBe(REVOKED_CLOSE_CODE);
    expect(watch.check()).toBe(0);
  });

  it('checks only joined sessions, with the ticket id, subject and issue time', () => {
    const revocations = new RevocationSet();
    revocations.revokeSubject('mallory', 2_000);
    const revoked: string[] = [];
    const session = (name: string, iat: number | undefined): WatchedSession => ({
      credential: iat === undefined ? undefined : { jti: `t-${name}`, sub: name, iat, kind: 'ticket' },
      revoked: () => revoked.push(name),
    });
    const watch = new RevocationWatch({
      clock: new FakeClock(0),
      intervalMs: 100,
      revocations,
      sessions: () => [session('mallory', 1), session('mallory', 3), session('x', undefined)],
    });
    expect(watch.check()).toBe(1);
    expect(revoked).toEqual(['mallory']);
  });
});
