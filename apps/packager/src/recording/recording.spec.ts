import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '@hoot/testing';
import { PackagerErrorCode } from '@hoot/contracts';
import { startFedStream, startHarness, type Harness } from '../testing/packager-harness';
import type { RecordedStreamMeta, RecordingFs } from './recording-store';

const settle = (h: Harness, streamId: string) => h.app.registry.get(streamId)?.recorder?.settled();

describe('recording (control API, disk writer, limits)', () => {
  let dir: string;
  let h: Harness;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'packager-rec-'));
    h = await startHarness({ recordingDir: dir });
  });
  afterEach(async () => {
    await h.app.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const put = (streamId: string, recordingId: string) =>
    h.control(`/v1/streams/${streamId}/recording`, { method: 'PUT', body: JSON.stringify({ recordingId }) });
  const del = (streamId: string) => h.control(`/v1/streams/${streamId}/recording`, { method: 'DELETE' });

  it('keeps every complete segment from the one in progress: init, seg-N, an EVENT then VOD playlist, stream.json', async () => {
    const s = await startFedStream(h);
    s.frames(75); // segment 0 complete, segment 1 in progress (started with a keyframe)
    const started = await put(s.streamId, 'rec-1');
    expect(started.status).toBe(201);
    expect(await started.json()).toEqual({
      recordingId: 'rec-1',
      streamId: s.streamId,
      state: 'recording',
      playlistPath: `/recordings/standup/rec-1/${s.streamId}/playlist.m3u8`,
    });
    const folder = join(dir, 'standup', 'rec-1', s.streamId);
    s.frames(120); // closes segments 1 and 2
    await settle(h, s.streamId);
    const growing = readFileSync(join(folder, 'playlist.m3u8'), 'utf8');
    expect(growing).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(growing).not.toContain('#EXT-X-ENDLIST');
    const live = (await (await h.control(`/v1/streams/${s.streamId}`)).json()) as Record<string, unknown>;
    expect(live.recording).toEqual({ recordingId: 'rec-1', state: 'recording' });
    const metrics = await (await fetch(`${h.base}/metrics`)).text();
    expect(metrics).toMatch(/^packager_recordings_active 1$/m);
    expect(metrics).toMatch(/^packager_recording_used_bytes [1-9]\d*$/m);

    const segmenter = s.stream()?.segmenter;
    const expected = [1, 2].map((msn) => segmenter?.findSegment(msn)?.bytes);
    const stopped = await del(s.streamId);
    expect(stopped.status).toBe(200);
    const meta = (await stopped.json()) as RecordedStreamMeta;
    expect(meta).toMatchObject({
      recordingId: 'rec-1',
      conferenceId: 'standup',
      state: 'complete',
      durationS: 4,
    });
    expect(meta.stopReason).toBeUndefined();
    expect(meta.endedAt).toBeDefined();
    expect(readdirSync(folder).sort()).toEqual([
      'init.mp4',
      'playlist.m3u8',
      'seg-0.m4s',
      'seg-1.m4s',
      'stream.json',
    ]);
    expect(readFileSync(join(folder, 'seg-0.m4s')).equals(expected[0] as Buffer)).toBe(true);
    expect(readFileSync(join(folder, 'seg-1.m4s')).equals(expected[1] as Buffer)).toBe(true);
    expect(readFileSync(join(folder, 'init.mp4')).equals(segmenter?.init as Buffer)).toBe(true);
    const vod = readFileSync(join(folder, 'playlist.m3u8'), 'utf8');
    expect(vod).toMatch(/#EXT-X-PLAYLIST-TYPE:VOD\n/);
    expect(vod.endsWith('seg-1.m4s\n#EXT-X-ENDLIST\n')).toBe(true);
    expect(vod.match(/^#EXTINF:2\.0,$/gm)).toHaveLength(2);
    const onDisk = JSON.parse(readFileSync(join(folder, 'stream.json'), 'utf8')) as RecordedStreamMeta;
    expect(onDisk).toMatchObject({ state: 'complete', durationS: 4, streamId: s.streamId, userId: 'alice' });
    expect(onDisk.bytes).toBeGreaterThan(meta.bytes - 1024);
    // The live stream goes on; the stopped recording is still answered.
    s.frames(60);
    expect(s.stream()?.state).toBe('live');
    expect((await del(s.streamId)).status).toBe(200);
  });

  it('completes the recording with the last segment when the stream is deleted', async () => {
    const s = await startFedStream(h);
    expect((await put(s.streamId, 'rec-2')).status).toBe(201);
    s.frames(100);
    const deleted = await h.control(`/v1/streams/${s.streamId}`, { method: 'DELETE' });
    expect(await deleted.json()).toMatchObject({
      state: 'ended',
      recording: { recordingId: 'rec-2', state: 'complete' },
    });
    const vod = readFileSync(join(dir, 'standup', 'rec-2', s.streamId, 'playlist.m3u8'), 'utf8');
    expect(vod.match(/^#EXTINF:/gm)).toHaveLength(2); // 2 s + the 1.333 s flushed at the end
    expect(vod).toContain('#EXT-X-ENDLIST');
  });

  it('answers 409 recording-exists, 409 not-recording and 400 for a bad recording id', async () => {
    const s = await startFedStream(h);
    const notRecording = await del(s.streamId);
    expect(notRecording.status).toBe(409);
    expect(await notRecording.json()).toMatchObject({ code: PackagerErrorCode.NotRecording, status: 409 });
    expect((await put(s.streamId, 'rec-3')).status).toBe(201);
    const again = await put(s.streamId, 'rec-4');
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: PackagerErrorCode.RecordingExists });
    await del(s.streamId);
    // The same recording id again for this stream: its folder exists.
    expect((await put(s.streamId, 'rec-3')).status).toBe(409);
    expect((await put(s.streamId, 'rec-5')).status).toBe(201);
    for (const id of ['..', '.hidden', 'a/b', '']) expect((await put(s.streamId, id)).status).toBe(400);
  });

  it('ends the recording storage-full when a segment would pass PACKAGER_RECORDING_MAX_BYTES; the live stream goes on', async () => {
    await h.app.stop();
    h = await startHarness({ recordingDir: dir, recordingMaxBytes: 40_000 });
    const s = await startFedStream(h);
    expect((await put(s.streamId, 'small')).status).toBe(201);
    s.frames(60 * 10);
    await settle(h, s.streamId);
    const described = (await (await h.control(`/v1/streams/${s.streamId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(described).toMatchObject({
      state: 'live',
      recording: { recordingId: 'small', state: 'complete', stopReason: 'storage-full' },
    });
    expect(s.stream()?.segmenter.segments.length).toBe(6); // the live window kept filling
    expect(h.app.recordings.store?.usedBytes).toBeLessThanOrEqual(40_000);
    const vod = readFileSync(join(dir, 'standup', 'small', s.streamId, 'playlist.m3u8'), 'utf8');
    expect(vod).toContain('#EXT-X-ENDLIST');
    // Full: a new recording is refused with 507.
    const s2 = await startFedStream(h);
    s2.frames(1);
    const refused = await put(s2.streamId, 'more');
    expect(refused.status).toBe(507);
    expect(await refused.json()).toMatchObject({ code: PackagerErrorCode.StorageFull, status: 507 });
  });

  it.each([
    ['ENOSPC', 'storage-full'],
    ['EIO', 'failed'],
  ])('ends the recording on %s with stopReason %s; the live stream goes on', async (code, reason) => {
    await h.app.stop();
    let failing = false;
    const flaky: RecordingFs = {
      ...fs,
      writeFile: (async (file: string, data: string | Buffer) => {
        if (failing && file.endsWith('.m4s')) throw Object.assign(new Error(code), { code });
        return fs.writeFile(file, data);
      }) as RecordingFs['writeFile'],
    };
    h = await startHarness({ recordingDir: dir }, flaky);
    const s = await startFedStream(h);
    expect((await put(s.streamId, 'flaky')).status).toBe(201);
    s.frames(61);
    await settle(h, s.streamId);
    failing = true;
    s.frames(60);
    await settle(h, s.streamId);
    const described = (await (await h.control(`/v1/streams/${s.streamId}`)).json()) as Record<
      string,
      unknown
    >;
    expect(described).toMatchObject({ state: 'live', recording: { state: 'complete', stopReason: reason } });
    s.frames(60);
    await eventually(() => expect(s.stream()?.segmenter.segments.length).toBe(3), { timeoutMs: 1000 });
    const meta = JSON.parse(readFileSync(join(dir, 'standup', 'flaky', s.streamId, 'stream.json'), 'utf8'));
    expect(meta).toMatchObject({ state: 'complete', stopReason: reason, durationS: 2 });
  });

  it('answers 503 recording-unavailable without PACKAGER_RECORDING_DIR', async () => {
    await h.app.stop();
    h = await startHarness();
    const s = await startFedStream(h);
    const res = await put(s.streamId, 'nowhere');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: PackagerErrorCode.RecordingUnavailable });
    expect(await (await h.control('/v1/recordings?conferenceId=standup')).json()).toEqual({ recordings: [] });
  });
});
