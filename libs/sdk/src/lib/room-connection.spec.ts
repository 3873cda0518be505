import { SignalingCloseCode, type ServerPush } from '@hoot/contracts';
import { TestClock } from './registry-fakes.fixture';
import { joinOverSignaling, type ConnectionSink } from './room-connection';
import type { SignalingClient, SignalingClose } from './signaling-client';
import { FakeSignalingServers, participant, roomView, settle } from './signaling-fakes.fixture';

const SIG = 'ws://coremx-1/signal';
const ROOM = roomView([participant('p-1'), participant('p-2')], { version: 3 });

function sink(current: () => SignalingClient | undefined) {
  const heard: Array<['push', ServerPush] | ['close', SignalingClose] | ['error', unknown]> = [];
  const s: ConnectionSink = {
    isCurrent: (sig) => current() === sig,
    onPush: (push) => heard.push(['push', push]),
    onClose: (info) => heard.push(['close', info]),
    onError: (error) => heard.push(['error', error]),
  };
  return { sink: s, heard };
}

describe('joinOverSignaling', () => {
  it('joins with the ticket and display name, holding pushes and a close until released', async () => {
    const sockets = new FakeSignalingServers().handle(SIG, (socket, message) => {
      if (message.type !== 'join') return;
      socket.answer(message, { type: 'joined', participantId: 'p-2', room: ROOM });
      socket.push({ type: 'reoffer', reason: 'media-server-restarted' });
      socket.serverClose(1006);
    });
    const live: { sig?: SignalingClient } = {};
    const { sink: s, heard } = sink(() => live.sig);
    const connection = await joinOverSignaling(
      { ticket: 'tkt-1', signalingUrl: SIG },
      sockets.WebSocket,
      { clock: new TestClock(), displayName: 'Bob' },
      s,
    );
    expect(sockets.last().sentOf('join')).toEqual([
      expect.objectContaining({ type: 'join', ticket: 'tkt-1', displayName: 'Bob' }),
    ]);
    expect(connection.joined).toEqual(expect.objectContaining({ participantId: 'p-2', room: ROOM }));
    await settle();
    expect(heard).toEqual([]);
    live.sig = connection.sig;
    connection.release();
    expect(heard).toEqual([
      ['push', { type: 'reoffer', reason: 'media-server-restarted' }],
      ['close', expect.objectContaining({ code: 1006 })],
    ]);
  });

  it('keeps held traffic from a connection that is no longer current', async () => {
    const sockets = new FakeSignalingServers().handle(SIG, (socket, message) => {
      if (message.type !== 'join') return;
      socket.answer(message, { type: 'joined', participantId: 'p-2', room: ROOM });
      socket.push({ type: 'reoffer', reason: 'media-server-restarted' });
    });
    const { sink: s, heard } = sink(() => undefined);
    const connection = await joinOverSignaling(
      { ticket: 'tkt-1', signalingUrl: SIG },
      sockets.WebSocket,
      { clock: new TestClock() },
      s,
    );
    expect(sockets.last().sentOf('join')[0]).not.toHaveProperty('displayName');
    connection.release();
    sockets.last().push({ type: 'reoffer', reason: 'again' });
    expect(heard).toEqual([]);
  });

  it('closes the connection when the join is refused, and rejects with the refusal', async () => {
    const sockets = new FakeSignalingServers().handle(SIG, (socket, message) => {
      if (message.type === 'join')
        socket.answer(message, { type: 'error', code: 'NOT_ALLOWED', message: 'not on the list' });
    });
    const { sink: s } = sink(() => undefined);
    await expect(
      joinOverSignaling(
        { ticket: 'tkt-1', signalingUrl: SIG },
        sockets.WebSocket,
        { clock: new TestClock() },
        s,
      ),
    ).rejects.toMatchObject({ code: 'NOT_ALLOWED' });
    expect(sockets.last().closedByClient).toEqual({ code: SignalingCloseCode.Left, reason: 'join failed' });
  });
});
