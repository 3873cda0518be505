import { PackagerErrorCode } from '@hoot/contracts';
import { startHarness, type Harness } from '../testing/packager-harness';
import { SyntheticStream } from '../testing/fmp4-builder';

interface Started {
  streamId: string;
  playlistPath: string;
  sdpOffer: string;
  kinds: string[];
  live: boolean;
  rtp: { address: string; video?: { port: number }; audio?: { port: number } };
}

describe('control API: kinds and live', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.app.stop());

  const start = async (extra: Record<string, unknown>) => {
    const res = await h.control('/v1/streams', {
      method: 'POST',
      body: JSON.stringify({ conferenceId: 'standup', stage: 'dev', userId: 'alice', ...extra }),
    });
    return { res, body: (await res.json()) as Started };
  };
  const sections = (sdp: string) => sdp.split('\r\n').filter((l) => l.startsWith('m='));

  it('offers both kinds by default, and only video for a screen share', async () => {
    const both = await start({});
    expect(both.res.status).toBe(201);
    expect(both.body.kinds).toEqual(['audio', 'video']);
    expect(sections(both.body.sdpOffer).map((l) => l.split(' ')[0])).toEqual(['m=video', 'm=audio']);
    expect(h.remuxers.at(-1)?.kinds).toEqual(['audio', 'video']);

    const screen = await start({ kinds: ['video'] });
    expect(screen.res.status).toBe(201);
    expect(sections(screen.body.sdpOffer)).toEqual([`m=video ${screen.body.rtp.video?.port} RTP/AVP 96`]);
    expect(screen.body.rtp.audio).toBeUndefined();
    expect(h.remuxers.at(-1)?.kinds).toEqual(['video']);
  });

  it('offers only Opus for an audio-only stream', async () => {
    const { res, body } = await start({ kinds: ['audio'] });
    expect(res.status).toBe(201);
    expect(sections(body.sdpOffer)).toEqual([`m=audio ${body.rtp.audio?.port} RTP/AVP 111`]);
    expect(body.rtp.video).toBeUndefined();
    expect(h.remuxers.at(-1)?.kinds).toEqual(['audio']);
  });

  it('refuses bad kinds and live values with 400, starting nothing', async () => {
    const before = h.remuxers.length;
    for (const extra of [
      { kinds: [] },
      { kinds: ['audio', 'audio'] },
      { kinds: ['data'] },
      { kinds: 'video' },
      { live: 'no' },
    ]) {
      const { res, body } = await start(extra);
      expect(res.status).toBe(400);
      expect(body).toMatchObject({ code: 'request.invalid' });
    }
    expect(h.remuxers.length).toBe(before);
  });

  it('serves no viewer route for a recording-only stream (live:false), even to a valid token', async () => {
    const { res, body } = await start({ live: false });
    expect(res.status).toBe(201);
    expect(body.live).toBe(false);
    const remuxer = h.remuxers.at(-1)?.remuxer;
    const media = new SyntheticStream(30, 30);
    remuxer?.write(media.init);
    for (let i = 0; i < 70; i += 1) remuxer?.write(media.next());
    const token = h.token('standup', body.streamId);
    for (const file of ['playlist.m3u8', 'init.mp4', 'seg-0.m4s']) {
      const viewer = await fetch(
        `${h.base}${body.playlistPath.replace('playlist.m3u8', file)}?token=${token}`,
      );
      expect(viewer.status).toBe(404);
      expect(await viewer.json()).toMatchObject({ code: PackagerErrorCode.StreamNotFound });
    }
    const described = await (await h.control(`/v1/streams/${body.streamId}`)).json();
    expect(described).toMatchObject({ live: false, segments: 1 });
  });
});
