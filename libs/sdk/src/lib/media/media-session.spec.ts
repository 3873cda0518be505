import { TestClock } from '../registry-fakes.fixture';
import { MediaSession } from './media-session';
import {
  FakeTrack,
  FakePeerConnection,
  FakeEnvironment,
  FakeRoom,
  person,
  roomOf,
  live,
  started,
} from './media-session.fixture';

describe('MediaSession', () => {
  it('after reoffer publishes again and re-subscribes only on stream-ready', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), live('bob', 2)]), 'bob');
    const { env, media } = await started(room);
    expect(room.named('publish')).toHaveLength(1);
    expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice']);
    const before = [...env.pcs];
    room.fire('reoffer', { reason: 'media-server-restarted' });
    await media.idle();
    expect(before.every((pc) => pc.closed)).toBe(true);
    expect(room.named('publish')).toHaveLength(2);
    expect(room.named('subscribe')).toHaveLength(1);
    room.fire('change', room.room);
    await media.idle();
    expect(room.named('subscribe')).toHaveLength(1);
    room.fire('stream-ready', { publisherId: 'alice' });
    await media.idle();
    expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice', 'alice']);
  });

  it('after a reconnection starts over with the new snapshot', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), live('bob', 2)]), 'bob');
    const { media } = await started(room);
    room.participantId = 'bob-2';
    room.room = roomOf('m2m', [live('alice', 1), live('bob-2', 3, [])], 9);
    room.fire('reconnected', { participantId: 'bob-2' });
    await media.idle();
    expect(room.named('publish')).toHaveLength(2);
    expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice', 'alice']);
  });

  it('sums inbound video frames and audio packets over every receiver', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), live('bob', 2), person('carol', 3)]), 'carol');
    const { env, media } = await started(room);
    env.pcs[0].stats = [
      { type: 'inbound-rtp', kind: 'video', framesDecoded: 30 },
      { type: 'inbound-rtp', kind: 'audio', packetsReceived: 50 },
      { type: 'outbound-rtp', kind: 'video', framesEncoded: 99 },
    ];
    env.pcs[1].stats = [{ type: 'inbound-rtp', kind: 'video', framesDecoded: 12 }];
    await expect(media.inboundStats()).resolves.toEqual({ videoFramesDecoded: 42, audioPacketsReceived: 50 });
  });

  it('close stops the camera, closes every connection and ignores later room events', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), live('bob', 2)]), 'bob');
    const { env, media } = await started(room);
    media.close();
    expect(env.pcs.every((pc) => pc.closed)).toBe(true);
    expect(env.streams[0].getTracks().every((t) => (t as FakeTrack).stopped)).toBe(true);
    expect(room.listenerCount('stream-ready')).toBe(0);
    room.fire('stream-ready', { publisherId: 'alice' });
    await media.idle();
    expect(room.named('subscribe')).toHaveLength(1);
  });
  it("reports a browser exception in our words (sdk.media-failed, the browser's error as cause), and nothing after close", async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), person('carol', 2)]), 'carol');
    const env = new FakeEnvironment();
    const broken = Object.assign(
      new Error(
        "Failed to execute 'setRemoteDescription' on 'RTCPeerConnection': signalingState is 'closed'",
      ),
      { name: 'InvalidStateError' },
    );
    const create = env.createPeerConnection.bind(env);
    env.createPeerConnection = () => {
      const pc = create() as FakePeerConnection;
      pc.setRemoteDescription = async () => {
        throw broken;
      };
      return pc;
    };
    const { events, media } = await started(room, env);
    const errors = events
      .filter((e) => e[0] === 'error')
      .map((e) => e[1] as { error: Error & { code?: string; cause?: unknown }; step: string });
    expect(errors).toHaveLength(1);
    expect(errors[0].step).toBe('subscribe');
    expect(errors[0].error.code).toBe('sdk.media-failed');
    expect(errors[0].error.message).not.toContain('setRemoteDescription');
    expect(errors[0].error.cause).toBe(broken);

    media.close();
    room.fire('stream-ready', { publisherId: 'alice' });
    await media.idle();
    expect(events.filter((e) => e[0] === 'error')).toHaveLength(1);
  });

  describe('health check', () => {
    it('stops checking once closed, and can be turned off', async () => {
      const room = new FakeRoom(roomOf('m2m', [live('alice', 1), person('carol', 2)]), 'carol');
      const clock = new TestClock();
      const { media } = await started(room, new FakeEnvironment(), clock);
      expect(clock.pendingTimers).toBe(1);
      media.close();
      expect(clock.pendingTimers).toBe(0);
      const off = new MediaSession(new FakeRoom(room.room, 'carol'), {
        environment: new FakeEnvironment(),
        clock,
        health: false,
      });
      await off.start();
      expect(clock.pendingTimers).toBe(0);
      off.close();
    });
  });
});
