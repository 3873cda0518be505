import { FakeTrack, FakeEnvironment, FakeRoom, person, roomOf, live, started } from './media-session.fixture';

describe('MediaSession', () => {
  it('publishes camera and microphone send-only in m2m: offer → publish → answer', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
    const { env, events } = await started(room);
    expect(env.requests).toEqual([{ audio: true, video: { width: { ideal: 640 }, height: { ideal: 360 } } }]);
    const pc = env.pcs[0];
    expect(pc.transceivers).toEqual([
      { what: 'audio', direction: 'sendonly' },
      { what: 'video', direction: 'sendonly' },
    ]);
    expect(room.named('publish')).toEqual([['publish', ['audio', 'video'], 'v=0\r\noffer-1']]);
    expect(pc.remote).toEqual({ type: 'answer', sdp: 'v=0\r\nserver-answer' });
    expect(events.map((e) => e[0])).toEqual(['local-stream']);
  });

  it('publishes audio only in a2m and receives audio only', async () => {
    const room = new FakeRoom(roomOf('a2m', [live('alice', 1, ['audio']), live('bob', 2, [])]), 'bob');
    const { env } = await started(room);
    expect(env.requests).toEqual([{ audio: true, video: false }]);
    expect(room.named('publish')[0][1]).toEqual(['audio']);
    const sub = env.pcs.find((pc) => pc.transceivers.some((t) => t.direction === 'recvonly'))!;
    expect(sub.transceivers).toEqual([{ what: 'audio', direction: 'recvonly' }]);
  });

  it('starts publishing once a raised hand is approved, and stops when demoted', async () => {
    const room = new FakeRoom(
      roomOf('m2m', [live('alice', 1), person('bob', 2, { handRaised: true })]),
      'bob',
    );
    const { env, events, media } = await started(room);
    expect(room.named('publish')).toEqual([]);
    room.change(roomOf('m2m', [live('alice', 1), person('bob', 2, { role: 'publisher' })], 2));
    await media.idle();
    expect(room.named('publish')).toHaveLength(1);
    expect(env.requests).toHaveLength(1);
    room.change(roomOf('m2m', [live('alice', 1), person('bob', 2, { role: 'viewer' })], 3));
    await media.idle();
    expect(room.named('unpublish')).toHaveLength(1);
    expect(env.streams[0].getTracks().every((t) => (t as FakeTrack).stopped)).toBe(true);
    expect(events.map((e) => e[0])).toContain('local-stream-removed');
  });

  it('keeps receiving when the camera is refused, and reports it once', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), live('bob', 2, [])]), 'bob');
    const env = new FakeEnvironment();
    env.refuse = Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
    const { events, media } = await started(room, env);
    expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice']);
    room.fire('change', room.room);
    await media.idle();
    expect(env.requests).toHaveLength(1);
    expect(events.filter((e) => e[0] === 'error')).toEqual([
      ['error', { error: env.refuse, step: 'publish' }],
    ]);
  });

  describe('health check', () => {
    const outbound = (bytesSent: number) => [{ type: 'outbound-rtp', kind: 'video', bytesSent }];

    it('publishes again when our publish connection sends nothing (unpublish first, then a new offer)', async () => {
      const room = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
      const { env, media, elapse } = await started(room);
      expect(room.named('publish')).toHaveLength(1);
      await elapse(12_000);
      expect(env.pcs[0].closed).toBe(true);
      expect(room.named('unpublish')).toHaveLength(1);
      expect(room.named('publish')).toHaveLength(2);
      expect(media.recovered().republished).toBe(1);
      // The new connection sends: it is kept.
      for (let s = 1; s <= 12; s++) {
        env.pcs[1].stats = outbound(s * 100);
        await elapse(1_000);
      }
      expect(room.named('publish')).toHaveLength(2);
    });

    it('retries a publish the server refused, backing off, but never one the camera refused', async () => {
      const room = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
      room.failPublish = Object.assign(new Error('media server: no answer'), { code: 'MEDIA_UNAVAILABLE' });
      const { media, elapse, events } = await started(room);
      expect(room.named('publish')).toHaveLength(1);
      await elapse(2_000);
      expect(room.named('publish')).toHaveLength(2);
      await elapse(2_000);
      expect(room.named('publish')).toHaveLength(2); // the second wait is 4 s
      await elapse(2_000);
      expect(room.named('publish')).toHaveLength(3);
      room.failPublish = undefined;
      await elapse(8_000);
      expect(room.named('publish')).toHaveLength(4);
      await elapse(4_000);
      expect(room.named('publish')).toHaveLength(4);
      expect(media.recovered().publishRetries).toBe(3);
      expect(events.filter((e) => e[0] === 'error')).toHaveLength(3);

      const refused = new FakeRoom(roomOf('m2m', [live('bob', 1, [])]), 'bob');
      const env = new FakeEnvironment();
      env.refuse = Object.assign(new Error('Permission denied'), { name: 'NotAllowedError' });
      const camera = await started(refused, env);
      await camera.elapse(20_000);
      expect(env.requests).toHaveLength(1);
    });

    it('releases a publish the server still holds before trying again (ALREADY_PUBLISHING)', async () => {
      const room = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
      room.failPublish = Object.assign(new Error('you publish already'), { code: 'ALREADY_PUBLISHING' });
      const { elapse } = await started(room);
      expect(room.named('unpublish')).toHaveLength(1);
      room.failPublish = undefined;
      await elapse(2_000);
      expect(room.named('publish')).toHaveLength(2);
    });
  });
});
