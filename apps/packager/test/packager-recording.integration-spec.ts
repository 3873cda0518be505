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
import { parsePlaylist } from '../src/testing/playlist-conformance';

interface Recorded {
  recordingId: string;
  state: string;
  durationS: number;
  stopReason?: string;
  playlistPath: string;
}

/** A publisher's stream recorded by the real packager from real RTP (ffmpeg), then played back. */
async function livePacker(env: Record<string, string>, conferenceId: string) {
  const packager = await startPackagerProcess(env);
  const stream = await packager.startStream({ conferenceId, stage: 'dev', userId: 'alice' });
  const sender = await startRtpSender(stream);
  const token = packager.token(conferenceId, stream.streamId);
  const livePlaylist = async () =>
    parsePlaylist(await (await fetch(`${packager.baseUrl}${stream.playlistPath}?token=${token}`)).text());
  await eventually(async () => expect((await livePlaylist()).segments.some((s) => s.duration)).toBe(true), {
    timeoutMs: 60_000,
    intervalMs: 500,
    description: 'a first live segment',
  });
  return { packager, stream, sender, token, livePlaylist };
}

describe('packager recording (real process, real RTP from ffmpeg)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'packager-rec-it-'));
  const conferenceId = 'recorded-room';
  let packager: PackagerProcess | undefined;
  let sender: ManagedProcess | undefined;
  let stream: StartedStream;
  let token: string;

  afterEach(async () => {
    await sender?.stop(5000);
    await packager?.stop();
    sender = undefined;
    packager = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records ~6 s: after the stop the VOD playlist has ENDLIST, and ffprobe reads the media continuously', async () => {
    ({ packager, stream, sender, token } = await livePacker(
      { PACKAGER_RECORDING_DIR: join(dir, 'one') },
      conferenceId,
    ));
    const p = packager;
    const started = await p.control('PUT', `/v1/streams/${stream.streamId}/recording`, {
      recordingId: 'rec-it',
    });
    expect(started.status).toBe(201);
    await eventually(
      async () => {
        const res = await p.control('GET', `/v1/streams/${stream.streamId}/recording`);
        expect(((await res.json()) as Recorded).durationS).toBeGreaterThanOrEqual(6);
      },
      { timeoutMs: 60_000, intervalMs: 500, description: '6 s recorded' },
    );
    const stopped = await p.control('DELETE', `/v1/streams/${stream.streamId}/recording`);
    const recorded = (await stopped.json()) as Recorded;
    expect(recorded).toMatchObject({ recordingId: 'rec-it', state: 'complete' });
    expect(recorded.stopReason).toBeUndefined();

    const url = (file: string) =>
      `${p.baseUrl}${recorded.playlistPath.replace('playlist.m3u8', file)}?token=${token}`;
    const text = await (await fetch(url('playlist.m3u8'))).text();
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(text.endsWith('#EXT-X-ENDLIST\n')).toBe(true);
    const uris = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(uris.every((u) => u.endsWith(`?token=${token}`))).toBe(true);
    const durations = [...text.matchAll(/^#EXTINF:([\d.]+),$/gm)].map((m) => Number(m[1]));
    const listed = durations.reduce((n, d) => n + d, 0);
    expect(listed).toBeGreaterThanOrEqual(6);
    const init = Buffer.from(await (await fetch(url('init.mp4'))).arrayBuffer());
    const segments = await Promise.all(
      uris.map(async (u) =>
        Buffer.from(
          await (
            await fetch(`${p.baseUrl}${recorded.playlistPath.replace('playlist.m3u8', u)}`)
          ).arrayBuffer(),
        ),
      ),
    );
    const file = join(dir, 'recording.mp4');
    writeFileSync(file, Buffer.concat([init, ...segments]));
    const probe = await ffprobe(file);
    expect(probe.streams.map((s) => [s.codec_type, s.codec_name])).toEqual([
      ['video', 'h264'],
      ['audio', 'aac'],
    ]);
    expect(largestStep(probe.packets, 'video')).toBeLessThanOrEqual(2 / 30 + 0.001);
    expect(largestStep(probe.packets, 'audio')).toBeLessThanOrEqual((2 * 1024) / 48000 + 0.001);
    const videoSeconds = probe.packets.filter((x) => x.codec_type === 'video').length / 30;
    expect(Math.abs(videoSeconds - listed)).toBeLessThan(0.1);
    expect(probe.packets.find((x) => x.codec_type === 'video')?.flags.startsWith('K')).toBe(true);

    const list = await p.control('GET', `/v1/recordings?conferenceId=${conferenceId}`);
    expect(((await list.json()) as { recordings: Recorded[] }).recordings).toEqual([
      expect.objectContaining({ recordingId: 'rec-it', state: 'complete', durationS: recorded.durationS }),
    ]);
  });

  it('ends the recording storage-full under a tiny PACKAGER_RECORDING_MAX_BYTES while the live playlist advances', async () => {
    let live: Awaited<ReturnType<typeof livePacker>>;
    ({ packager, stream, sender, token } = live = await livePacker(
      { PACKAGER_RECORDING_DIR: join(dir, 'tiny'), PACKAGER_RECORDING_MAX_BYTES: '150000' },
      conferenceId,
    ));
    const p = packager;
    expect(
      (await p.control('PUT', `/v1/streams/${stream.streamId}/recording`, { recordingId: 'rec-tiny' }))
        .status,
    ).toBe(201);
    await eventually(
      async () => {
        const res = await p.control('GET', `/v1/streams/${stream.streamId}`);
        expect(((await res.json()) as { recording: unknown }).recording).toEqual({
          recordingId: 'rec-tiny',
          state: 'complete',
          stopReason: 'storage-full',
        });
      },
      { timeoutMs: 60_000, intervalMs: 500, description: 'the recording ends storage-full' },
    );
    const lastMsn = async () =>
      Math.max(...(await live.livePlaylist()).segments.filter((s) => s.duration).map((s) => s.msn));
    const atFull = await lastMsn();
    await eventually(async () => expect(await lastMsn()).toBeGreaterThan(atFull + 1), {
      timeoutMs: 30_000,
      intervalMs: 500,
      description: 'the live playlist goes on',
    });
    const refused = await p.control('PUT', `/v1/streams/${stream.streamId}/recording`, {
      recordingId: 'rec-more',
    });
    expect(refused.status).toBe(507);
    const text = await (
      await fetch(
        `${p.baseUrl}/recordings/${conferenceId}/rec-tiny/${stream.streamId}/playlist.m3u8?token=${token}`,
      )
    ).text();
    expect(text).toContain('#EXT-X-ENDLIST');
  });
});
