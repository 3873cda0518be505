import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, type ManagedProcess } from '@hoot/testing';
import {
  startPackagerProcess,
  startRtpSender,
  type PackagerProcess,
  type StartedStream,
} from '../src/testing/packager.process';
import { checkPlaylist, checkReload, parsePlaylist } from '../src/testing/playlist-conformance';
import { ffprobe, largestStep } from '../src/testing/ffprobe';

describe('packager (real process, real RTP from ffmpeg)', () => {
  let packager: PackagerProcess;
  let sender: ManagedProcess | undefined;
  let stream: StartedStream;
  let token: string;
  const conferenceId = 'broadcast-room';
  const dir = mkdtempSync(join(tmpdir(), 'packager-it-'));
  const url = (file: string, query = '') =>
    `${packager.baseUrl}${stream.playlistPath.replace('playlist.m3u8', file)}?token=${token}${query}`;
  const get = async (file: string, query = '') => {
    const res = await fetch(url(file, query));
    if (res.status !== 200) throw new Error(`${file}${query}: ${res.status} ${await res.text()}`);
    return res;
  };

  beforeAll(async () => {
    packager = await startPackagerProcess();
    stream = await packager.startStream({ conferenceId, stage: 'dev', userId: 'alice' });
    token = packager.token(conferenceId, stream.streamId);
    sender = await startRtpSender(stream);
  });

  afterAll(async () => {
    await sender?.stop(5000);
    await packager?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes parts and segments, and every playlist on a chain of blocking reloads is conformant', async () => {
    await eventually(
      async () => {
        const playlist = parsePlaylist(await (await get('playlist.m3u8')).text());
        expect(playlist.segments.filter((s) => s.duration !== undefined).length).toBeGreaterThanOrEqual(3);
      },
      { timeoutMs: 60_000, intervalMs: 500, description: 'three complete segments' },
    );
    let previous = await (await get('playlist.m3u8')).text();
    expect(checkPlaylist(previous)).toEqual([]);
    for (let i = 0; i < 12; i += 1) {
      const hint = parsePlaylist(previous).preloadHint as { msn: number; index: number };
      const text = await (await get('playlist.m3u8', `&_HLS_msn=${hint.msn}&_HLS_part=${hint.index}`)).text();
      expect(checkPlaylist(text)).toEqual([]);
      expect(checkReload(previous, text)).toEqual([]);
      // Blocking semantics: the answer holds the requested part, or a later segment.
      const next = parsePlaylist(text);
      const holds =
        next.segments.some((s) => s.msn === hint.msn && s.parts.some((p) => p.index === hint.index)) ||
        next.segments.some((s) => s.msn > hint.msn);
      expect({ request: hint, holds }).toEqual({ request: hint, holds: true });
      previous = text;
    }
    const playlist = parsePlaylist(previous);
    expect(playlist.segments.flatMap((s) => s.parts).some((p) => p.independent)).toBe(true);
  });

  it('serves segments that ffprobe reads as H.264 + AAC with continuous timestamps; parts add up to their segment', async () => {
    const playlist = parsePlaylist(await (await get('playlist.m3u8')).text());
    const complete = playlist.segments.filter((s) => s.duration !== undefined);
    const init = Buffer.from(await (await get('init.mp4')).arrayBuffer());
    const segments = await Promise.all(
      complete.map(async (s) => Buffer.from(await (await get(`seg-${s.msn}.m4s`)).arrayBuffer())),
    );
    const file = join(dir, 'window.mp4');
    writeFileSync(file, Buffer.concat([init, ...segments]));
    const probe = await ffprobe(file);
    expect(probe.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([
      ['video', 'h264'],
      ['audio', 'aac'],
    ]);
    expect(probe.streams[0].profile).toBe('Constrained Baseline');
    expect(probe.streams[1].sample_rate).toBe('48000');
    // 30 fps and 1024-sample AAC frames: no step above two frames means nothing was lost between segments.
    expect(largestStep(probe.packets, 'video')).toBeLessThanOrEqual(2 / 30 + 0.001);
    expect(largestStep(probe.packets, 'audio')).toBeLessThanOrEqual((2 * 1024) / 48000 + 0.001);
    const videoSeconds = probe.packets.filter((p) => p.codec_type === 'video').length / 30;
    const listed = complete.reduce((n, s) => n + (s.duration ?? 0), 0);
    expect(Math.abs(videoSeconds - listed)).toBeLessThan(0.1);

    // Each segment starts with a keyframe, alone after the init segment.
    for (const [i, bytes] of segments.entries()) {
      const one = join(dir, `seg-${i}.mp4`);
      writeFileSync(one, Buffer.concat([init, bytes]));
      const first = (await ffprobe(one)).packets.find((p) => p.codec_type === 'video');
      expect({ segment: complete[i].msn, keyframe: first?.flags.startsWith('K') }).toEqual({
        segment: complete[i].msn,
        keyframe: true,
      });
    }

    // The last listed complete segment still has its parts listed: they concatenate to the segment.
    const last = complete.at(-1);
    expect(last?.parts.length).toBeGreaterThan(0);
    const parts = await Promise.all(
      (last?.parts ?? []).map(async (p) =>
        Buffer.from(await (await get(`part-${p.msn}-${p.index}.m4s`)).arrayBuffer()),
      ),
    );
    expect(Buffer.concat(parts).equals(segments.at(-1) as Buffer)).toBe(true);
  });

  it('refuses viewers without a valid token with 403 problem+json', async () => {
    const expired = packager.token(conferenceId, stream.streamId, -10);
    const otherStream = packager.token(conferenceId, 'some-other-stream');
    for (const [query, code] of [
      ['', 'hls.token-missing'],
      ['?token=not-a-token', 'hls.token-invalid'],
      [`?token=${expired}`, 'hls.token-expired'],
      [`?token=${otherStream}`, 'hls.token-wrong-stream'],
    ]) {
      const res = await fetch(`${packager.baseUrl}${stream.playlistPath}${query}`);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 403, code });
    }
  });

  it('ends the playlist with EXT-X-ENDLIST when the stream is stopped, and exports its metrics', async () => {
    const stopped = await packager.stopStream(stream.streamId);
    expect(stopped.status).toBe(200);
    expect(await stopped.json()).toMatchObject({ state: 'ended' });
    const text = await (await get('playlist.m3u8')).text();
    expect(checkPlaylist(text)).toEqual([]);
    expect(text.endsWith('#EXT-X-ENDLIST\n')).toBe(true);
    // A blocking reload on an ended stream is answered at once with the final playlist.
    const final = parsePlaylist(text);
    const after = await (
      await get('playlist.m3u8', `&_HLS_msn=${(final.segments.at(-1)?.msn ?? 0) + 1}`)
    ).text();
    expect(after).toBe(text);
    const metrics = await (await fetch(`${packager.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/packager_streams_ended_total 1/);
    expect(metrics).toMatch(/packager_segments_total [1-9]/);
    await sender?.stop(5000);
    sender = undefined;
  });
});
