import { RoomErrorCode, type MediaKind } from '@hoot/domain';
import { MediaError, MediaErrorCode, type MediaIceCandidate } from '@hoot/media';
import { CashErrorCode } from '../cash-error';
import { ICE_CANDIDATE_DEFAULTS } from '../rooms/ice-candidate-queue';
import { CLOSE_CODES } from '../rooms/room-manager';
import { sdpOffer } from '../testing/room-fixture';
import { signalingFixture } from '../testing/signaling-fixture';

/** Issue 17 "Session robustness", items 1, 2, 3, 5 and 6 (server side), on the fakes. */

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function recordingLogger() {
  const warnings: { context: Record<string, unknown>; message: string }[] = [];
  return {
    warnings,
    logger: {
      warn: (context: object, message: string) =>
        void warnings.push({ context: context as Record<string, unknown>, message }),
    },
  };
}

const mdnsCandidate: MediaIceCandidate = {
  candidate:
    'candidate:1 1 udp 2122260223 6f1c2a3e-1b2c-4d5e-8f90-123456789abc.local 54321 typ host generation 0',
  sdpMid: '0',
  sdpMLineIndex: 0,
};
const hostCandidate: MediaIceCandidate = {
  candidate: 'candidate:2 1 udp 2122194687 192.168.1.20 54322 typ host generation 0',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

async function publisherRoom(f: ReturnType<typeof signalingFixture>, kinds: MediaKind[] = ['audio']) {
  const alice = f.connect();
  await alice.send({ type: 'join', ticket: f.ticket('robust', 'alice') });
  await alice.send({ type: 'publish', kinds, sdpOffer: sdpOffer(kinds) });
  expect(alice.socket.ofType('publish-answer')).toHaveLength(1);
  return alice;
}

describe('item 1: trickled ICE candidates never block signaling nor end a session', () => {
  it('answers a candidate at once; a hanging one times out, is logged with room and participant, and skipped', async () => {
    const { warnings, logger } = recordingLogger();
    const f = signalingFixture({ rooms: { logger } });
    const alice = await publisherRoom(f);
    const real = f.media.addIceCandidate.bind(f.media);
    const applied: MediaIceCandidate[] = [];
    jest.spyOn(f.media, 'addIceCandidate').mockImplementation(async (endpoint, candidate) => {
      if (candidate.candidate.includes('.local')) return new Promise<void>(() => undefined);
      applied.push(candidate);
      return real(endpoint, candidate);
    });

    await alice.send({ type: 'ice', id: 'i1', publisherId: 'p-1', candidate: mdnsCandidate });
    expect(alice.socket.last()).toEqual({ type: 'ok', re: 'i1' });
    await alice.send({ type: 'ice', id: 'i2', publisherId: 'p-1', candidate: hostCandidate });
    expect(alice.socket.last()).toEqual({ type: 'ok', re: 'i2' });
    // The room's queue is not held up by the candidate the media server sits on.
    await alice.send({ type: 'chat', id: 'c', text: 'still here' });
    expect(alice.socket.last()).toEqual({ type: 'ok', re: 'c' });
    expect(applied).toEqual([]);

    f.clock.advance(ICE_CANDIDATE_DEFAULTS.timeoutMs);
    await flush();
    expect(applied).toEqual([hostCandidate]);
    expect(warnings).toContainEqual({
      message: expect.stringContaining('ICE candidate skipped'),
      context: expect.objectContaining({
        roomId: 'robust',
        participantId: 'p-1',
        publisherId: 'p-1',
        candidate: expect.objectContaining({ type: 'host', mdns: true }),
      }),
    });
    expect(alice.socket.ofType('error')).toEqual([]);
    expect(alice.socket.closedWith).toBeUndefined();
    expect(f.rooms.view('robust')?.participants['p-1']?.streams).toEqual(['audio']);
  });

  it('logs and skips a candidate the media server refuses: no error reaches the client', async () => {
    const { warnings, logger } = recordingLogger();
    const f = signalingFixture({ rooms: { logger } });
    const alice = await publisherRoom(f);
    f.media.failNext(
      'addIceCandidate',
      new MediaError(MediaErrorCode.Timeout, 'addIceCandidate: no answer within 10000 ms'),
    );
    await alice.send({ type: 'ice', id: 'i1', publisherId: 'p-1', candidate: mdnsCandidate });
    await flush();
    expect(alice.socket.last()).toEqual({ type: 'ok', re: 'i1' });
    expect(alice.socket.ofType('error')).toEqual([]);
    expect(warnings).toContainEqual({
      message: expect.stringContaining('ICE candidate skipped'),
      context: expect.objectContaining({
        roomId: 'robust',
        participantId: 'p-1',
        err: expect.any(MediaError),
      }),
    });
  });

  it('holds candidates for an endpoint that does not exist yet, applies them once it does, drops them after a while', async () => {
    const { warnings, logger } = recordingLogger();
    const f = signalingFixture({ rooms: { logger, ice: { holdMs: 2_000, maxPerEndpoint: 3 } } });
    await publisherRoom(f);
    const bob = f.connect();
    await bob.send({ type: 'join', ticket: f.ticket('robust', 'bob') });
    const iceCalls = () => f.media.calls.filter((c) => c.operation === 'addIceCandidate').length;

    // Before its subscription exists (the answer is still on its way): held, not an error.
    await bob.send({ type: 'ice', id: 'early', publisherId: 'p-1', candidate: hostCandidate });
    expect(bob.socket.last()).toEqual({ type: 'ok', re: 'early' });
    expect(iceCalls()).toBe(0);
    await bob.send({ type: 'subscribe', publisherId: 'p-1', sdpOffer: sdpOffer(['audio']) });
    await flush();
    expect(iceCalls()).toBe(1);

    // For an endpoint that never comes: capped, then dropped after the hold time, logged.
    await f.rooms.join(
      { roomId: 'robust', identity: 'carol', ticketId: 't-carol' },
      { send: () => undefined, close: () => undefined },
    );
    for (let i = 0; i < 4; i++)
      await bob.send({ type: 'ice', id: `h${i}`, publisherId: 'p-3', candidate: hostCandidate });
    expect(bob.socket.ofType('error')).toEqual([]);
    expect(warnings).toContainEqual({
      message: expect.stringContaining('ICE candidate skipped'),
      context: expect.objectContaining({
        roomId: 'robust',
        participantId: 'p-2',
        publisherId: 'p-3',
        reason: expect.stringContaining('more than 3'),
      }),
    });
    f.clock.advance(2_000);
    expect(warnings).toContainEqual({
      message: expect.stringContaining('did not exist in time'),
      context: expect.objectContaining({
        roomId: 'robust',
        participantId: 'p-2',
        publisherId: 'p-3',
        dropped: 3,
      }),
    });
    expect(iceCalls()).toBe(1);
  });
});

describe('item 2: a rejoin by the same identity replaces its old session', () => {
  it('closes the old socket (SESSION_REPLACED, 4009) and leaves one participant in its place', async () => {
    const f = signalingFixture();
    const alice = await publisherRoom(f);
    const bob = f.connect();
    await bob.send({ type: 'join', ticket: f.ticket('robust', 'bob') });
    const again = f.connect();
    await again.send({ type: 'join', ticket: f.ticket('robust', 'alice') });

    expect(alice.socket.last()).toMatchObject({ type: 'error', code: CashErrorCode.SessionReplaced });
    expect(alice.socket.closedWith).toEqual({
      code: CLOSE_CODES.replaced,
      reason: 'replaced by a new session',
    });
    const view = f.rooms.view('robust');
    expect(Object.values(view?.participants ?? {}).map((p) => [p.participantId, p.identity, p.role])).toEqual(
      [
        ['p-3', 'alice', 'publisher'],
        ['p-2', 'bob', 'viewer'],
      ],
    );
    expect(view?.ownerId).toBe('p-3');
    // Its stream went with the old session: the new one publishes again.
    expect(f.events.ofType('stream.unpublished').map((e) => e.data.participantId)).toEqual(['p-1']);
    expect(f.events.ofType('participant.left').map((e) => e.data.participantId)).toEqual(['p-1']);
    await again.send({ type: 'publish', id: 'p', kinds: ['audio'], sdpOffer: sdpOffer(['audio']) });
    expect(again.socket.ofType('publish-answer')).toHaveLength(1);
    // The closed old session's disconnect changes nothing more.
    await alice.session.disconnected();
    expect(f.rooms.info('robust')?.participants).toBe(2);
  });

  it('lets a reloaded page join again with the same access token (no TICKET_IN_USE)', async () => {
    const f = signalingFixture();
    await f.rooms.reserve({ id: 'tokened', type: 'm2m', owner: 'alice' });
    const token = f.accessToken('alice');
    const first = f.connect();
    await first.send({ type: 'join', accessToken: token, roomId: 'tokened' });
    const reloaded = f.connect();
    await reloaded.send({ type: 'join', id: 'j', accessToken: token, roomId: 'tokened' });
    expect(reloaded.socket.last()).toMatchObject({ type: 'joined', re: 'j' });
    expect(first.socket.closedWith?.code).toBe(CLOSE_CODES.replaced);
    expect(f.rooms.info('tokened')).toMatchObject({ participants: 1, publishers: 1 });
  });
});

describe('item 3: reconnect grace', () => {
  async function meeting(f: ReturnType<typeof signalingFixture>) {
    const alice = f.connect();
    await alice.send({ type: 'join', ticket: f.ticket('grace', 'alice') });
    const bob = f.connect();
    await bob.send({ type: 'join', ticket: f.ticket('grace', 'bob') });
    await bob.send({ type: 'raise-hand' });
    await alice.send({ type: 'approve', target: 'p-2' });
    return { alice, bob };
  }

  it('gives a dropped owner its ownership and publishing back when it returns within the grace', async () => {
    const f = signalingFixture();
    const { alice, bob } = await meeting(f);
    await alice.session.disconnected();
    expect(f.rooms.view('grace')?.ownerId).toBe('p-2');
    f.clock.advance(20_000);
    const back = f.connect();
    await back.send({ type: 'join', ticket: f.ticket('grace', 'alice') });
    const view = f.rooms.view('grace');
    expect(view?.ownerId).toBe('p-3');
    expect(view?.participants['p-3']).toMatchObject({ role: 'publisher', joinOrder: 1, streams: [] });
    // An approved speaker who drops keeps publishing too; the owner can approve hands again.
    await bob.session.disconnected();
    const bobBack = f.connect();
    // With the ticket a registry gives everyone but the owner (role viewer).
    await bobBack.send({ type: 'join', ticket: f.ticket('grace', 'bob', { role: 'viewer' }) });
    expect(f.rooms.view('grace')?.participants['p-4']?.role).toBe('publisher');
    await bobBack.send({ type: 'publish', kinds: ['audio'], sdpOffer: sdpOffer(['audio']) });
    expect(bobBack.socket.ofType('publish-answer')).toHaveLength(1);
  });

  it('does not give the place back after the (configurable) grace', async () => {
    const f = signalingFixture({ rooms: { reconnectGraceMs: 5_000 } });
    const { bob } = await meeting(f);
    await bob.session.disconnected();
    f.clock.advance(5_001);
    const late = f.connect();
    await late.send({ type: 'join', ticket: f.ticket('grace', 'bob') });
    expect(f.rooms.view('grace')?.participants['p-3']?.role).toBe('viewer');
  });
});

describe('item 3: a conference moved from another CoreMX', () => {
  it('gives the participants it had there their roles back when they return within the grace', async () => {
    const f = signalingFixture();
    await f.rooms.reserve({
      id: 'moved',
      type: 'm2m',
      owner: 'alice',
      movedFrom: {
        coremxId: 'coremx-dead',
        reason: 'coremx-down',
        participants: [
          { identity: 'alice', role: 'publisher' },
          { identity: 'bob', role: 'publisher' },
          { identity: 'carol', role: 'viewer' },
        ],
      },
    });
    f.clock.advance(5_000);
    const ids: Record<string, string> = {};
    for (const who of ['bob', 'carol', 'dave', 'alice']) {
      const c = f.connect();
      await c.send({ type: 'join', ticket: f.ticket('moved', who) });
      ids[who] = (c.socket.ofType('joined')[0] as { participantId: string }).participantId;
    }
    const view = f.rooms.view('moved');
    const role = (who: string) => view?.participants[ids[who]]?.role;
    expect([role('alice'), role('bob'), role('carol'), role('dave')]).toEqual([
      'publisher',
      'publisher',
      'viewer',
      'viewer',
    ]);
    // Seniority moved too: alice, back last, is the owner again.
    expect(view?.ownerId).toBe(ids['alice']);
  });

  it('applies the usual rules to those who come back after the grace', async () => {
    const f = signalingFixture({ rooms: { reconnectGraceMs: 10_000 } });
    await f.rooms.reserve({
      id: 'moved-late',
      type: 'm2m',
      owner: 'alice',
      movedFrom: {
        coremxId: 'coremx-dead',
        reason: 'drain',
        participants: [{ identity: 'bob', role: 'publisher' }],
      },
    });
    f.clock.advance(10_001);
    const bob = f.connect();
    await bob.send({ type: 'join', ticket: f.ticket('moved-late', 'bob') });
    expect(f.rooms.view('moved-late')?.participants['p-1']?.role).toBe('viewer');
  });
});

describe('item 5: chat authors keep their names', () => {
  it('keeps the display name of a kicked author in the history', async () => {
    const f = signalingFixture();
    const alice = f.connect();
    await alice.send({ type: 'join', ticket: f.ticket('names', 'acc_alice', { name: 'Alice' }) });
    const bob = f.connect();
    await bob.send({ type: 'join', ticket: f.ticket('names', 'acc_bob', { name: 'Bob Builder' }) });
    await bob.send({ type: 'chat', text: 'hello' });
    await alice.send({ type: 'kick', target: 'p-2' });
    expect(f.rooms.view('names')?.children).toEqual([
      expect.objectContaining({ identity: 'acc_bob', displayName: 'Bob Builder', text: 'hello' }),
    ]);
  });
});

describe('item 6: in a p2p call the callee may only leave', () => {
  it('refuses the callee ending the call (NOT_CREATOR); the callee leaves, the caller ends', async () => {
    const f = signalingFixture();
    const caller = f.connect();
    await caller.send({ type: 'join', ticket: f.ticket('call-1', 'alice', { rtype: 'p2p' }) });
    const callee = f.connect();
    await callee.send({ type: 'join', ticket: f.ticket('call-1', 'bob', { rtype: 'p2p' }) });
    await callee.send({ type: 'end', id: 'e' });
    expect(callee.socket.last()).toMatchObject({ type: 'error', re: 'e', code: RoomErrorCode.NOT_CREATOR });
    expect(f.rooms.info('call-1')?.status).toBe('active');
    await callee.send({ type: 'leave' });
    expect(f.rooms.info('call-1')).toMatchObject({ status: 'active', participants: 1 });
    await caller.send({ type: 'end', id: 'e2' });
    expect(f.rooms.hasEnded('call-1')).toBe(true);
  });
});
