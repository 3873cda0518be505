import { FakeTrack, FakeEnvironment, FakeRoom, person, roomOf, live, started } from './media-session.fixture';

describe('MediaSession: screen share', () => {
  const candidate = {
    candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host',
    sdpMid: '0',
    sdpMLineIndex: 0,
  };
  const outbound = (bytesSent: number) => [{ type: 'outbound-rtp', kind: 'video', bytesSent }];
  const inboundVideo = (frames: number) => [{ type: 'inbound-rtp', kind: 'video', framesDecoded: frames }];

  it("shares a screen on a second send-only connection; the browser's own stop bar unpublishes it", async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
    const { env, media, events } = await started(room);
    const camera = env.pcs[0];
    await media.startScreenShare();
    expect(env.displayRequests).toEqual([{ video: true, audio: false }]);
    const screenPc = env.pcs[1];
    expect(screenPc.transceivers).toEqual([{ what: 'video', direction: 'sendonly' }]);
    expect(room.named('publish')).toEqual([
      ['publish', ['audio', 'video'], 'v=0\r\noffer-1'],
      ['publish', ['screen'], 'v=0\r\noffer-2'],
    ]);
    expect(screenPc.remote).toEqual({ type: 'answer', sdp: 'v=0\r\nserver-answer' });
    expect(media.screenStream).toBe(env.screens[0]);
    expect(events.map((e) => e[0])).toEqual(['local-stream', 'local-screen']);
    expect(media.links().map((l) => [l.kind, l.participantId, l.stream])).toEqual([
      ['publish', 'alice', undefined],
      ['publish', 'alice', 'screen'],
    ]);

    // ICE of the screen's connection is kept apart from the camera's, both ways.
    room.fire('ice', { publisherId: 'alice', stream: 'screen', candidate });
    await media.idle();
    expect(screenPc.candidates).toEqual([candidate]);
    expect(camera.candidates).toEqual([]);
    screenPc.onicecandidate?.({ candidate });
    expect(room.named('ice')).toEqual([['ice', 'alice', candidate, 'screen']]);

    // Sharing twice is a no-op.
    await media.startScreenShare();
    expect(env.displayRequests).toHaveLength(1);

    const track = env.screens[0].getTracks()[0] as FakeTrack;
    track.end();
    await media.idle();
    expect(room.named('unpublish')).toEqual([['unpublish', 'screen']]);
    expect(screenPc.closed).toBe(true);
    expect(camera.closed).toBe(false);
    expect(media.screenStream).toBeUndefined();
    expect(events.map((e) => e[0])).toEqual(['local-stream', 'local-screen', 'local-screen-removed']);
  });

  it('stopScreenShare stops the capture and unpublishes only the screen', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
    const { env, media } = await started(room);
    await media.startScreenShare();
    await media.stopScreenShare();
    expect(room.named('unpublish')).toEqual([['unpublish', 'screen']]);
    expect((env.screens[0].getTracks()[0] as FakeTrack).stopped).toBe(true);
    expect(env.pcs[1].closed).toBe(true);
    expect(media.local?.getTracks().every((t) => !(t as FakeTrack).stopped)).toBe(true);
    await media.stopScreenShare();
    expect(room.named('unpublish')).toHaveLength(1);
  });

  it.each([
    ['a viewer', roomOf('m2m', [live('alice', 1), person('bob', 2)]), 'bob', /raise your hand/],
    [
      'an audio-only room',
      roomOf('a2m', [live('bob', 1, ['audio'])]),
      'bob',
      /cannot be shared in this room/,
    ],
    ['a p2p call', roomOf('p2p', [live('alice', 1), live('bob', 2)]), 'bob', /cannot be shared in this room/],
    [
      'a room where someone else shares',
      roomOf('m2m', [live('alice', 1, ['audio', 'video', 'screen']), live('bob', 2)]),
      'bob',
      /Someone else is sharing/,
    ],
  ])('refuses in %s without asking the browser', async (_what, view, me, words) => {
    const room = new FakeRoom(view, me);
    const { env, media } = await started(room);
    await expect(media.startScreenShare()).rejects.toMatchObject({
      code: 'sdk.screen-share-unavailable',
      message: expect.stringMatching(words),
    });
    expect(env.displayRequests).toEqual([]);
    expect(room.named('publish').filter((c) => (c[1] as string[]).includes('screen'))).toEqual([]);
  });

  it('a closed picker is sdk.screen-share-cancelled in our words; a server refusal stops the capture', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
    const env = new FakeEnvironment();
    env.refuseDisplay = Object.assign(new Error('Permission denied by system'), { name: 'NotAllowedError' });
    const { media, events } = await started(room, env);
    const cancelled = await media.startScreenShare().catch((e: unknown) => e);
    expect(cancelled).toMatchObject({
      code: 'sdk.screen-share-cancelled',
      message: 'Screen sharing was cancelled.',
    });
    expect(events.map((e) => e[0])).not.toContain('local-screen');

    env.refuseDisplay = undefined;
    room.failPublish = Object.assign(new Error('Someone else is sharing a screen'), {
      code: 'SCREEN_SHARE_TAKEN',
    });
    await expect(media.startScreenShare()).rejects.toMatchObject({ code: 'SCREEN_SHARE_TAKEN' });
    expect((env.screens[0].getTracks()[0] as FakeTrack).stopped).toBe(true);
    expect(env.pcs.at(-1)?.closed).toBe(true);
    expect(media.screenStream).toBeUndefined();
    expect(events.map((e) => e[0])).toEqual(['local-stream', 'local-screen', 'local-screen-removed']);
  });

  it("receives others' screens (video only, stream 'screen'), apart from their cameras", async () => {
    const room = new FakeRoom(
      roomOf('m2m', [live('alice', 1), live('bob', 2, ['screen']), person('carol', 3)]),
      'carol',
    );
    const { env, media, events } = await started(room);
    // bob shares only a screen: no camera subscription to him.
    expect(room.named('subscribe')).toEqual([
      ['subscribe', 'alice', 'v=0\r\noffer-1'],
      ['subscribe', 'bob', 'v=0\r\noffer-2', 'screen'],
    ]);
    const fromBob = env.pcs[1];
    expect(fromBob.transceivers).toEqual([{ what: 'video', direction: 'recvonly' }]);
    expect(fromBob.remote?.sdp).toBe('v=0\r\nsub-answer-bob-screen');
    fromBob.ontrack?.({ track: new FakeTrack('video', 'bob-screen'), streams: [] });
    expect(events).toContainEqual(['remote-screen', { participantId: 'bob', stream: expect.anything() }]);
    expect(media.receiving()).toEqual(['alice']);
    expect(media.receivingScreens()).toEqual(['bob']);
    room.fire('ice', { publisherId: 'bob', stream: 'screen', candidate });
    await media.idle();
    expect(fromBob.candidates).toEqual([candidate]);

    // bob stops: stream-ended for his screen closes that connection only.
    room.fire('stream-ended', { publisherId: 'bob', stream: 'screen' });
    await media.idle();
    expect(fromBob.closed).toBe(true);
    expect(env.pcs[0].closed).toBe(false);
    expect(events).toContainEqual(['remote-screen-removed', { participantId: 'bob' }]);
    expect(room.named('unsubscribe')).toEqual([]);

    // alice starts sharing: stream-ready for her screen subscribes to it.
    room.change(
      roomOf(
        'm2m',
        [live('alice', 1, ['audio', 'video', 'screen']), live('bob', 2, []), person('carol', 3)],
        2,
      ),
    );
    room.fire('stream-ready', { publisherId: 'alice', stream: 'screen' });
    await media.idle();
    expect(media.receivingScreens()).toEqual(['alice']);
    // The room says she stopped: dropped.
    room.change(roomOf('m2m', [live('alice', 1), person('carol', 3)], 3));
    await media.idle();
    expect(media.receivingScreens()).toEqual([]);
    expect(media.receiving()).toEqual(['alice']);
  });

  it('the health check covers the screen: a stalled screen subscription is re-subscribed, a stalled share re-published with the same capture', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1, ['screen']), person('carol', 2)]), 'carol');
    const { env, media, elapse } = await started(room);
    const fromAlice = env.pcs[0];
    expect(fromAlice.remote?.sdp).toBe('v=0\r\nsub-answer-alice-screen');
    for (let s = 1; s <= 12; s++) {
      fromAlice.stats = inboundVideo(0); // nothing decodes
      await elapse(1_000);
    }
    expect(fromAlice.closed).toBe(true);
    expect(room.named('subscribe').filter((c) => c[3] === 'screen')).toHaveLength(2);
    expect(media.recovered()).toMatchObject({ resubscribed: 1, republished: 0 });
    expect(media.links().find((l) => l.stream === 'screen')).toMatchObject({
      kind: 'subscribe',
      participantId: 'alice',
    });

    // Our own share sends nothing: unpublished and published again with the same capture.
    const mine = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
    const own = await started(mine);
    await own.media.startScreenShare();
    const [camera, share] = own.env.pcs;
    const screen = own.media.screenStream;
    for (let s = 1; s <= 12; s++) {
      camera.stats = outbound(s * 100);
      await own.elapse(1_000);
    }
    expect(share.closed).toBe(true);
    expect(camera.closed).toBe(false);
    expect(mine.named('unpublish')).toEqual([['unpublish', 'screen']]);
    expect(mine.named('publish').map((c) => c[1])).toEqual([['audio', 'video'], ['screen'], ['screen']]);
    expect(own.media.screenStream).toBe(screen);
    expect((own.env.screens[0].getTracks()[0] as FakeTrack).stopped).toBe(false);
    expect(own.media.recovered().republished).toBe(1);
  });

  it('a static shared screen (frames stop while nothing changes) is neither re-subscribed nor re-published', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1, ['screen']), person('carol', 2)]), 'carol');
    const { env, media, elapse } = await started(room);
    const fromAlice = env.pcs[0];
    fromAlice.stats = inboundVideo(3); // a few frames for the slide, then nothing for a minute
    for (let s = 1; s <= 60; s++) await elapse(1_000);
    expect(fromAlice.closed).toBe(false);
    expect(room.named('subscribe').filter((c) => c[3] === 'screen')).toHaveLength(1);
    expect(media.recovered()).toMatchObject({ resubscribed: 0, republished: 0 });

    const mine = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
    const own = await started(mine);
    await own.media.startScreenShare();
    const [camera, share] = own.env.pcs;
    share.stats = outbound(4_000); // sent the slide once
    for (let s = 1; s <= 60; s++) {
      camera.stats = outbound(s * 100);
      await own.elapse(1_000);
    }
    expect(share.closed).toBe(false);
    expect(mine.named('unpublish')).toEqual([]);
    expect(own.media.recovered().republished).toBe(0);
  });

  it('after reoffer publishes the same screen again, and waits for stream-ready before receiving screens', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), live('bob', 2, [])]), 'bob');
    const { env, media } = await started(room);
    await media.startScreenShare();
    room.fire('reoffer', { reason: 'media-server-restarted' });
    await media.idle();
    expect(room.named('publish').map((c) => c[1])).toEqual([
      ['audio', 'video'],
      ['screen'],
      ['audio', 'video'],
      ['screen'],
    ]);
    expect(media.screenStream).toBe(env.screens[0]);

    const viewer = new FakeRoom(roomOf('m2m', [live('alice', 1, ['screen']), person('carol', 2)]), 'carol');
    const other = await started(viewer);
    expect(other.media.receivingScreens()).toEqual(['alice']);
    viewer.fire('reoffer', { reason: 'media-server-restarted' });
    await other.media.idle();
    expect(other.media.receivingScreens()).toEqual([]);
    viewer.fire('stream-ready', { publisherId: 'alice', stream: 'screen' });
    await other.media.idle();
    expect(other.media.receivingScreens()).toEqual(['alice']);
  });

  it('a demoted sharer stops sharing; close stops the capture', async () => {
    const room = new FakeRoom(roomOf('m2m', [live('alice', 1), live('bob', 2, [])]), 'bob');
    const { env, media } = await started(room);
    await media.startScreenShare();
    room.change(roomOf('m2m', [live('alice', 1), person('bob', 2)], 2));
    await media.idle();
    expect(media.screenStream).toBeUndefined();
    expect((env.screens[0].getTracks()[0] as FakeTrack).stopped).toBe(true);

    const again = new FakeRoom(roomOf('m2m', [live('alice', 1, [])]), 'alice');
    const second = await started(again);
    await second.media.startScreenShare();
    second.media.close();
    expect((second.env.screens[0].getTracks()[0] as FakeTrack).stopped).toBe(true);
    expect(second.env.pcs.every((pc) => pc.closed)).toBe(true);
  });
});
