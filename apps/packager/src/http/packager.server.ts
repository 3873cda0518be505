import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { ServiceErrorCode } from '@hoot/domain';
import type { ControlCredential } from '../auth/control-credential';
import { verifyViewerToken } from '@hoot/auth-kit';
import { isSatisfied, isTooFarAhead, parseReloadRequest } from '../hls/blocking-reload';
import { renderPlaylist, type PlaylistOptions } from '../hls/playlist-writer';
import type { PackagerMetrics } from '../metrics/packager.metrics';
import type { LiveStream } from '../stream/live-stream';
import { RegistryFullError, type StreamRegistry } from '../stream/stream-registry';
import { AUDIO_PAYLOAD_TYPE, VIDEO_PAYLOAD_TYPE } from '../stream/rtp-sdp';
import { PackagerErrorCode } from '@hoot/contracts';
import { sendProblem } from './problem';

export interface PackagerServerOptions {
  host: string;
  port: number;
  announcedIp: string;
  viewerTokenKey: Buffer;
  control: ControlCredential;
  corsOrigin: string;
  /** Bounded wait for blocking reloads, hinted parts, and a stream's first media. */
  blockingTimeoutMs: number;
  playlist: Omit<PlaylistOptions, 'uriSuffix'>;
  registry: StreamRegistry;
  metrics: PackagerMetrics;
  logger: Logger;
  /** Whether the packager can do its job (ffmpeg present). */
  ready: () => { ok: boolean; detail: string };
  now?: () => number;
}

const BODY_LIMIT_BYTES = 16 * 1024;
const SLUG = /^[a-z0-9][a-z0-9-]{0,31}$/;
const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const CONFERENCE_ID = /^[a-z0-9][a-z0-9-]{2,63}$/;
/** `/{stage}/live/{userId}/{streamId}/{file}`: the seed's URL template and the media beside it. */
const HLS_PATH =
  /^\/([a-z0-9][a-z0-9-]{0,31})\/live\/([A-Za-z0-9][A-Za-z0-9._-]{0,127})\/([A-Za-z0-9_-]{8,64})\/(playlist\.m3u8|init\.mp4|seg-(\d{1,12})\.m4s|part-(\d{1,12})-(\d{1,6})\.m4s)$/;
const STREAM_PATH = /^\/v1\/streams\/([A-Za-z0-9_-]{8,64})$/;

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const MP4_TYPE = 'video/mp4';

class BadRequest extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The packager's one HTTP port: LL-HLS for entitled viewers (CORS, token in the `token` query
 * parameter), the control API for CASH (service key), health and Prometheus metrics.
 */
export class PackagerServer {
  private server: Server | undefined;
  private readonly now: () => number;

  constructor(private readonly options: PackagerServerOptions) {
    this.now = options.now ?? Date.now;
  }

  async start(): Promise<{ host: string; port: number }> {
    const server = createServer((req, res) => {
      const started = performance.now();
      let route = 'unmatched';
      res.once('finish', () =>
        this.options.metrics.requests.observe(
          { route, status_code: String(res.statusCode) },
          (performance.now() - started) / 1000,
        ),
      );
      this.handle(req, res, (name) => (route = name)).catch((error: unknown) => {
        this.options.logger.error(
          { err: error, method: req.method, path: req.url?.split('?')[0] },
          'request failed',
        );
        if (!res.headersSent) sendProblem(res, 500, ServiceErrorCode.Internal, 'internal error');
        else res.destroy();
      });
    });
    server.keepAliveTimeout = 65_000;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    return { host: address.address, port: address.port };
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private cors(): Record<string, string> {
    return {
      'access-control-allow-origin': this.options.corsOrigin,
      'access-control-allow-methods': 'GET, HEAD, OPTIONS',
      'access-control-allow-headers': 'Range',
      'access-control-max-age': '600',
    };
  }

  private async handle(
    req: IncomingMessage,
    res: ServerResponse,
    setRoute: (name: string) => void,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://packager');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (path === '/health/live' || path === '/health/ready' || path === '/metrics') {
      setRoute(path);
      if (method !== 'GET') return sendProblem(res, 405, ServiceErrorCode.RequestInvalid, 'GET only');
      if (path === '/health/live') return this.json(res, 200, { status: 'ok' });
      if (path === '/health/ready') {
        const ready = this.options.ready();
        if (!ready.ok) return sendProblem(res, 503, ServiceErrorCode.NotReady, ready.detail);
        return this.json(res, 200, { status: 'ok', streams: this.options.registry.liveCount });
      }
      const body = await this.options.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': this.options.metrics.registry.contentType });
      res.end(body);
      return;
    }
    if (path === '/v1/streams' || STREAM_PATH.test(path)) {
      setRoute('control');
      return this.control(req, res, path, method);
    }
    const hls = HLS_PATH.exec(path);
    if (hls || /^\/[^/]+\/live\//.test(path)) {
      if (method === 'OPTIONS') {
        setRoute('preflight');
        res.writeHead(204, this.cors());
        res.end();
        return;
      }
      if (method !== 'GET' && method !== 'HEAD') {
        return sendProblem(
          res,
          405,
          ServiceErrorCode.RequestInvalid,
          'GET, HEAD or OPTIONS only',
          this.cors(),
        );
      }
      if (!hls)
        return sendProblem(res, 404, ServiceErrorCode.RouteNotFound, 'no such HLS resource', this.cors());
      return this.viewer(req, res, url, hls, setRoute);
    }
    return sendProblem(res, 404, ServiceErrorCode.RouteNotFound, `no route for ${method} ${path}`);
  }

  // ---------------------------------------------------------------- viewers

  private async viewer(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    match: RegExpExecArray,
    setRoute: (name: string) => void,
  ): Promise<void> {
    const [, stage, userId, streamId, file, segmentMsn, partMsn, partIndex] = match;
    const cors = this.cors();
    setRoute(
      file === 'playlist.m3u8' ? 'playlist' : file === 'init.mp4' ? 'init' : segmentMsn ? 'segment' : 'part',
    );
    const token = url.searchParams.get('token');
    const check = verifyViewerToken(this.options.viewerTokenKey, token, streamId, this.now());
    if (!check.ok) {
      this.options.metrics.denied.inc({ code: check.code });
      return sendProblem(res, 403, check.code, check.detail, cors);
    }
    const stream = this.options.registry.get(streamId);
    if (!stream || stream.identity.stage !== stage || stream.identity.userId !== userId) {
      return sendProblem(res, 404, PackagerErrorCode.StreamNotFound, 'no such live stream', cors);
    }
    if (stream.identity.conferenceId !== check.claims.conferenceId) {
      this.options.metrics.denied.inc({ code: PackagerErrorCode.TokenWrongStream });
      return sendProblem(
        res,
        403,
        PackagerErrorCode.TokenWrongStream,
        'the viewer token is for another stream',
        cors,
      );
    }
    const segmenter = stream.segmenter;
    const timeout = this.options.blockingTimeoutMs;

    if (file === 'playlist.m3u8') {
      const parsed = parseReloadRequest(url.searchParams);
      if (!parsed.ok) return sendProblem(res, 400, PackagerErrorCode.ReloadInvalid, parsed.reason, cors);
      const request = parsed.request;
      if (request) {
        setRoute('playlist-blocking');
        if (isTooFarAhead(segmenter, request)) {
          return sendProblem(
            res,
            400,
            PackagerErrorCode.ReloadInvalid,
            'the requested part is too far ahead of the live edge',
            cors,
          );
        }
        const satisfied = await stream.waitUntil(() => isSatisfied(segmenter, request), timeout);
        if (!satisfied) {
          return sendProblem(
            res,
            503,
            PackagerErrorCode.ReloadTimeout,
            'the requested part did not arrive in time',
            {
              ...cors,
              'retry-after': '1',
            },
          );
        }
      } else {
        const hasMedia = await stream.waitUntil(() => hasFirstMedia(stream), timeout);
        if (!hasMedia) {
          return sendProblem(res, 503, PackagerErrorCode.StreamNotReady, 'the stream has no media yet', {
            ...cors,
            'retry-after': '1',
          });
        }
      }
      const body = renderPlaylist(segmenter, {
        ...this.options.playlist,
        uriSuffix: `?token=${encodeURIComponent(token ?? '')}`,
      });
      return this.media(req, res, 200, PLAYLIST_TYPE, Buffer.from(body), 'no-cache', cors);
    }

    if (file === 'init.mp4') {
      await stream.waitUntil(() => !!segmenter.init || stream.state === 'ended', timeout);
      if (!segmenter.init)
        return sendProblem(res, 404, PackagerErrorCode.MediaNotFound, 'no init segment', cors);
      return this.media(req, res, 200, MP4_TYPE, segmenter.init, 'max-age=3600', cors);
    }

    if (segmentMsn !== undefined) {
      const segment = segmenter.findSegment(Number(segmentMsn));
      if (!segment?.bytes)
        return sendProblem(res, 404, PackagerErrorCode.MediaNotFound, 'no such segment', cors);
      return this.media(req, res, 200, MP4_TYPE, segment.bytes, 'max-age=60', cors);
    }

    const msn = Number(partMsn);
    const index = Number(partIndex);
    let part = segmenter.findPart(msn, index);
    if (!part && isHintable(stream, msn, index)) {
      // The preload hint (§6.2.6): hold the request until the part exists, or cannot any more.
      await stream.waitUntil(
        () => !!segmenter.findPart(msn, index) || stream.state === 'ended' || segmenter.nextPart.msn > msn,
        timeout,
      );
      part = segmenter.findPart(msn, index);
    }
    if (!part) return sendProblem(res, 404, PackagerErrorCode.MediaNotFound, 'no such part', cors);
    return this.media(req, res, 200, MP4_TYPE, part.bytes, 'max-age=60', cors);
  }

  private media(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    type: string,
    body: Buffer,
    cacheControl: string,
    cors: Record<string, string>,
  ): void {
    res.writeHead(status, {
      ...cors,
      'content-type': type,
      'content-length': String(body.length),
      'cache-control': cacheControl,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  // ---------------------------------------------------------------- control API

  private async control(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    method: string,
  ): Promise<void> {
    if (!this.options.control.accepts(req.headers.authorization)) {
      req.resume();
      return sendProblem(
        res,
        401,
        PackagerErrorCode.ControlUnauthorized,
        'the control API needs the service key',
        {
          'www-authenticate': 'Bearer',
        },
      );
    }
    const registry = this.options.registry;
    if (path === '/v1/streams') {
      if (method === 'GET') return this.json(res, 200, { streams: registry.list().map(describe) });
      if (method !== 'POST')
        return sendProblem(res, 405, ServiceErrorCode.RequestInvalid, 'GET or POST only');
      let body: Record<string, unknown>;
      try {
        body = await readJson(req);
      } catch (error) {
        if (error instanceof BadRequest) return sendProblem(res, error.status, error.code, error.message);
        throw error;
      }
      const problems = validateStart(body);
      if (problems.length) return sendProblem(res, 400, ServiceErrorCode.RequestInvalid, problems.join('; '));
      try {
        const stream = await registry.start({
          conferenceId: body.conferenceId as string,
          stage: body.stage as string,
          userId: body.userId as string,
        });
        this.options.metrics.streamsStarted.inc();
        stream.segmenter.subscribe((event) => {
          if (event === 'part') this.options.metrics.parts.inc();
          if (event === 'segment') this.options.metrics.segments.inc();
        });
        return this.json(res, 201, {
          ...describe(stream),
          sdpOffer: stream.sdp,
          rtp: {
            address: this.options.announcedIp,
            video: { port: stream.ports.video, payloadType: VIDEO_PAYLOAD_TYPE, codec: 'H264/90000' },
            audio: { port: stream.ports.audio, payloadType: AUDIO_PAYLOAD_TYPE, codec: 'opus/48000/2' },
          },
        });
      } catch (error) {
        if (error instanceof RegistryFullError) {
          return sendProblem(res, 503, PackagerErrorCode.Full, error.message, { 'retry-after': '5' });
        }
        throw error;
      }
    }
    const streamId = STREAM_PATH.exec(path)?.[1] as string;
    const stream = registry.get(streamId);
    if (!stream) return sendProblem(res, 404, PackagerErrorCode.StreamNotFound, 'no such stream');
    if (method === 'GET') return this.json(res, 200, describe(stream));
    if (method !== 'DELETE')
      return sendProblem(res, 405, ServiceErrorCode.RequestInvalid, 'GET or DELETE only');
    await registry.stop(streamId);
    return this.json(res, 200, describe(stream));
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  }
}

/** The playlist can be served: an init segment and a first part, or the stream ended. */
function hasFirstMedia(stream: LiveStream): boolean {
  const s = stream.segmenter;
  return stream.state === 'ended' || (!!s.init && (s.segments.length > 0 || (s.open?.parts.length ?? 0) > 0));
}

/** A part not there yet that the playlist hints (or the first of the next segment, if a keyframe cuts first). */
function isHintable(stream: LiveStream, msn: number, index: number): boolean {
  if (stream.state === 'ended') return false;
  const next = stream.segmenter.nextPart;
  return (msn === next.msn && index === next.index) || (msn === next.msn + 1 && index === 0);
}

function describe(stream: LiveStream) {
  return {
    streamId: stream.streamId,
    conferenceId: stream.identity.conferenceId,
    stage: stream.identity.stage,
    userId: stream.identity.userId,
    state: stream.state,
    playlistPath: `${stream.basePath}/playlist.m3u8`,
    mediaSequence: stream.segmenter.mediaSequence,
    segments: stream.segmenter.segments.length,
    ...(stream.endReason ? { endReason: stream.endReason } : {}),
  };
}

function validateStart(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const allowed = new Set(['conferenceId', 'stage', 'userId']);
  for (const key of Object.keys(body)) if (!allowed.has(key)) problems.push(`${key}: not allowed`);
  if (typeof body.conferenceId !== 'string' || !CONFERENCE_ID.test(body.conferenceId)) {
    problems.push('conferenceId: must match [a-z0-9][a-z0-9-]{2,63}');
  }
  if (typeof body.stage !== 'string' || !SLUG.test(body.stage))
    problems.push('stage: must match [a-z0-9][a-z0-9-]{0,31}');
  if (typeof body.userId !== 'string' || !USER_ID.test(body.userId)) {
    problems.push('userId: must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}');
  }
  return problems;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    req.resume();
    throw new BadRequest(415, ServiceErrorCode.UnsupportedMediaType, 'request body must be application/json');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT_BYTES)
      throw new BadRequest(413, ServiceErrorCode.RequestTooLarge, 'request body is too large');
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest(400, ServiceErrorCode.RequestMalformed, 'JSON body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BadRequest(400, ServiceErrorCode.RequestInvalid, 'JSON body must be an object');
  }
  return parsed as Record<string, unknown>;
}
