import { problemBody, type FakeAnswer } from './registry-fakes.fixture';
import { SdkErrorCode } from './sdk-error-codes';
import { settle, type FakeSocket } from './signaling-fakes.fixture';
import { SIG1, SIG2, ADDRESS, joinAnswer, record, names, setup, answerNext } from './room-session.fixture';

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
