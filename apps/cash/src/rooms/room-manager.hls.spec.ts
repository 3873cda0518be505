import { verifyViewerToken } from '@hoot/auth-kit';
import { eventually } from '@hoot/testing';
import { RecordingChannel } from '../testing/recording-channel';
import {
  packagerRoomFixture,
  TEST_PACKAGER_PUBLIC_URL,
  TEST_VIEWER_TOKEN_KEY,
  type PackagerRoomFixture,
} from '../testing/packager-fixture';
import { roomFixture, sdpOffer } from '../testing/room-fixture';

const join = (f: { rooms: PackagerRoomFixture['rooms'] }, roomId: string, identity: string) => {
  const channel = new RecordingChannel();
  return f.rooms
    .join({ roomId, identity, ticketId: `t-${identity}` }, channel)
    .then((id) => ({ id, channel }));
};

/** The token of a playlist URL, checked as the packager checks it. */
function tokenCheck(f: PackagerRoomFixture, playlistUrl: string, streamId: string) {
  const token = new URL(playlistUrl).searchParams.get('token');
  return verifyViewerToken(TEST_VIEWER_TOKEN_KEY, token, streamId, f.clock.now());
}

/** p2m room: alice (creator, publisher), bob and carol (viewers); alice publishes her camera. */
async function broadcast(type: 'p2m' | 'm2m' = 'p2m') {
  const f = packagerRoomFixture();
  await f.rooms.reserve({ id: 'show', type, owner: 'alice' });
  const alice = await join(f, 'show', 'alice');
  const bob = await join(f, 'show', 'bob');
  const carol = await join(f, 'show', 'carol');
  await f.rooms.publish('show', alice.id, ['audio', 'video'], sdpOffer(), 'pub');
  return { f, alice, bob, carol };
}

/** Links from a publish endpoint to an RtpEndpoint (the packager's feed). */
const rtpLinks = (f: PackagerRoomFixture) =>
  f.media.connections().filter((c) => c.sinkId.includes('RtpEndpoint'));

const liveStream = async (f: PackagerRoomFixture) =>
  eventually(() => {
    const [stream] = f.packager.live();
    expect(stream?.rtpAnswer).toBeDefined();
    return stream;
  });

describe('RoomManager: p2m over LL-HLS (issue 18)', () => {
  it('sends a p2m publisher’s stream to the packager and hands viewers — not the publisher — a signed playlist URL', async () => {
    const { f, alice, bob, carol } = await broadcast();
    const stream = await liveStream(f);
    expect(stream.input).toEqual({
      conferenceId: 'show',
      stage: 'show',
      userId: alice.id,
      kinds: ['audio', 'video'],
      live: true,
    });
    // The publish answer went first; the RtpEndpoint is fed by alice's endpoint and answered the packager.
    expect(alice.channel.ofType('publish-answer')).toHaveLength(1);
    expect(stream.rtpAnswer).toMatch(/m=video/);
    const [publishEndpoint] = f.media.pipelines()[0].endpoints;
    expect(rtpLinks(f)).toEqual([
      { sourceId: publishEndpoint.id, sinkId: expect.any(String), mediaType: 'ALL' },
    ]);
    expect(f.events.ofType('stream.hls.started').map((e) => e.data)).toEqual([
      { participantId: alice.id, stream: 'camera', streamId: stream.streamId },
    ]);
    for (const viewer of [bob, carol]) {
      const [push] = viewer.channel.ofType('hls-stream');
      expect(push.access).toMatchObject({ publisherId: alice.id, streamId: stream.streamId });
      expect(push.access.stream).toBeUndefined();
      expect(push.access.playlistUrl.startsWith(`${TEST_PACKAGER_PUBLIC_URL}/show/live/${alice.id}/`)).toBe(
        true,
      );
      expect(tokenCheck(f, push.access.playlistUrl, stream.streamId)).toMatchObject({
        ok: true,
        claims: { conferenceId: 'show', streamId: stream.streamId },
      });
      expect(tokenCheck(f, push.access.playlistUrl, 'another-stream')).toMatchObject({ ok: false });
      expect(push.access.expiresAt).toBe(new Date(f.clock.now() + 600_000).toISOString());
    }
    expect(alice.channel.ofType('hls-stream')).toEqual([]);

    // A late joiner finds it in `joined`; the publisher's own `joined` would not list it.
    const dave = await join(f, 'show', 'dave');
    const [joined] = dave.channel.ofType('joined');
    expect(joined.hls?.map((a) => [a.publisherId, a.streamId])).toEqual([[alice.id, stream.streamId]]);
    expect(f.rooms.packagerCounts()).toEqual({ hlsStreams: 1, recordings: 0 });
  });

  it('renews the viewers’ tokens every half TTL (same stream id, a later expiry)', async () => {
    const { f, bob } = await broadcast();
    const stream = await liveStream(f);
    await eventually(() => expect(bob.channel.ofType('hls-stream')).toHaveLength(1));
    f.clock.advance(300_000);
    const pushes = bob.channel.ofType('hls-stream');
    expect(pushes).toHaveLength(2);
    expect(pushes[1].access.streamId).toBe(stream.streamId);
    expect(pushes[1].access.expiresAt > pushes[0].access.expiresAt).toBe(true);
    expect(tokenCheck(f, pushes[1].access.playlistUrl, stream.streamId).ok).toBe(true);
  });

  it('ends the HLS stream on unpublish: hls-ended, stream.hls.stopped, DELETE at the packager, RtpEndpoint released', async () => {
    const { f, alice, bob } = await broadcast();
    const stream = await liveStream(f);
    expect(rtpLinks(f)).toHaveLength(1);
    await f.rooms.unpublish('show', alice.id, 'u');
    expect(bob.channel.ofType('hls-ended')).toEqual([
      { type: 'hls-ended', publisherId: alice.id, streamId: stream.streamId },
    ]);
    expect(alice.channel.ofType('hls-ended')).toEqual([]);
    expect(f.events.ofType('stream.hls.stopped').map((e) => e.data)).toEqual([
      { participantId: alice.id, stream: 'camera', streamId: stream.streamId, reason: 'unpublished' },
    ]);
    await eventually(() => expect(f.packager.live()).toEqual([]));
    await eventually(() => expect(rtpLinks(f)).toEqual([]));
    expect(f.rooms.packagerCounts().hlsStreams).toBe(0);
    // A renewal no longer comes for a stream that ended.
    f.clock.advance(600_000);
    expect(bob.channel.ofType('hls-stream')).toHaveLength(1);
  });

  it('ends it when the publisher leaves, and every stream when the room ends', async () => {
    const { f, alice, bob } = await broadcast();
    await liveStream(f);
    await f.rooms.publish('show', alice.id, ['screen'], sdpOffer(['screen']));
    await eventually(() => expect(f.packager.live()).toHaveLength(2));
    const screen = f.packager.live().find((s) => s.input.userId === `${alice.id}.screen`)!;
    expect(screen.input.kinds).toEqual(['video']);
    await eventually(() => expect(bob.channel.ofType('hls-stream').at(-1)?.access.stream).toBe('screen'));
    await f.rooms.leave('show', alice.id);
    expect(f.events.ofType('stream.hls.stopped').map((e) => e.data.reason)).toEqual(['left', 'left']);
    expect(
      bob.channel
        .ofType('hls-ended')
        .map((m) => m.stream ?? 'camera')
        .sort(),
    ).toEqual(['camera', 'screen']);
    await eventually(() => expect(f.packager.live()).toEqual([]));

    const g = await broadcast();
    await liveStream(g.f);
    await g.f.rooms.end('show');
    expect(g.f.events.ofType('stream.hls.stopped').map((e) => e.data.reason)).toEqual(['room-ended']);
    expect(g.f.events.events.map((e) => e.type).slice(-2)).toEqual(['stream.hls.stopped', 'room.ended']);
    expect(g.bob.channel.ofType('hls-ended')).toHaveLength(1);
    await eventually(() => expect(g.f.packager.live()).toEqual([]));
  });

  it('ends the packager stream when the media server restarts (its RtpEndpoint is gone); the re-offer starts a new one', async () => {
    const { f, alice, bob } = await broadcast();
    const first = await liveStream(f);
    f.media.restart();
    await f.rooms.rebuildAll();
    expect(f.events.ofType('stream.hls.stopped').map((e) => e.data.reason)).toEqual(['media-rebuilt']);
    await eventually(() => expect(f.packager.live()).toEqual([]));
    await f.rooms.publish('show', alice.id, ['audio', 'video'], sdpOffer());
    const second = await liveStream(f);
    expect(second.streamId).not.toBe(first.streamId);
    expect(bob.channel.ofType('hls-stream').at(-1)?.access.streamId).toBe(second.streamId);
  });

  it('does nothing of the kind in other room types, nor without a packager', async () => {
    const { f, bob } = await broadcast('m2m');
    await eventually(() => expect(f.events.ofType('stream.published')).toHaveLength(1));
    await f.rooms.join({ roomId: 'show', identity: 'zed', ticketId: 't-z' }, new RecordingChannel());
    expect(f.packager.calls).toEqual([]);
    expect(bob.channel.ofType('hls-stream')).toEqual([]);

    const plain = roomFixture();
    await plain.rooms.reserve({ id: 'show', type: 'p2m', owner: 'alice' });
    const alice = await join(plain, 'show', 'alice');
    const viewer = await join(plain, 'show', 'bob');
    await plain.rooms.publish('show', alice.id, ['audio', 'video'], sdpOffer());
    expect(viewer.channel.ofType('stream-ready')).toHaveLength(1);
    expect(viewer.channel.ofType('hls-stream')).toEqual([]);
    expect(viewer.channel.ofType('joined')[0].hls).toBeUndefined();
  });

  it('keeps the WebRTC side when the packager refuses: the publisher published, nothing is announced', async () => {
    const f = packagerRoomFixture();
    f.packager.failNext('startStream', 503, 'packager.full');
    await f.rooms.reserve({ id: 'show', type: 'p2m', owner: 'alice' });
    const alice = await join(f, 'show', 'alice');
    const bob = await join(f, 'show', 'bob');
    await f.rooms.publish('show', alice.id, ['audio', 'video'], sdpOffer());
    await eventually(() => expect(f.packager.calls.map((c) => c.op)).toEqual(['startStream']));
    expect(bob.channel.ofType('stream-ready')).toHaveLength(1);
    expect(bob.channel.ofType('hls-stream')).toEqual([]);
    expect(f.events.ofType('stream.hls.started')).toEqual([]);
  });
});
