import { FakeRoom, roomOf, live, started } from './media-session.fixture';

describe('MediaSession', () => {
  it('in a p2p call only the callee offers; the caller answers; candidates go through p2p-signal', async () => {
    const people = [live('caller', 1, []), live('callee', 2, [])];
    const calleeRoom = new FakeRoom(roomOf('p2p', people), 'callee');
    const callee = await started(calleeRoom);
    expect(calleeRoom.named('publish')).toEqual([['publish', ['audio', 'video'], undefined]]);
    expect(calleeRoom.named('p2p')).toEqual([['p2p', { kind: 'offer', sdp: 'v=0\r\noffer-1' }]]);
    expect(callee.env.pcs[0].tracks.map((t) => t.kind)).toEqual(['audio', 'video']);

    const callerRoom = new FakeRoom(roomOf('p2p', people), 'caller');
    const caller = await started(callerRoom);
    expect(callerRoom.named('p2p')).toEqual([]);
    expect(caller.env.pcs).toHaveLength(0);
    callerRoom.fire('p2p-signal', { from: 'callee', signal: { kind: 'offer', sdp: 'v=0\r\noffer-1' } });
    await caller.media.idle();
    expect(caller.env.pcs[0].remote).toEqual({ type: 'offer', sdp: 'v=0\r\noffer-1' });
    expect(callerRoom.named('p2p')).toEqual([['p2p', { kind: 'answer', sdp: 'v=0\r\nanswer-1' }]]);
    caller.env.pcs[0].onicecandidate?.({
      candidate: { candidate: 'candidate:9 1 udp 1 1.2.3.4 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    });
    await caller.media.idle();
    expect(callerRoom.named('p2p')[1]).toEqual([
      'p2p',
      {
        kind: 'candidate',
        candidate: { candidate: 'candidate:9 1 udp 1 1.2.3.4 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      },
    ]);

    calleeRoom.fire('p2p-signal', { from: 'caller', signal: { kind: 'answer', sdp: 'v=0\r\nanswer-1' } });
    calleeRoom.fire('p2p-signal', {
      from: 'caller',
      signal: {
        kind: 'candidate',
        candidate: { candidate: 'candidate:9 1 udp 1 1.2.3.4 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      },
    });
    await callee.media.idle();
    expect(callee.env.pcs[0].remote).toEqual({ type: 'answer', sdp: 'v=0\r\nanswer-1' });
    expect(callee.env.pcs[0].candidates).toHaveLength(1);
    expect(calleeRoom.named('subscribe')).toEqual([]);
  });

  it('a media server restart (reoffer) leaves a p2p call alone', async () => {
    const room = new FakeRoom(roomOf('p2p', [live('caller', 1, []), live('callee', 2, [])]), 'callee');
    const { env, media } = await started(room);
    room.fire('reoffer', { reason: 'media-server-restarted' });
    await media.idle();
    expect(env.pcs).toHaveLength(1);
    expect(env.pcs[0].closed).toBe(false);
    expect(room.named('p2p')).toHaveLength(1);
  });
});
