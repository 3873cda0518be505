import { roomPatch, type RoomView } from '@hoot/domain';
import { HootClient } from './hoot-client';
import type { JoinAnswer } from '@hoot/contracts';
import { FakeServers, problemBody, TestClock, type FakeAnswer } from './registry-fakes.fixture';
import type { RoomSession, RoomSessionEvents } from './room-session';
import { SdkErrorCode } from './sdk-error-codes';
import {
  FakeSignalingServers,
  participant,
  roomView,
  settle,
  type FakeSocket,
} from './signaling-fakes.fixture';

const REG = 'http://reg-c1-1';
const SIG1 = 'ws://coremx-1/signal';
const SIG2 = 'ws://coremx-2/signal';
const ADDRESS = 'hoot.mx://standup@coremx-1.c1.hoot.mx';

const alice = participant('p-1', { role: 'publisher', streams: ['audio', 'video'] });
const bob = participant('p-2');
const ROOM = roomView([alice, bob], { version: 3 });

function joinAnswer(coremx: 1 | 2, ticket = `tkt-${coremx}`): JoinAnswer {
  return {
    conferenceId: 'standup',
    address: coremx === 1 ? ADDRESS : 'hoot.mx://standup@coremx-2.c1.hoot.mx',
    coremxId: `coremx-${coremx}`,
    signalingUrl: coremx === 1 ? SIG1 : SIG2,
    ticket,
    ticketId: `tid-${coremx}`,
    expiresAt: '2026-11-23T10:01:00.000Z',
    role: 'viewer',
    webUrl: 'http://web/join/standup',
  };
}

/** Records every event of a session, in order, as [name, payload]. */
function record(session: RoomSession): [keyof RoomSessionEvents, unknown][] {
  const events: [keyof RoomSessionEvents, unknown][] = [];
  const names: (keyof RoomSessionEvents)[] = [
    'change',
    'participant-joined',
    'participant-left',
    'role-changed',
    'owner-changed',
    'hand-raised',
    'hand-lowered',
    'publish-request',
    'stream-ready',
    'stream-ended',
    'ice',
    'p2p-signal',
    'reoffer',
    'chat',
    'kicked',
    'ended',
    'reconnecting',
    'reconnected',
    'error',
    'closed',
  ];
  for (const name of names) session.on(name, (payload: unknown) => events.push([name, payload]));
  return events;
}

const names = (events: [string, unknown][]) => events.map(([n]) => n);

function setup() {
  const clock = new TestClock();
  const servers = new FakeServers(clock);
  const sockets = new FakeSignalingServers();
  /** What the registry answers to the next joins (then `joinDefault`). */
  const joins: FakeAnswer[] = [];
  const state = { joinDefault: { status: 200, body: joinAnswer(1) } as FakeAnswer };
  servers.set(REG, (call) => {
    if (call.method === 'POST' && call.path === '/v1/join') return joins.shift() ?? state.joinDefault;
    return { status: 404, body: problemBody(404, 'route.not-found', call.path) };
  });
  /** The room each CoreMX answers `join` with, and who the joiner becomes. */
  const coremx = new Map<string, { participantId: string; room: RoomView }>([
    [SIG1, { participantId: 'p-2', room: ROOM }],
    [
      SIG2,
      { participantId: 'p-9', room: roomView([participant('p-8'), participant('p-9')], { version: 1 }) },
    ],
  ]);
  for (const url of [SIG1, SIG2]) {
    sockets.handle(url, (socket, message) => {
      if (message.type === 'join') {
        const joined = coremx.get(url);
        socket.answer(message, { type: 'joined', ...joined });
      }
    });
  }
  const client = new HootClient({
    registryUrls: [REG],
    fetch: servers.fetch,
    clock,
    token: 'tok',
    WebSocket: sockets.WebSocket,
  });
  const joinCalls = () => servers.calls.filter((c) => c.path === '/v1/join');
  return { clock, servers, sockets, client, joins, state, coremx, joinCalls };
}

/** Answers the next message of `type` the client sends on `socket` (after it is sent). */
async function answerNext(socket: FakeSocket, type: string, message: object): Promise<void> {
  await settle();
  const sent = socket.sentOf(type).at(-1);
  if (!sent) throw new Error(`the client sent no ${type}`);
  socket.answer(sent, message);
}

describe('RoomSession: joining', () => {
  it('asks the registry for a ticket, opens signaling at its URL and joins with the ticket', async () => {
    const { client, sockets, servers, joinCalls } = setup();
    const session = await client.joinRoom(ADDRESS, { displayName: 'Bob' });
    expect(joinCalls()).toHaveLength(1);
    expect(JSON.parse(servers.calls[0].body ?? '')).toEqual({ address: ADDRESS });
    expect(servers.calls[0].headers.authorization).toBe('Bearer tok');
    expect(sockets.sockets.map((s) => s.url)).toEqual([SIG1]);
    expect(sockets.last().sent).toEqual([{ type: 'join', id: '1', ticket: 'tkt-1', displayName: 'Bob' }]);
    expect(session).toMatchObject({
      state: 'joined',
      participantId: 'p-2',
      room: ROOM,
      me: bob,
      isOwner: false,
      address: ADDRESS,
      coremxId: 'coremx-1',
      signalingUrl: SIG1,
    });
  });

  it('rejects with the registry error when there is no ticket, and opens nothing', async () => {
    const { client, sockets, state } = setup();
    state.joinDefault = { status: 403, body: problemBody(403, 'conference.not-entitled', 'no') };
    await expect(client.joinRoom(ADDRESS)).rejects.toMatchObject({
      name: 'HootApiError',
      code: 'conference.not-entitled',
      status: 403,
    });
    expect(sockets.sockets).toHaveLength(0);
  });

  it('rejects with the CASH refusal of the join and closes the connection', async () => {
    const { client, sockets } = setup();
    sockets.handle(SIG1, (socket, m) =>
      socket.answer(m, { type: 'error', code: 'TICKET_EXPIRED', message: 'expired' }),
    );
    await expect(client.joinRoom(ADDRESS)).rejects.toMatchObject({
      name: 'SignalingError',
      code: 'TICKET_EXPIRED',
    });
    expect(sockets.last().closedByClient).toBeDefined();
  });

  it('refuses a reconnection policy that makes no sense before asking for a ticket', async () => {
    const { client, joinCalls } = setup();
    await expect(client.joinRoom(ADDRESS, { reconnect: { factor: 0.5 } })).rejects.toMatchObject({
      code: SdkErrorCode.OptionsInvalid,
    });
    expect(joinCalls()).toHaveLength(0);
  });

  it('uses a given ticket without asking the registry', async () => {
    const { client, joinCalls, sockets } = setup();
    const session = await client.joinRoom(ADDRESS, {
      joinAnswer: { ticket: 'from-link', signalingUrl: SIG1 },
    });
    expect(joinCalls()).toHaveLength(0);
    expect(sockets.last().sent[0]).toMatchObject({ type: 'join', ticket: 'from-link' });
    expect(session.participantId).toBe('p-2');
  });

  it('applies patches that arrive together with the joined answer after the snapshot', async () => {
    const { client, sockets } = setup();
    const next = roomView([alice, { ...bob, handRaised: true }], { version: 4 });
    sockets.handle(SIG1, (socket, m) => {
      socket.answer(m, { type: 'joined', participantId: 'p-2', room: ROOM });
      socket.push({ type: 'patch', patch: roomPatch(ROOM, next) });
    });
    const session = await client.joinRoom(ADDRESS);
    expect(session.room).toEqual(next);
    expect(session.state).toBe('joined');
  });
});

describe('RoomSession: commands', () => {
  it.each([
    ['unpublish', (s: RoomSession) => s.unpublish(), { type: 'unpublish' }],
    [
      'unpublish the screen',
      (s: RoomSession) => s.unpublish('screen'),
      { type: 'unpublish', stream: 'screen' },
    ],
    [
      'unsubscribe from a screen',
      (s: RoomSession) => s.unsubscribe('p-1', 'screen'),
      { type: 'unsubscribe', publisherId: 'p-1', stream: 'screen' },
    ],
    [
      'addIceCandidate for a screen',
      (s: RoomSession) =>
        s.addIceCandidate('p-1', { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 }, 'screen'),
      {
        type: 'ice',
        publisherId: 'p-1',
        stream: 'screen',
        candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 },
      },
    ],
    ['unsubscribe', (s: RoomSession) => s.unsubscribe('p-1'), { type: 'unsubscribe', publisherId: 'p-1' }],
    [
      'addIceCandidate',
      (s: RoomSession) =>
        s.addIceCandidate('p-1', { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 }),
      {
        type: 'ice',
        publisherId: 'p-1',
        candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 },
      },
    ],
    ['raiseHand', (s: RoomSession) => s.raiseHand(), { type: 'raise-hand' }],
    ['lowerHand', (s: RoomSession) => s.lowerHand(), { type: 'lower-hand' }],
    ['approve', (s: RoomSession) => s.approve('p-3'), { type: 'approve', target: 'p-3' }],
    ['deny', (s: RoomSession) => s.deny('p-3'), { type: 'deny', target: 'p-3' }],
    ['kick', (s: RoomSession) => s.kick('p-3'), { type: 'kick', target: 'p-3' }],
    ['chat', (s: RoomSession) => s.chat('hi'), { type: 'chat', text: 'hi' }],
    [
      'p2pSignal',
      (s: RoomSession) => s.p2pSignal({ kind: 'offer', sdp: 'v=0\r\n' }),
      { type: 'p2p-signal', signal: { kind: 'offer', sdp: 'v=0\r\n' } },
    ],
  ])('%s sends its message and resolves on ok', async (_name, command, expected) => {
    const { client, sockets } = setup();
    const session = await client.joinRoom(ADDRESS);
    const socket = sockets.last();
    const done = command(session);
    await answerNext(socket, expected.type, { type: 'ok' });
    await expect(done).resolves.toBeUndefined();
    expect(socket.sent.at(-1)).toEqual({ ...expected, id: '2' });
  });

  it('publish and subscribe return the SDP answers', async () => {
    const { client, sockets } = setup();
    const session = await client.joinRoom(ADDRESS);
    const socket = sockets.last();
    const published = session.publish(['audio', 'video'], 'v=0\r\noffer');
    await answerNext(socket, 'publish', { type: 'publish-answer', sdpAnswer: 'v=0\r\nanswer' });
    await expect(published).resolves.toEqual({ sdpAnswer: 'v=0\r\nanswer' });
    expect(socket.sentOf('publish')[0]).toMatchObject({
      kinds: ['audio', 'video'],
      sdpOffer: 'v=0\r\noffer',
    });
    const p2p = session.publish(['audio']);
    await answerNext(socket, 'publish', { type: 'ok' });
    await expect(p2p).resolves.toEqual({});
    expect(socket.sentOf('publish')[1]).not.toHaveProperty('sdpOffer');
    const subscribed = session.subscribe('p-1', 'v=0\r\nsub');
    await answerNext(socket, 'subscribe', {
      type: 'subscribe-answer',
      publisherId: 'p-1',
      sdpAnswer: 'v=0\r\ns',
    });
    await expect(subscribed).resolves.toEqual({ sdpAnswer: 'v=0\r\ns' });
  });

  it('rejects a refused command with its CASH code; the session stays joined', async () => {
    const { client, sockets } = setup();
    const session = await client.joinRoom(ADDRESS);
    const approve = session.approve('p-1');
    await answerNext(sockets.last(), 'approve', {
      type: 'error',
      code: 'NOT_OWNER',
      message: 'only the owner',
    });
    await expect(approve).rejects.toMatchObject({ name: 'SignalingError', code: 'NOT_OWNER' });
    expect(session.state).toBe('joined');
  });

  it('end resolves once the room has ended for everyone', async () => {
    const { client, sockets } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    const socket = sockets.last();
    const end = session.end();
    await settle();
    socket.push({ type: 'room-ended', reason: 'ended-by-owner' });
    socket.serverClose(4000, 'room ended');
    await expect(end).resolves.toBeUndefined();
    expect(events).toEqual([
      ['ended', { reason: 'ended-by-owner' }],
      ['closed', { reason: 'ended' }],
    ]);
  });
});

describe('RoomSession: the observed room', () => {
  it('applies patches and derives participant, role, owner, hand and chat events', async () => {
    const { client, sockets } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    const socket = sockets.last();
    const carol = participant('p-3');
    const v4 = roomView([alice, { ...bob, handRaised: true }, carol], { version: 4 });
    socket.push({ type: 'patch', patch: roomPatch(ROOM, v4) });
    socket.push({ type: 'publish-request', participantId: 'p-2' });
    const v5 = roomView([{ ...bob, role: 'publisher' }, carol], {
      version: 5,
      ownerId: 'p-2',
      children: [{ childId: 'c-1', by: 'p-3', identity: 'acc-p-3', text: 'hello', at: 5 }],
    });
    socket.push({ type: 'patch', patch: roomPatch(v4, v5) });
    expect(events).toEqual([
      ['hand-raised', { ...bob, handRaised: true }],
      ['participant-joined', carol],
      ['change', v4],
      ['publish-request', { participantId: 'p-2', participant: { ...bob, handRaised: true } }],
      ['participant-left', alice],
      ['role-changed', { participant: { ...bob, role: 'publisher' }, from: 'viewer', to: 'publisher' }],
      ['hand-lowered', { ...bob, role: 'publisher' }],
      ['owner-changed', { from: 'p-1', to: 'p-2' }],
      ['chat', { childId: 'c-1', by: 'p-3', identity: 'acc-p-3', text: 'hello', at: 5 }],
      ['change', v5],
    ]);
    expect(session.room).toEqual(v5);
    expect(session.isOwner).toBe(true);
    expect(session.me?.role).toBe('publisher');
  });

  it('passes media pushes through', async () => {
    const { client, sockets } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    const socket = sockets.last();
    const candidate = { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 };
    socket.push({ type: 'stream-ready', publisherId: 'p-1' });
    socket.push({ type: 'ice', publisherId: 'p-1', candidate });
    socket.push({ type: 'stream-ended', publisherId: 'p-1' });
    socket.push({ type: 'reoffer', reason: 'media-server-restarted' });
    socket.push({ type: 'p2p-signal', from: 'p-1', signal: { kind: 'answer', sdp: 'v=0\r\n' } });
    socket.push({ type: 'stream-ready', publisherId: 'p-1', stream: 'screen' });
    socket.push({ type: 'ice', publisherId: 'p-1', stream: 'screen', candidate });
    socket.push({ type: 'stream-ended', publisherId: 'p-1', stream: 'screen' });
    expect(events).toEqual([
      ['stream-ready', { publisherId: 'p-1' }],
      ['ice', { publisherId: 'p-1', candidate }],
      ['stream-ended', { publisherId: 'p-1' }],
      ['reoffer', { reason: 'media-server-restarted' }],
      ['p2p-signal', { from: 'p-1', signal: { kind: 'answer', sdp: 'v=0\r\n' } }],
      ['stream-ready', { publisherId: 'p-1', stream: 'screen' }],
      ['ice', { publisherId: 'p-1', stream: 'screen', candidate }],
      ['stream-ended', { publisherId: 'p-1', stream: 'screen' }],
    ]);
  });

  it('ignores a patch it already has', async () => {
    const { client, sockets, joinCalls } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    const old = roomView([alice], { version: 2 });
    sockets.last().push({ type: 'patch', patch: roomPatch(old, ROOM) });
    expect(events).toEqual([]);
    expect(session.room).toEqual(ROOM);
    expect(joinCalls()).toHaveLength(1);
  });

  it('on a version gap joins again for a fresh snapshot', async () => {
    const { client, sockets, joinCalls, coremx } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    const first = sockets.last();
    const carol = participant('p-3');
    const fresh = roomView([alice, carol, participant('p-4')], { version: 9 });
    coremx.set(SIG1, { participantId: 'p-4', room: fresh });
    const v7 = roomView([alice], { version: 7 });
    first.push({ type: 'patch', patch: roomPatch(roomView([alice], { version: 6 }), v7) });
    await settle();
    await settle();
    expect(first.closedByClient).toEqual({ code: 1000, reason: 'resync' });
    expect(joinCalls()).toHaveLength(2);
    expect(sockets.sockets).toHaveLength(2);
    expect(session).toMatchObject({ state: 'joined', participantId: 'p-4', room: fresh });
    // Its own old and new participant ids are not news; carol, who joined meanwhile, is.
    expect(names(events)).toEqual(['reconnecting', 'participant-joined', 'change', 'reconnected']);
    expect(events[0][1]).toEqual({ reason: 'version-gap' });
    expect(events[1][1]).toEqual(carol);
  });
});

describe('RoomSession: reconnection', () => {
  it('joins again after an unexpected close, on the CoreMX the registry names now', async () => {
    const { client, sockets, joinCalls, state } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    state.joinDefault = { status: 200, body: joinAnswer(2) };
    sockets.last().serverClose(1006);
    await settle();
    await settle();
    expect(joinCalls()).toHaveLength(2);
    expect(JSON.parse(joinCalls()[1].body ?? '')).toEqual({ address: ADDRESS });
    expect(sockets.last().url).toBe(SIG2);
    expect(sockets.last().sent[0]).toMatchObject({ type: 'join', ticket: 'tkt-2' });
    expect(events[0]).toEqual(['reconnecting', { reason: 'connection-lost', code: 1006 }]);
    expect(events.at(-1)).toEqual([
      'reconnected',
      {
        participantId: 'p-9',
        coremxId: 'coremx-2',
        previousCoremxId: 'coremx-1',
        address: 'hoot.mx://standup@coremx-2.c1.hoot.mx',
        room: session.room,
      },
    ]);
    expect(session).toMatchObject({
      state: 'joined',
      participantId: 'p-9',
      coremxId: 'coremx-2',
      signalingUrl: SIG2,
    });
    expect(session.address).toBe('hoot.mx://standup@coremx-2.c1.hoot.mx');
    // Commands go to the new connection.
    const hand = session.raiseHand();
    await answerNext(sockets.last(), 'raise-hand', { type: 'ok' });
    await expect(hand).resolves.toBeUndefined();
  });

  it('joins again after a normal close it did not ask for', async () => {
    const { client, sockets, joinCalls } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    sockets.last().serverClose(1000, 'bye');
    await settle();
    await settle();
    expect(joinCalls()).toHaveLength(2);
    expect(names(events)).toEqual(['reconnecting', 'change', 'reconnected']);
    expect(session.state).toBe('joined');
  });

  it('refuses commands while reconnecting', async () => {
    const { client, sockets, state } = setup();
    const session = await client.joinRoom(ADDRESS);
    state.joinDefault = { status: 503, body: problemBody(503, 'conference.coremx-unavailable', 'moving') };
    sockets.last().serverClose(1001, 'server shutting down');
    expect(session.state).toBe('reconnecting');
    await expect(session.chat('x')).rejects.toMatchObject({ code: SdkErrorCode.RoomNotConnected });
  });

  it('backs off exponentially and honours Retry-After while the registry re-homes the conference', async () => {
    const { client, sockets, joinCalls, joins, clock } = setup();
    const session = await client.joinRoom(ADDRESS, {
      reconnect: { initialDelayMs: 100, maxDelayMs: 1_000, factor: 2, budgetMs: 60_000 },
    });
    const events = record(session);
    const busy: FakeAnswer = {
      status: 503,
      body: problemBody(503, 'conference.coremx-unavailable', 'its CoreMX is down'),
      headers: { 'retry-after': '5' },
    };
    joins.push(busy); // the first retry is refused, the next one gets the default answer
    const start = clock.now();
    sockets.last().serverClose(1006);
    await settle();
    expect(joinCalls()).toHaveLength(2);
    expect(joinCalls()[1].at).toBe(start);
    clock.advance(4_999);
    await settle();
    expect(joinCalls()).toHaveLength(2);
    clock.advance(1);
    await settle();
    await settle();
    expect(joinCalls()).toHaveLength(3);
    expect(joinCalls()[2].at).toBe(start + 5_000);
    expect(session.state).toBe('joined');
    expect(names(events)).toContain('reconnected');
  });

  it("retries after the registry's short Retry-After while a move is under way, however many attempts failed before", async () => {
    const { client, sockets, joinCalls, joins, clock } = setup();
    const session = await client.joinRoom(ADDRESS, {
      reconnect: { initialDelayMs: 100, maxDelayMs: 5_000, factor: 2, budgetMs: 60_000 },
    });
    const unreachable: FakeAnswer = {
      status: 503,
      body: problemBody(503, 'conference.coremx-unavailable', 'down'),
    };
    const moving: FakeAnswer = {
      status: 503,
      body: problemBody(503, 'conference.coremx-unavailable', 'moving'),
      headers: { 'retry-after': '1' },
    };
    joins.push(unreachable, unreachable, unreachable, unreachable, moving);
    const start = clock.now();
    sockets.last().serverClose(1006);
    for (let i = 0; i < 40; i++) {
      await settle();
      await settle();
      clock.advance(100);
    }
    await settle();
    // +0, +100, +300, +700, +1500 (growing), then the "moving" answer: the next try 1 s later, not 1.6 s.
    expect(
      joinCalls()
        .slice(1)
        .map((c) => c.at - start),
    ).toEqual([0, 100, 300, 700, 1_500, 2_500]);
    expect(session.state).toBe('joined');
  });

  it('grows the pause between attempts when no Retry-After is given', async () => {
    const { client, sockets, joinCalls, joins, clock } = setup();
    const session = await client.joinRoom(ADDRESS, {
      reconnect: { initialDelayMs: 100, maxDelayMs: 1_000, factor: 2, budgetMs: 60_000 },
    });
    const down: FakeAnswer = { status: 503, body: problemBody(503, 'conference.coremx-unavailable', 'down') };
    joins.push(down, down, down);
    const start = clock.now();
    sockets.last().serverClose(1006);
    for (let i = 0; i < 8; i++) {
      await settle();
      await settle();
      clock.advance(100);
    }
    await settle();
    // Attempts at +0, +100, +300 (100·2), +700 (100·4).
    expect(
      joinCalls()
        .slice(1)
        .map((c) => c.at - start),
    ).toEqual([0, 100, 300, 700]);
    expect(session.state).toBe('joined');
  });

  it('gives up after its budget: error, then closed', async () => {
    const { client, sockets, state, clock } = setup();
    const session = await client.joinRoom(ADDRESS, {
      reconnect: { initialDelayMs: 100, maxDelayMs: 100, factor: 1, budgetMs: 250 },
    });
    const events = record(session);
    state.joinDefault = 'network';
    sockets.last().serverClose(1006);
    for (let i = 0; i < 5; i++) {
      await settle();
      clock.advance(100);
    }
    expect(names(events)).toEqual(['reconnecting', 'error', 'closed']);
    expect(events[1][1]).toMatchObject({ code: SdkErrorCode.ReconnectFailed });
    expect(events[2][1]).toEqual({ reason: 'failed' });
    expect(session.state).toBe('closed');
  });

  it('stops when the conference has ended meanwhile', async () => {
    const { client, sockets, state } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    state.joinDefault = { status: 410, body: problemBody(410, 'conference.ended', 'ended') };
    sockets.last().serverClose(1006);
    await settle();
    expect(names(events)).toEqual(['reconnecting', 'ended', 'closed']);
    expect(session.closeReason).toBe('ended');
  });

  it('leave during reconnection stops it', async () => {
    const { client, sockets, state, clock, joinCalls } = setup();
    const session = await client.joinRoom(ADDRESS);
    state.joinDefault = { status: 503, body: problemBody(503, 'service.not-ready', 'x') };
    sockets.last().serverClose(1006);
    await settle();
    const calls = joinCalls().length;
    await session.leave();
    clock.advance(60_000);
    await settle();
    expect(joinCalls()).toHaveLength(calls);
    expect(session).toMatchObject({ state: 'closed', closeReason: 'left' });
  });

  it.each([
    [
      'kicked',
      (s: FakeSocket) => {
        s.push({ type: 'kicked', by: 'p-1' });
        s.serverClose(4003, 'kicked');
      },
      [
        ['kicked', { by: 'p-1' }],
        ['closed', { reason: 'kicked' }],
      ],
    ],
    [
      'kicked (close only)',
      (s: FakeSocket) => s.serverClose(4003, 'kicked'),
      [
        ['kicked', { by: undefined }],
        ['closed', { reason: 'kicked' }],
      ],
    ],
    [
      'the room ended',
      (s: FakeSocket) => {
        s.push({ type: 'room-ended', reason: 'empty' });
        s.serverClose(4000, 'room ended');
      },
      [
        ['ended', { reason: 'empty' }],
        ['closed', { reason: 'ended' }],
      ],
    ],
  ])('does not reconnect after %s', async (_name, act, expected) => {
    const { client, sockets, joinCalls, clock } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    act(sockets.last());
    await settle();
    clock.advance(60_000);
    await settle();
    expect(events).toEqual(expected);
    expect(joinCalls()).toHaveLength(1);
    expect(sockets.sockets).toHaveLength(1);
    expect(session.state).toBe('closed');
  });

  it('joins again through the registry when the platform closes the room (reason system: a drained or stopped CoreMX)', async () => {
    const { client, sockets, joinCalls } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    const first = sockets.last();
    first.push({ type: 'room-ended', reason: 'system' });
    first.serverClose(4000, 'room ended');
    await settle();
    await settle();
    expect(joinCalls()).toHaveLength(2);
    expect(sockets.sockets).toHaveLength(2);
    expect(session.state).toBe('joined');
    expect(names(events)).toEqual(expect.arrayContaining(['reconnecting', 'reconnected']));
    expect(names(events)).not.toContain('ended');
    expect(events.find(([n]) => n === 'reconnecting')?.[1]).toEqual({ reason: 'room-closed' });
  });

  it('does not reconnect after leave', async () => {
    const { client, sockets, joinCalls, clock } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    const socket = sockets.last();
    sockets.handle(SIG1, (s, m) => {
      if (m.type === 'leave') {
        s.answer(m, { type: 'ok' });
        s.serverClose(1000, 'left');
      }
    });
    await session.leave();
    await settle();
    clock.advance(60_000);
    await settle();
    expect(socket.sentOf('leave')).toHaveLength(1);
    expect(events).toEqual([['closed', { reason: 'left' }]]);
    expect(joinCalls()).toHaveLength(1);
    expect(sockets.sockets).toHaveLength(1);
    await expect(session.leave()).resolves.toBeUndefined();
  });

  it('does not reconnect when CASH closes the session for revoked credentials (4001): error, then closed', async () => {
    const { client, sockets, joinCalls, clock } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    sockets.last().push({ type: 'error', code: 'TICKET_REVOKED', message: 'revoked' });
    sockets.last().serverClose(4001, 'credentials revoked');
    await settle();
    clock.advance(60_000);
    await settle();
    // CASH's error (as sent), then the SDK's verdict, then the end.
    expect(names(events)).toEqual(['error', 'error', 'closed']);
    expect(events[0][1]).toMatchObject({ code: 'TICKET_REVOKED' });
    expect(events[1][1]).toMatchObject({ code: SdkErrorCode.CredentialsRevoked });
    expect(session.closeReason).toBe('failed');
    expect(joinCalls()).toHaveLength(1);
  });

  it('does not reconnect when a newer session of the account took its place (4009): closed as replaced', async () => {
    const { client, sockets, joinCalls, clock } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    sockets
      .last()
      .push({ type: 'error', code: 'SESSION_REPLACED', message: 'a new session took your place' });
    sockets.last().serverClose(4009, 'replaced by a new session');
    await settle();
    clock.advance(60_000);
    await settle();
    expect(names(events)).toEqual(['error', 'closed']);
    expect(session.closeReason).toBe('replaced');
    expect(joinCalls()).toHaveLength(1);
  });

  it('stops as kicked when a reconnection finds the identity barred (BANNED)', async () => {
    const { client, sockets, joinCalls } = setup();
    const session = await client.joinRoom(ADDRESS);
    const events = record(session);
    sockets.handle(SIG1, (socket, m) =>
      socket.answer(m, { type: 'error', code: 'BANNED', message: 'You were kicked from this room' }),
    );
    sockets.last().serverClose(1006);
    await settle();
    await settle();
    expect(joinCalls()).toHaveLength(2);
    expect(names(events)).toEqual(['reconnecting', 'kicked', 'closed']);
    expect(session.closeReason).toBe('kicked');
  });

  it('with reconnection off, a lost connection is an error and the end', async () => {
    const { client, sockets, joinCalls } = setup();
    const session = await client.joinRoom(ADDRESS, { reconnect: false });
    const events = record(session);
    sockets.last().serverClose(1006);
    await settle();
    expect(names(events)).toEqual(['error', 'closed']);
    expect(joinCalls()).toHaveLength(1);
  });
});
