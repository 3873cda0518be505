import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PackagerErrorCode } from '@hoot/contracts';
import { startFedStream, startHarness, type Harness } from '../testing/packager-harness';
import type { RecordedStreamMeta } from '../recording/recording-store';

function sizeOf(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? sizeOf(join(dir, e.name)) : statSync(join(dir, e.name)).size),
    0,
  );
}

describe('recordings: listing and the viewer route', () => {
  const dir = mkdtempSync(join(tmpdir(), 'packager-rec-route-'));
  let h: Harness;
  let streamId: string;
  let path: string;

  beforeAll(async () => {
    h = await startHarness({ recordingDir: dir });
    const s = await startFedStream(h, 'standup');
    streamId = s.streamId;
    const put = await h.control(`/v1/streams/${streamId}/recording`, {
      method: 'PUT',
      body: JSON.stringify({ recordingId: 'rec-a' }),
    });
    path = ((await put.json()) as { playlistPath: string }).playlistPath;
    s.frames(121);
    await h.control(`/v1/streams/${streamId}`, { method: 'DELETE' });
    // Another conference's recording, which no listing of standup may show.
    const other = await startFedStream(h, 'other-room');
    await h.control(`/v1/streams/${other.streamId}/recording`, {
      method: 'PUT',
      body: JSON.stringify({ recordingId: 'rec-b' }),
    });
    other.frames(61);
    await h.control(`/v1/streams/${other.streamId}`, { method: 'DELETE' });
  });
  afterAll(async () => {
    await h.app.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const view = (file: string, token?: string, method = 'GET') =>
    fetch(`${h.base}${path.replace('playlist.m3u8', file)}${token === undefined ? '' : `?token=${token}`}`, {
      method,
    });

  it('lists a conference’s recorded streams from disk, and only with the service key', async () => {
    const res = await h.control('/v1/recordings?conferenceId=standup');
    expect(res.status).toBe(200);
    const { recordings } = (await res.json()) as { recordings: RecordedStreamMeta[] };
    expect(recordings).toEqual([
      expect.objectContaining({
        recordingId: 'rec-a',
        conferenceId: 'standup',
        streamId,
        stage: 'dev',
        userId: 'alice',
        state: 'complete',
        durationS: 4.033, // two 2 s segments and the frame flushed when the stream was deleted
        playlistPath: path,
      }),
    ]);
    expect(recordings[0].bytes).toBeGreaterThan(0);
    expect(typeof recordings[0].startedAt).toBe('string');
    expect((await h.control('/v1/recordings?conferenceId=X')).status).toBe(400);
    expect((await fetch(`${h.base}/v1/recordings?conferenceId=standup`)).status).toBe(401);
  });

  it('serves the VOD playlist with the viewer’s token on every URI, the init and segments, with CORS', async () => {
    const token = h.token('standup', streamId);
    const res = await view('playlist.m3u8', token);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const text = await res.text();
    expect(text).toContain(`#EXT-X-MAP:URI="init.mp4?token=${token}"`);
    expect(text).toContain(`\nseg-0.m4s?token=${token}\n`);
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(text.endsWith('#EXT-X-ENDLIST\n')).toBe(true);
    const segment = await view('seg-1.m4s', token);
    expect(segment.status).toBe(200);
    expect(segment.headers.get('content-type')).toBe('video/mp4');
    expect((await segment.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const head = await view('init.mp4', token, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    const preflight = await view('playlist.m3u8', undefined, 'OPTIONS');
    expect(preflight.status).toBe(204);
  });

  it('refuses a missing, invalid, expired or other-stream token with 403 problem+json; unknown media is 404', async () => {
    for (const [token, code] of [
      [undefined, PackagerErrorCode.TokenMissing],
      ['not-a-token', PackagerErrorCode.TokenInvalid],
      [h.token('standup', streamId, -5), PackagerErrorCode.TokenExpired],
      [h.token('standup', 'another-stream-id'), PackagerErrorCode.TokenWrongStream],
      [h.token('other-room', streamId), PackagerErrorCode.TokenWrongStream],
    ] as const) {
      for (const file of ['playlist.m3u8', 'seg-0.m4s']) {
        const res = await view(file, token);
        expect({ file, token, status: res.status }).toEqual({ file, token, status: 403 });
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(await res.json()).toMatchObject({ status: 403, code });
      }
    }
    const token = h.token('standup', streamId);
    const missing = await view('seg-99.m4s', token);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: PackagerErrorCode.MediaNotFound });
    const unknown = await fetch(
      `${h.base}/recordings/standup/rec-zzz/${streamId}/playlist.m3u8?token=${token}`,
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: PackagerErrorCode.RecordingNotFound });
  });

  it('after a restart: counts the folder’s bytes, lists the same, and completes a recording left open', async () => {
    await h.app.stop();
    // A recording a killed packager left as EVENT / state recording.
    const leftover = join(dir, 'standup', 'rec-dead', 'stream-left-open');
    mkdirSync(leftover, { recursive: true });
    writeFileSync(
      join(leftover, 'playlist.m3u8'),
      '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2.0,\nseg-0.m4s\n',
    );
    const meta: Partial<RecordedStreamMeta> = {
      recordingId: 'rec-dead',
      conferenceId: 'standup',
      streamId: 'stream-left-open',
      startedAt: '2099-01-01T00:00:00.000Z',
      state: 'recording',
      durationS: 2,
    };
    writeFileSync(join(leftover, 'stream.json'), JSON.stringify(meta));
    h = await startHarness({ recordingDir: dir });
    const { recordings } = (await (await h.control('/v1/recordings?conferenceId=standup')).json()) as {
      recordings: RecordedStreamMeta[];
    };
    expect(recordings.map((r) => [r.recordingId, r.state, r.stopReason])).toEqual([
      ['rec-a', 'complete', undefined],
      ['rec-dead', 'complete', 'failed'],
    ]);
    const token = h.token('standup', 'stream-left-open');
    const text = await (
      await fetch(`${h.base}/recordings/standup/rec-dead/stream-left-open/playlist.m3u8?token=${token}`)
    ).text();
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(text.endsWith('#EXT-X-ENDLIST\n')).toBe(true);
    expect(h.app.recordings.store?.usedBytes).toBeGreaterThan(0);
    // The count at start is what the folder held then (the leftover was completed after the scan).
    expect(Math.abs((h.app.recordings.store?.usedBytes ?? 0) - sizeOf(dir))).toBeLessThan(200);
  });
});
