import { TestClock } from './registry-fakes.fixture';
import { SdkErrorCode } from './sdk-error-codes';
import { SignalingClient, SignalingError, type SignalingClose } from './signaling-client';
import { FakeSignalingServers, roomView, settle } from './signaling-fakes.fixture';

const URL1 = 'ws://coremx-1/signal';

async function connect(servers = new FakeSignalingServers(), clock = new TestClock()) {
  const client = await SignalingClient.open(URL1, servers.WebSocket, { clock, requestTimeoutMs: 1_000 });
  return { client, servers, clock, socket: servers.last() };
}

describe('SignalingClient', () => {
  it('sends each request with a fresh id and resolves it with the answer whose re matches', async () => {
    const { client, socket } = await connect();
    const join = client.request({ type: 'join', ticket: 'tkt', displayName: 'Alice' });
    const hand = client.request({ type: 'raise-hand' });
    expect(socket.sent).toEqual([
      { type: 'join', ticket: 'tkt', displayName: 'Alice', id: '1' },
      { type: 'raise-hand', id: '2' },
    ]);
    // Answers out of order still reach the right request.
    socket.answer(socket.sent[1], { type: 'ok' });
    const room = roomView([]);
    socket.answer(socket.sent[0], { type: 'joined', participantId: 'p-1', room });
    await expect(hand).resolves.toEqual({ type: 'ok', re: '2' });
    await expect(join).resolves.toEqual({ type: 'joined', re: '1', participantId: 'p-1', room });
  });

  it('rejects a refused request with SignalingError carrying code, message and retryAfterS', async () => {
    const { client, socket } = await connect();
    const approve = client.request({ type: 'approve', target: 'p-2' });
    socket.answer(socket.sent[0], { type: 'error', code: 'OVERLOADED', message: 'busy', retryAfterS: 3 });
    const error = await approve.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SignalingError);
    expect(error).toMatchObject({
      name: 'SignalingError',
      code: 'OVERLOADED',
      message: 'busy',
      retryAfterS: 3,
    });
  });

  it('emits server pushes as typed events, and stray refusals and unreadable frames as error', async () => {
    const { client, socket } = await connect();
    const got: unknown[] = [];
    client.on('publish-request', (m) => got.push(['publish-request', m.participantId]));
    client.on('stream-ready', (m) => got.push(['stream-ready', m.publisherId]));
    client.on('kicked', (m) => got.push(['kicked', m.by]));
    client.on('error', (e) => got.push(['error', e.code]));
    socket.push({ type: 'publish-request', participantId: 'p-2' });
    socket.push({ type: 'stream-ready', publisherId: 'p-3' });
    socket.push({ type: 'error', code: 'MESSAGE_MALFORMED', message: 'bad' });
    socket.pushRaw('not json');
    socket.push({ type: 'kicked', by: 'p-1' });
    socket.push({ type: 'ok', re: '99' }); // an answer nobody waits for is dropped
    expect(got).toEqual([
      ['publish-request', 'p-2'],
      ['stream-ready', 'p-3'],
      ['error', 'MESSAGE_MALFORMED'],
      ['error', SdkErrorCode.AnswerInvalid],
      ['kicked', 'p-1'],
    ]);
  });

  it('rejects pending requests when the connection closes and reports the close code', async () => {
    const { client, socket } = await connect();
    const closes: SignalingClose[] = [];
    client.on('close', (c) => closes.push(c));
    const end = client.request({ type: 'end' });
    socket.push({ type: 'room-ended', reason: 'ended-by-owner' });
    socket.serverClose(4000, 'room ended');
    await expect(end).rejects.toMatchObject({ code: SdkErrorCode.SignalingClosed });
    expect(closes).toEqual([{ code: 4000, reason: 'room ended', byClient: false }]);
    expect(client.isOpen).toBe(false);
    await expect(client.request({ type: 'leave' })).rejects.toMatchObject({
      code: SdkErrorCode.SignalingClosed,
    });
  });

  it('tells a close it asked for', async () => {
    const { client, socket } = await connect();
    const closes: SignalingClose[] = [];
    client.on('close', (c) => closes.push(c));
    client.close(1000, 'bye');
    await settle();
    expect(socket.closedByClient).toEqual({ code: 1000, reason: 'bye' });
    expect(closes).toEqual([{ code: 1000, reason: 'bye', byClient: true }]);
  });

  it('times out a request without answer', async () => {
    const { client, clock } = await connect();
    const hand = client.request({ type: 'raise-hand' });
    clock.advance(999);
    await settle();
    clock.advance(1);
    await expect(hand).rejects.toMatchObject({ code: SdkErrorCode.SignalingTimeout });
  });

  it('fails to open when the connection is refused, does not open in time, or the URL is bad', async () => {
    const servers = new FakeSignalingServers().refuse(URL1).hold('ws://slow/signal');
    const clock = new TestClock();
    await expect(SignalingClient.open(URL1, servers.WebSocket, { clock })).rejects.toMatchObject({
      code: SdkErrorCode.SignalingConnectFailed,
    });
    const slow = SignalingClient.open('ws://slow/signal', servers.WebSocket, {
      clock,
      connectTimeoutMs: 500,
    });
    await settle();
    clock.advance(500);
    await expect(slow).rejects.toMatchObject({ code: SdkErrorCode.SignalingConnectFailed });
    expect(servers.last().closedByClient).toBeDefined();
    const Throwing = class {
      constructor() {
        throw new SyntaxError('Invalid URL');
      }
    } as never;
    await expect(SignalingClient.open('nope', Throwing, { clock })).rejects.toMatchObject({
      code: SdkErrorCode.SignalingConnectFailed,
      message: expect.stringContaining('Invalid URL'),
    });
  });
});
