import pino from 'pino';
import { eventually } from '@hoot/testing';
import { signViewerToken } from '@hoot/auth-kit';
import type { PackagerConfig } from '../config/packager.config';
import { startPackager, type PackagerApp } from '../packager.app';
import { FakeRemuxer } from '../testing/fake-remuxer';
import { SyntheticStream } from '../testing/fmp4-builder';
import { checkPlaylist, parsePlaylist } from '../testing/playlist-conformance';
import { PackagerErrorCode } from '@hoot/contracts';

const KEY = Buffer.from('viewer-key-'.repeat(4));
const CONTROL = 'control-key-0123456789';

const config: PackagerConfig = {
  host: '127.0.0.1',
  port: 0,
  nodeId: 'packager-spec',
  logLevel: 'silent',
  version: 'spec',
  viewerTokenKey: KEY,
  controlKey: CONTROL,
  announcedIp: '127.0.0.1',
  rtpMinPort: 47100,
  rtpMaxPort: 47199,
  ffmpegPath: 'ffmpeg',
  audioBitrate: 96000,
  segmentTargetMs: 2000,
  partTargetMs: 334,
  windowSegments: 6,
  blockingTimeoutMs: 1500,
  endedRetentionMs: 60_000,
  maxStreams: 2,
  corsOrigin: '*',
  keyframeRequestMs: 2000,
  recordingDir: undefined,
  recordingMaxBytes: 1024 ** 3,
};

describe('PackagerServer', () => {
  let app: PackagerApp;
  let base: string;
  const remuxers: FakeRemuxer[] = [];

  beforeAll(async () => {
    app = await startPackager(config, pino({ level: 'silent' }), () => {
      const r = new FakeRemuxer();
      remuxers.push(r);
      return r;
    });
    base = `http://127.0.0.1:${app.address.port}`;
  });
  afterAll(() => app.stop());

  const control = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${CONTROL}`,
        'content-type': 'application/json',
        ...(init.headers ?? {}),
      },
    });

  async function startStream(conferenceId = 'standup') {
    const res = await control('/v1/streams', {
      method: 'POST',
      body: JSON.stringify({ conferenceId, stage: 'dev', userId: 'alice' }),
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as {
      streamId: string;
      playlistPath: string;
      sdpOffer: string;
      rtp: { video: { port: number } };
    };
    const remuxer = remuxers.at(-1) as FakeRemuxer;
    const token = signViewerToken(KEY, {
      conferenceId,
      streamId: body.streamId,
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const media = new SyntheticStream(30, 30);
    let initSent = false;
    const frames = (n: number) => {
      if (!initSent) remuxer.write(media.init);
      initSent = true;
      for (let i = 0; i < n; i += 1) remuxer.write(media.next());
    };
    const url = (file: string, query = '') =>
      `${base}${body.playlistPath.replace('playlist.m3u8', file)}?token=${token}${query}`;
    return { ...body, remuxer, token, frames, url };
  }

  it('serves health and Prometheus metrics', async () => {
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect(await (await fetch(`${base}/health/ready`)).json()).toMatchObject({ status: 'ok' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('packager_live_streams');
    expect(metrics).toContain('process_resident_memory_bytes');
  });

  it('protects the control API with the service key and validates input without changing anything', async () => {
    const anonymous = await fetch(`${base}/v1/streams`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: PackagerErrorCode.ControlUnauthorized });
    const wrong = await fetch(`${base}/v1/streams`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    const before = ((await (await control('/v1/streams')).json()) as { streams: unknown[] }).streams.length;
    for (const body of [
      { conferenceId: 'X', stage: 'dev', userId: 'alice' },
      { conferenceId: 'standup', stage: 'dev', userId: '../etc' },
      { conferenceId: 'standup', stage: 'dev', userId: 'alice', extra: 1 },
      // a stage is a conference id: at most 64 characters
      { conferenceId: 'standup', stage: `a${'b'.repeat(64)}`, userId: 'alice' },
    ]) {
      const res = await control('/v1/streams', { method: 'POST', body: JSON.stringify(body) });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await control('/v1/streams', { method: 'POST', body: '{' })).status).toBe(400);
    expect(
      (await control('/v1/streams', { method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } }))
        .status,
    ).toBe(415);
    expect((await control('/v1/streams/unknown-stream', { method: 'DELETE' })).status).toBe(404);
    const after = ((await (await control('/v1/streams')).json()) as { streams: unknown[] }).streams.length;
    expect(after).toBe(before);
  });

  it('starts a stream: answers the SDP to send H.264 and Opus to, and the playlist path of the seed template', async () => {
    const s = await startStream();
    expect(s.playlistPath).toBe(`/dev/live/alice/${s.streamId}/playlist.m3u8`);
    // the longest conference id is a stage, and its playlist path is served
    const longStage = `a${'b'.repeat(63)}`;
    const long = await control('/v1/streams', {
      method: 'POST',
      body: JSON.stringify({ conferenceId: longStage, stage: longStage, userId: 'alice' }),
    });
    expect(long.status).toBe(201);
    const longStream = (await long.json()) as { streamId: string; playlistPath: string };
    expect(longStream.playlistPath).toBe(`/${longStage}/live/alice/${longStream.streamId}/playlist.m3u8`);
    expect((await fetch(`${base}${longStream.playlistPath}`)).status).toBe(403);
    await control(`/v1/streams/${longStream.streamId}`, { method: 'DELETE' });
    expect(s.sdpOffer).toContain(`m=video ${s.rtp.video.port} RTP/AVP 96`);
    expect(s.sdpOffer).toContain('a=rtpmap:96 H264/90000');
    expect(s.sdpOffer).toContain('a=rtpmap:111 opus/48000/2');
    expect(s.remuxer.sdp).toBe(s.sdpOffer);
    await control(`/v1/streams/${s.streamId}`, { method: 'DELETE' });
  });

  it('answers 403 problem+json with a stable code (and CORS) for missing, bad, expired and foreign tokens', async () => {
    const s = await startStream();
    const path = `${base}${s.playlistPath}`;
    const expired = signViewerToken(KEY, { conferenceId: 'standup', streamId: s.streamId, exp: 1 });
    const otherStream = signViewerToken(KEY, {
      conferenceId: 'standup',
      streamId: 'another-stream',
      exp: 2 ** 31,
    });
    const otherConference = signViewerToken(KEY, {
      conferenceId: 'other-room',
      streamId: s.streamId,
      exp: 2 ** 31,
    });
    const cases: [string, string][] = [
      ['', PackagerErrorCode.TokenMissing],
      ['?token=garbage', PackagerErrorCode.TokenInvalid],
      [`?token=${expired}`, PackagerErrorCode.TokenExpired],
      [`?token=${otherStream}`, PackagerErrorCode.TokenWrongStream],
      [`?token=${otherConference}`, PackagerErrorCode.TokenWrongStream],
    ];
    for (const [query, code] of cases) {
      for (const file of ['playlist.m3u8', 'init.mp4', 'part-0-0.m4s', 'seg-0.m4s']) {
        const res = await fetch(path.replace('playlist.m3u8', file) + query);
        expect({ file, query, status: res.status }).toEqual({ file, query, status: 403 });
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(res.headers.get('access-control-allow-origin')).toBe('*');
        const body = (await res.json()) as Record<string, unknown>;
        expect(body).toMatchObject({ status: 403, code });
        expect(JSON.stringify(body)).not.toMatch(/at .*\.ts|Error:/);
      }
    }
    await control(`/v1/streams/${s.streamId}`, { method: 'DELETE' });
  });

  it('answers 404 for a stream it does not have, and for a path under another user', async () => {
    const token = signViewerToken(KEY, { conferenceId: 'standup', streamId: 'no-such-stream', exp: 2 ** 31 });
    const res = await fetch(`${base}/dev/live/alice/no-such-stream/playlist.m3u8?token=${token}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: PackagerErrorCode.StreamNotFound });
    const s = await startStream();
    const elsewhere = await fetch(s.url('playlist.m3u8').replace('/alice/', '/mallory/'));
    expect(elsewhere.status).toBe(404);
    await control(`/v1/streams/${s.streamId}`, { method: 'DELETE' });
  });

  it('holds the first playlist request until media arrives, then serves a conformant playlist, init, parts and segments', async () => {
    const s = await startStream();
    let answered = false;
    const first = fetch(s.url('playlist.m3u8')).then((r) => {
      answered = true;
      return r;
    });
    await eventually(() => expect(app.registry.get(s.streamId)?.waiting).toBe(1));
    expect(answered).toBe(false);
    s.frames(70);
    const res = await first;
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const text = await res.text();
    expect(checkPlaylist(text)).toEqual([]);
    const playlist = parsePlaylist(text);
    expect(playlist.segments[0].uri).toBe(`seg-0.m4s?token=${s.token}`);
    const init = await fetch(s.url('init.mp4'));
    expect(init.headers.get('content-type')).toBe('video/mp4');
    expect(
      Buffer.from(await init.arrayBuffer())
        .subarray(4, 8)
        .toString(),
    ).toBe('ftyp');
    const part = await fetch(s.url('part-1-0.m4s'));
    expect(part.status).toBe(200);
    expect(
      Buffer.from(await part.arrayBuffer())
        .subarray(4, 8)
        .toString(),
    ).toBe('moof');
    expect((await fetch(s.url('seg-0.m4s'))).status).toBe(200);
    expect((await fetch(s.url('seg-9.m4s'))).status).toBe(404);
    expect((await fetch(s.url('part-0-99.m4s'))).status).toBe(404);
    const head = await fetch(s.url('seg-0.m4s'), { method: 'HEAD' });
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    const preflight = await fetch(s.url('playlist.m3u8'), { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('GET');
    await control(`/v1/streams/${s.streamId}`, { method: 'DELETE' });
  });

  it('holds a blocking reload until the requested part exists, and a preload-hinted part until it is published', async () => {
    const s = await startStream();
    s.frames(70); // segment 0 complete, segment 1 has part 0 (10 frames)
    const playlist = parsePlaylist(await (await fetch(s.url('playlist.m3u8'))).text());
    const hint = playlist.preloadHint as { msn: number; index: number };
    expect(hint).toMatchObject({ msn: 1, index: 1 });
    let reloaded = false;
    const reload = fetch(s.url('playlist.m3u8', `&_HLS_msn=${hint.msn}&_HLS_part=${hint.index}`)).then(
      (r) => {
        reloaded = true;
        return r;
      },
    );
    const hinted = fetch(s.url(`part-${hint.msn}-${hint.index}.m4s`));
    await eventually(() => expect(app.registry.get(s.streamId)?.waiting).toBe(2));
    expect(reloaded).toBe(false);
    s.frames(10);
    const text = await (await reload).text();
    expect(checkPlaylist(text)).toEqual([]);
    const after = parsePlaylist(text);
    expect(after.segments.at(-1)?.parts.map((p) => p.index)).toContain(hint.index);
    expect(after.preloadHint).toMatchObject({ msn: 1, index: 2 });
    const part = await hinted;
    expect(part.status).toBe(200);
    expect(
      Buffer.from(await part.arrayBuffer())
        .subarray(4, 8)
        .toString(),
    ).toBe('moof');
    await control(`/v1/streams/${s.streamId}`, { method: 'DELETE' });
  });

  it('answers 400 for bad delivery directives and 503 when a blocking reload outlasts its bounded wait', async () => {
    const s = await startStream();
    s.frames(70);
    for (const query of [
      '&_HLS_part=1',
      '&_HLS_msn=-1',
      '&_HLS_msn=abc',
      '&_HLS_msn=9',
      '&_HLS_msn=1&_HLS_part=9',
    ]) {
      const res = await fetch(s.url('playlist.m3u8', query));
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(await res.json()).toMatchObject({ code: PackagerErrorCode.ReloadInvalid });
    }
    const timedOut = await fetch(s.url('playlist.m3u8', '&_HLS_msn=2'));
    expect(timedOut.status).toBe(503);
    expect(await timedOut.json()).toMatchObject({ code: PackagerErrorCode.ReloadTimeout });
    await control(`/v1/streams/${s.streamId}`, { method: 'DELETE' });
  });

  it('ends the playlist when the stream is stopped: EXT-X-ENDLIST, waiting reloads answered at once', async () => {
    const s = await startStream();
    s.frames(70);
    const waiting = fetch(s.url('playlist.m3u8', '&_HLS_msn=2'));
    await eventually(() => expect(app.registry.get(s.streamId)?.waiting).toBe(1));
    const stopped = await control(`/v1/streams/${s.streamId}`, { method: 'DELETE' });
    expect(await stopped.json()).toMatchObject({ state: 'ended' });
    const text = await (await waiting).text();
    expect(checkPlaylist(text)).toEqual([]);
    expect(text.endsWith('#EXT-X-ENDLIST\n')).toBe(true);
    expect(parsePlaylist(text).segments.map((x) => x.duration)).toEqual([2, 0.33333]);
  });

  it('ends the playlist when the remuxer dies, and refuses more streams than its maximum', async () => {
    const a = await startStream();
    a.frames(70);
    a.remuxer.crash();
    const text = await (await fetch(a.url('playlist.m3u8'))).text();
    expect(text.endsWith('#EXT-X-ENDLIST\n')).toBe(true);
    const b = await startStream();
    const c = await startStream();
    const full = await control('/v1/streams', {
      method: 'POST',
      body: JSON.stringify({ conferenceId: 'standup', stage: 'dev', userId: 'alice' }),
    });
    expect(full.status).toBe(503);
    expect(await full.json()).toMatchObject({ code: PackagerErrorCode.Full });
    await control(`/v1/streams/${b.streamId}`, { method: 'DELETE' });
    await control(`/v1/streams/${c.streamId}`, { method: 'DELETE' });
  });
});
