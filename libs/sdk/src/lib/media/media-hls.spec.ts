import type { HlsStreamAccess } from '@hoot/contracts';
import { FakeEnvironment, FakeRoom, live, person, roomOf, started } from './media-session.fixture';
import { prefersH264 } from './media-plan';

const access = (publisherId: string, streamId = `s-${publisherId}`, token = 't1', stream?: 'screen') =>
  ({
    publisherId,
    ...(stream ? { stream } : {}),
    streamId,
    playlistUrl: `http://packager/standup/live/${publisherId}/${streamId}/playlist.m3u8?token=${token}`,
    expiresAt: '2026-12-06T20:00:00.000Z',
  }) satisfies HlsStreamAccess;

/** Chromium's video codecs, in its own order (VP8 first). */
const CHROMIUM_CODECS = [
  { mimeType: 'video/VP8', clockRate: 90000 },
  { mimeType: 'video/rtx', clockRate: 90000, sdpFmtpLine: 'apt=96' },
  { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'packetization-mode=0;profile-level-id=42e01f' },
  { mimeType: 'video/VP9', clockRate: 90000 },
  { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'packetization-mode=1;profile-level-id=640c1f' },
  { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'packetization-mode=1;profile-level-id=42e01f' },
];

describe('MediaSession: p2m over LL-HLS', () => {
  it('a viewer offered an HLS stream plays it: no RTCPeerConnection, no subscribe', async () => {
    const room = new FakeRoom(roomOf('p2m', [live('alice', 1), person('carol', 2)]), 'carol');
    room.hlsStreams = [access('alice')];
    const { env, media, events } = await started(room);
    expect(env.pcs).toHaveLength(0);
    expect(room.named('subscribe')).toEqual([]);
    expect(events).toContainEqual([
      'remote-hls',
      { participantId: 'alice', access: access('alice'), renewed: false },
    ]);
    expect(media.playingHls()).toEqual([access('alice')]);
    expect(media.receiving()).toEqual([]);

    // Her stream-ready (a reoffer, a republish) does not bring a WebRTC subscription either.
    room.fire('stream-ready', { publisherId: 'alice' });
    room.change(roomOf('p2m', [live('alice', 1), person('carol', 2)], 2));
    await media.idle();
    expect(env.pcs).toHaveLength(0);
  });

  it('without an HLS stream (an older CASH, no packager) a p2m viewer subscribes over WebRTC as before', async () => {
    const room = new FakeRoom(roomOf('p2m', [live('alice', 1), person('carol', 2)]), 'carol');
    const { env, events } = await started(room);
    expect(room.named('subscribe')).toEqual([['subscribe', 'alice', 'v=0\r\noffer-1']]);
    expect(env.pcs).toHaveLength(1);
    expect(events.filter(([name]) => name === 'remote-hls')).toEqual([]);
  });

  it('the publisher never plays its own stream, and other room types ignore HLS streams', async () => {
    const own = new FakeRoom(roomOf('p2m', [live('alice', 1), person('carol', 2)]), 'alice');
    own.hlsStreams = [access('alice')];
    const mine = await started(own);
    expect(mine.events.filter(([name]) => name === 'remote-hls')).toEqual([]);
    expect(mine.media.playingHls()).toEqual([]);

    const m2m = new FakeRoom(roomOf('m2m', [live('alice', 1), person('carol', 2)]), 'carol');
    m2m.hlsStreams = [access('alice')];
    const other = await started(m2m);
    expect(m2m.named('subscribe').map((c) => c[1])).toEqual(['alice']);
    expect(other.events.filter(([name]) => name === 'remote-hls')).toEqual([]);
  });

  it('an HLS stream offered later replaces the WebRTC subscription (closed, unsubscribed)', async () => {
    const room = new FakeRoom(roomOf('p2m', [live('alice', 1), person('carol', 2)]), 'carol');
    const { env, media, events } = await started(room);
    expect(env.pcs).toHaveLength(1);
    room.hlsStreams = [access('alice')];
    room.fire('hls-stream', { access: access('alice'), renewed: false });
    await media.idle();
    expect(env.pcs[0].closed).toBe(true);
    expect(room.named('unsubscribe')).toEqual([['unsubscribe', 'alice']]);
    expect(events.map(([name]) => name).slice(-2)).toEqual(['remote-stream-removed', 'remote-hls']);
    // The health check's reconcile does not subscribe again.
    room.change(roomOf('p2m', [live('alice', 1), person('carol', 2)], 2));
    await media.idle();
    expect(env.pcs).toHaveLength(1);
  });

  it('a renewal is handed on with the same stream id; the end of the stream is told, then WebRTC takes over', async () => {
    const room = new FakeRoom(roomOf('p2m', [live('alice', 1), person('carol', 2)]), 'carol');
    room.hlsStreams = [access('alice')];
    const { env, media, events, elapse } = await started(room);
    room.hlsStreams = [access('alice', 's-alice', 't2')];
    room.fire('hls-stream', { access: access('alice', 's-alice', 't2'), renewed: true });
    await media.idle();
    expect(events.filter(([name]) => name === 'remote-hls')).toEqual([
      ['remote-hls', { participantId: 'alice', access: access('alice'), renewed: false }],
      ['remote-hls', { participantId: 'alice', access: access('alice', 's-alice', 't2'), renewed: true }],
    ]);
    expect(env.pcs).toHaveLength(0);

    // The packager stream ends while alice still publishes: the viewer falls back to WebRTC at the
    // next reconcile (the health check's, every 2 s), not at once (an unpublish ends both together).
    room.hlsStreams = [];
    room.fire('hls-ended', { publisherId: 'alice', streamId: 's-alice' });
    await media.idle();
    expect(events.at(-1)).toEqual(['remote-hls-ended', { participantId: 'alice', streamId: 's-alice' }]);
    expect(env.pcs).toHaveLength(0);
    await elapse(2_000);
    expect(room.named('subscribe').map((c) => c[1])).toEqual(['alice']);
  });

  it('a shared screen with an HLS stream is played over HLS too, the camera without one over WebRTC', async () => {
    const room = new FakeRoom(
      roomOf('p2m', [live('alice', 1, ['audio', 'video', 'screen']), person('carol', 2)]),
      'carol',
    );
    room.hlsStreams = [access('alice', 's-screen', 't1', 'screen')];
    const { events } = await started(room);
    expect(room.named('subscribe')).toEqual([['subscribe', 'alice', 'v=0\r\noffer-1']]);
    expect(events).toContainEqual([
      'remote-hls',
      {
        participantId: 'alice',
        stream: 'screen',
        access: access('alice', 's-screen', 't1', 'screen'),
        renewed: false,
      },
    ]);
  });
});

describe('MediaSession: H.264 first for publishers whose video the server may package or record', () => {
  it('asks for H.264 first in p2m (LL-HLS) and m2m (recording) only', () => {
    expect((['m2m', 'a2m', 'p2m', 'p2p'] as const).filter(prefersH264)).toEqual(['m2m', 'p2m']);
  });

  it.each(['p2m', 'm2m'] as const)(
    'orders the video transceiver of a %s publish H.264 first (Constrained Baseline, mode 1 leading)',
    async (type) => {
      const env = new FakeEnvironment();
      env.videoCodecs = CHROMIUM_CODECS;
      const room = new FakeRoom(roomOf(type, [live('alice', 1)]), 'alice');
      await started(room, env);
      expect(room.named('publish')).toHaveLength(1);
      const [audio, video] = env.pcs[0].transceivers;
      expect(audio).toEqual({ what: 'audio', direction: 'sendonly' });
      expect(video.codecs?.map((c) => `${c.mimeType} ${c.sdpFmtpLine ?? ''}`.trim())).toEqual([
        'video/H264 packetization-mode=1;profile-level-id=42e01f',
        'video/H264 packetization-mode=1;profile-level-id=640c1f',
        'video/H264 packetization-mode=0;profile-level-id=42e01f',
        'video/VP8',
        'video/rtx apt=96',
        'video/VP9',
      ]);
    },
  );

  it('never fails where it cannot say', async () => {
    // No setCodecPreferences (an older browser), no capabilities, no H.264, a refusal: published all the same.
    const cases: ((e: FakeEnvironment) => void)[] = [
      (e) => (e.codecPreferences = false),
      (e) => (e.videoCodecs = undefined),
      (e) => (e.videoCodecs = [{ mimeType: 'video/VP8' }]),
      (e) => {
        e.codecCapabilities = () => {
          throw new Error('InvalidModificationError');
        };
      },
    ];
    for (const arrange of cases) {
      const bare = new FakeEnvironment();
      bare.videoCodecs = CHROMIUM_CODECS;
      arrange(bare);
      const room = new FakeRoom(roomOf('p2m', [live('alice', 1)]), 'alice');
      const { events } = await started(room, bare);
      expect(room.named('publish')).toHaveLength(1);
      expect(bare.pcs[0].transceivers[1].codecs).toBeUndefined();
      expect(events.filter(([name]) => name === 'error')).toEqual([]);
    }
  });
});
