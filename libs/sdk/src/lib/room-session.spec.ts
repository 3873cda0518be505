import { roomPatch } from '@hoot/domain';
import { problemBody } from './registry-fakes.fixture';
import type { RoomSession } from './room-session';
import { SdkErrorCode } from './sdk-error-codes';
import { participant, roomView, settle } from './signaling-fakes.fixture';
import { SIG1, ADDRESS, alice, bob, ROOM, record, names, setup, answerNext } from './room-session.fixture';

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
