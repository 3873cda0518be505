import { TestClock } from '../registry-fakes.fixture';
import { MediaSession } from './media-session';
import { FakeTrack, FakeEnvironment, FakeRoom, person, roomOf, live, started } from './media-session.fixture';

describe('MediaSession', () => {
  it('a viewer publishes nothing and subscribes to every publisher with a stream, one connection each', async () => {
    const room = new FakeRoom(
      roomOf('m2m', [live('alice', 1), live('bob', 2, []), person('carol', 3)]),
      'carol',
    );
    const { env, media, events } = await started(room);
    expect(env.requests).toEqual([]);
    expect(room.named('publish')).toEqual([]);
    expect(room.named('subscribe')).toEqual([['subscribe', 'alice', 'v=0\r\noffer-1']]);
    expect(env.pcs[0].transceivers).toEqual([
      { what: 'audio', direction: 'recvonly' },
      { what: 'video', direction: 'recvonly' },
    ]);
    expect(env.pcs[0].remote?.sdp).toBe('v=0\r\nsub-answer-alice');
    env.pcs[0].ontrack?.({ track: new FakeTrack('video', 'remote-v'), streams: [] });
    expect(events).toContainEqual(['remote-stream', { participantId: 'alice', stream: expect.anything() }]);

    // bob starts sending: stream-ready → a second receiver.
    room.change(roomOf('m2m', [live('alice', 1), live('bob', 2), person('carol', 3)], 2));
    room.fire('stream-ready', { publisherId: 'bob' });
    await media.idle();
    expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice', 'bob']);
    expect(media.receiving().sort()).toEqual(['alice', 'bob']);

    // alice stops: her receiver closes, the server is told, the app hears it.
    room.fire('stream-ended', { publisherId: 'alice' });
    await media.idle();
    expect(env.pcs[0].closed).toBe(true);
    expect(room.named('unsubscribe')).toEqual([['unsubscribe', 'alice']]);
    expect(events).toContainEqual(['remote-stream-removed', { participantId: 'alice' }]);
    expect(media.receiving()).toEqual(['bob']);
  });

  it('trickles ICE both ways keyed by publisher id, holding early server candidates until the answer', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), person('carol', 2)]), 'carol');
    let answer!: () => void;
    const gate = new Promise<void>((resolve) => (answer = resolve));
    const subscribe = room.subscribe.bind(room);
    room.subscribe = async (id, sdp) => {
      // A server candidate arrives before the subscribe answer.
      room.fire('ice', {
        publisherId: 'alice',
        candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      });
      // And one of ours is gathered before CASH knows the subscription: it must wait.
      env.pcs[0].onicecandidate?.({
        candidate: {
          candidate: 'candidate:0 1 udp 1 127.0.0.1 5999 typ host',
          sdpMid: '0',
          sdpMLineIndex: 0,
        },
      });
      earlySent = room.named('ice').length;
      await gate;
      return subscribe(id, sdp);
    };
    let earlySent = -1;
    const env = new FakeEnvironment();
    const media = new MediaSession(room, { environment: env, clock: new TestClock() });
    const start = media.start();
    await Promise.resolve();
    answer();
    await start;
    await media.idle();
    const pc = env.pcs[0];
    expect(pc.candidates.map((c) => c.candidate)).toEqual(['candidate:1 1 udp 1 10.0.0.1 5000 typ host']);
    pc.onicecandidate?.({
      candidate: {
        candidate: 'candidate:2 1 udp 1 127.0.0.1 6000 typ host',
        sdpMid: '1',
        sdpMLineIndex: 1,
        usernameFragment: 'u',
      },
    });
    pc.onicecandidate?.({ candidate: null });
    pc.onicecandidate?.({ candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0 } });
    await media.idle();
    expect(earlySent).toBe(0);
    expect(room.named('ice')).toEqual([
      [
        'ice',
        'alice',
        { candidate: 'candidate:0 1 udp 1 127.0.0.1 5999 typ host', sdpMid: '0', sdpMLineIndex: 0 },
      ],
      [
        'ice',
        'alice',
        { candidate: 'candidate:2 1 udp 1 127.0.0.1 6000 typ host', sdpMid: '1', sdpMLineIndex: 1 },
      ],
    ]);
  });

  describe('health check', () => {
    const inbound = (frames: number, packets = frames) => [
      { type: 'inbound-rtp', kind: 'video', framesDecoded: frames, bytesReceived: frames * 1000 },
      { type: 'inbound-rtp', kind: 'audio', packetsReceived: packets },
    ];

    it('re-subscribes a subscription that receives nothing for stallMs, and leaves a flowing one alone', async () => {
      const room = new FakeRoom(
        roomOf('m2m', [live('alice', 1), live('bob', 2), person('carol', 3)]),
        'carol',
      );
      const { env, media, elapse } = await started(room);
      expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice', 'bob']);
      const [fromAlice, fromBob] = env.pcs;
      for (let s = 1; s <= 12; s++) {
        fromBob.stats = inbound(s * 1000);
        fromAlice.stats = inbound(0, s * 50); // audio arrives, video never decodes
        await elapse(1_000);
      }
      expect(fromAlice.closed).toBe(true);
      expect(fromBob.closed).toBe(false);
      expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice', 'bob', 'alice']);
      expect(media.receiving().sort()).toEqual(['alice', 'bob']);
      expect(media.recovered().resubscribed).toBe(1);
      const links = media.links();
      expect(links.find((l) => l.participantId === 'bob')).toMatchObject({
        kind: 'subscribe',
        counters: { video: 12000, audio: 12000 },
        answered: true,
        idleMs: 0,
      });
    });

    it('re-subscribes at the next check when a subscription connection failed', async () => {
      const room = new FakeRoom(roomOf('m2m', [live('alice', 1), person('carol', 2)]), 'carol');
      const { env, media, elapse } = await started(room);
      env.pcs[0].stats = inbound(500);
      await elapse(2_000);
      expect(media.recovered().resubscribed).toBe(0);
      env.pcs[0].connectionState = 'failed';
      await elapse(2_000);
      expect(env.pcs[0].closed).toBe(true);
      expect(room.named('subscribe')).toHaveLength(2);
      expect(media.recovered().resubscribed).toBe(1);
    });

    it("subscribes again from the room state when a refused subscription's stream-ready never comes", async () => {
      const room = new FakeRoom(roomOf('m2m', [live('alice', 1), person('carol', 2)]), 'carol');
      room.failSubscribe = Object.assign(new Error('no stream yet'), { code: 'STREAM_NOT_READY' });
      const { media, elapse } = await started(room);
      expect(media.receiving()).toEqual([]);
      room.failSubscribe = undefined;
      await elapse(2_000);
      expect(media.receiving()).toEqual(['alice']);

      // After a reoffer whose stream-ready is lost, the wait ends after stallMs.
      room.fire('reoffer', { reason: 'media-server-restarted' });
      await media.idle();
      expect(media.receiving()).toEqual([]);
      await elapse(8_000);
      expect(media.receiving()).toEqual([]);
      await elapse(4_000);
      expect(media.receiving()).toEqual(['alice']);
    });
  });
});
