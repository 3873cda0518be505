import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, type ManagedProcess } from '@hoot/testing';
import { ffprobe, largestStep } from '../src/testing/ffprobe';
import {
  startPackagerProcess,
  startRtpSender,
  type PackagerProcess,
  type StartedStream,
} from '../src/testing/packager.process';
import { checkPlaylist, parsePlaylist } from '../src/testing/playlist-conformance';

/** A video-only (screen share) and an audio-only stream through the real packager and real ffmpeg. */
describe('packager kinds (real process, real RTP from ffmpeg)', () => {
  let packager: PackagerProcess;
  const senders: ManagedProcess[] = [];
  const conferenceId = 'kinds-room';
  const dir = mkdtempSync(join(tmpdir(), 'packager-kinds-'));
  const streams: Record<'video' | 'audio', StartedStream> = {} as never;

  beforeAll(async () => {
    packager = await startPackagerProcess();
    streams.video = await packager.startStream({
      conferenceId,
      stage: 'dev',
      userId: 'screen',
      kinds: ['video'],
    });
    streams.audio = await packager.startStream({
      conferenceId,
      stage: 'dev',
      userId: 'voice',
      kinds: ['audio'],
    });
    senders.push(await startRtpSender(streams.video), await startRtpSender(streams.audio));
  });

  afterAll(async () => {
    for (const sender of senders) await sender.stop(5000);
    await packager?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function window(kind: 'video' | 'audio') {
    const stream = streams[kind];
    const token = packager.token(conferenceId, stream.streamId);
    const get = async (file: string) => {
      const res = await fetch(
        `${packager.baseUrl}${stream.playlistPath.replace('playlist.m3u8', file)}?token=${token}`,
      );
      if (res.status !== 200) throw new Error(`${kind} ${file}: ${res.status} ${await res.text()}`);
      return res;
    };
    let text = '';
    await eventually(
      async () => {
        text = await (await get('playlist.m3u8')).text();
        expect(
          parsePlaylist(text).segments.filter((s) => s.duration !== undefined).length,
        ).toBeGreaterThanOrEqual(3);
      },
      { timeoutMs: 60_000, intervalMs: 500, description: `three ${kind} segments` },
    );
    expect(checkPlaylist(text)).toEqual([]);
    const complete = parsePlaylist(text).segments.filter((s) => s.duration !== undefined);
    const init = Buffer.from(await (await get('init.mp4')).arrayBuffer());
    const segments = await Promise.all(
      complete.map(async (s) => Buffer.from(await (await get(`seg-${s.msn}.m4s`)).arrayBuffer())),
    );
    const file = join(dir, `${kind}.mp4`);
    writeFileSync(file, Buffer.concat([init, ...segments]));
    return { playlist: parsePlaylist(text), complete, probe: await ffprobe(file) };
  }

  it('packages a video-only stream: H.264 alone, keyframe-led segments, continuous', async () => {
    const { playlist, probe } = await window('video');
    expect(probe.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([['video', 'h264']]);
    expect(largestStep(probe.packets, 'video')).toBeLessThanOrEqual(2 / 30 + 0.001);
    const firstParts = playlist.segments.filter((s) => s.parts.length > 0).map((s) => s.parts[0].independent);
    expect(firstParts.every(Boolean)).toBe(true);
  });

  it('packages an audio-only stream: AAC alone, cut by duration into segments of at most the target, every part independent', async () => {
    const { playlist, complete, probe } = await window('audio');
    expect(probe.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([['audio', 'aac']]);
    expect(largestStep(probe.packets, 'audio')).toBeLessThanOrEqual((2 * 1024) / 48000 + 0.001);
    for (const segment of complete) {
      expect(segment.duration).toBeLessThanOrEqual(2);
      expect(segment.duration).toBeGreaterThan(1.5);
    }
    const parts = playlist.segments.flatMap((s) => s.parts);
    expect(parts.length).toBeGreaterThan(0);
    expect(parts.every((p) => p.independent)).toBe(true);
  });
});
