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
import type { StreamRegistry } from '../stream/stream-registry';
import { PackagerErrorCode } from '@hoot/contracts';
import type { Recordings } from '../recording/recordings';
import { ControlApi } from './control-api';
import { RECORDING_PATH, serveRecording } from './recording-routes';
import { sendJson } from './http-util';
import { sendMethodNotAllowed, sendProblem } from './problem';

export interface PackagerServerOptions {
  host: string;
  port: number;
  announcedIp: string;
  viewerTokenKey: Buffer;
  control: ControlCredential;
  corsOrigin: string;
  /** How often a video stream's media server is sent a PLI once its answer is known. */
  keyframeRequestMs: number;
  /** Bounded wait for blocking reloads, hinted parts, and a stream's first media. */
  blockingTimeoutMs: number;
  playlist: Omit<PlaylistOptions, 'uriSuffix'>;
  registry: StreamRegistry;
  recordings: Recordings;
  metrics: PackagerMetrics;
  logger: Logger;
  /** Whether the packager can do its job (ffmpeg present). */
  ready: () => { ok: boolean; detail: string };
  now?: () => number;
}

/** `/{stage}/live/{userId}/{streamId}/{file}`: the seed's URL template and the media beside it. */
const HLS_PATH =
  /^\/([a-z0-9][a-z0-9-]{0,63})\/live\/([A-Za-z0-9][A-Za-z0-9._-]{0,127})\/([A-Za-z0-9_-]{8,64})\/(playlist\.m3u8|init\.mp4|seg-(\d{1,12})\.m4s|part-(\d{1,12})-(\d{1,6})\.m4s)$/;

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
const MP4_TYPE = 'video/mp4';

/**
 * The packager's one HTTP port: LL-HLS for entitled viewers (CORS, token in the `token` query
 * parameter), the control API for CASH (service key), health and Prometheus metrics.
 */
export class PackagerServer {
  private server: Server | undefined;
  private readonly now: () => number;
  private readonly controlApi: ControlApi;

  constructor(private readonly options: PackagerServerOptions) {
    this.now = options.now ?? Date.now;
    this.controlApi = new ControlApi(options);
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
        if (!res.headersSent) sendProblem(res, ServiceErrorCode.Internal, 'internal error');
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
      if (method !== 'GET') return sendMethodNotAllowed(res, 'GET');
      if (path === '/health/live') return this.json(res, 200, { status: 'ok' });
      if (path === '/health/ready') {
        const ready = this.options.ready();
        if (!ready.ok) return sendProblem(res, ServiceErrorCode.NotReady, ready.detail);
        return this.json(res, 200, { status: 'ok', streams: this.options.registry.liveCount });
      }
      const body = await this.options.metrics.registry.metrics();
      res.writeHead(200, { 'content-type': this.options.metrics.registry.contentType });
      res.end(body);
      return;
    }
    if (ControlApi.matches(path)) {
      setRoute('control');
      return this.controlApi.handle(req, res, url, method);
    }
    const recorded = RECORDING_PATH.exec(path);
    const hls = HLS_PATH.exec(path);
    if (recorded || path.startsWith('/recordings/')) {
      setRoute(recorded ? 'recording' : 'unmatched');
      if (method === 'OPTIONS') {
        res.writeHead(204, this.cors());
        res.end();
        return;
      }
      if (method !== 'GET' && method !== 'HEAD')
        return sendMethodNotAllowed(res, 'GET, HEAD, OPTIONS', this.cors());
      if (!recorded)
        return sendProblem(res, ServiceErrorCode.RouteNotFound, 'no such recording resource', this.cors());
      return serveRecording(req, res, url, recorded, this.cors(), {
        store: this.options.recordings.store,
        viewerTokenKey: this.options.viewerTokenKey,
        metrics: this.options.metrics,
        now: this.now,
      });
    }
    if (hls || /^\/[^/]+\/live\//.test(path)) {
      if (method === 'OPTIONS') {
        setRoute('preflight');
        res.writeHead(204, this.cors());
        res.end();
        return;
      }
      if (method !== 'GET' && method !== 'HEAD') {
        return sendMethodNotAllowed(res, 'GET, HEAD, OPTIONS', this.cors());
      }
      if (!hls) return sendProblem(res, ServiceErrorCode.RouteNotFound, 'no such HLS resource', this.cors());
      return this.viewer(req, res, url, hls, setRoute);
    }
    return sendProblem(res, ServiceErrorCode.RouteNotFound, `no route for ${method} ${path}`);
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
      return sendProblem(res, check.code, check.detail, cors);
    }
    const stream = this.options.registry.get(streamId);
    if (
      !stream ||
      !stream.identity.live ||
      stream.identity.stage !== stage ||
      stream.identity.userId !== userId
    ) {
      return sendProblem(res, PackagerErrorCode.StreamNotFound, 'no such live stream', cors);
    }
    if (stream.identity.conferenceId !== check.claims.conferenceId) {
      this.options.metrics.denied.inc({ code: PackagerErrorCode.TokenWrongStream });
      return sendProblem(
        res,
        PackagerErrorCode.TokenWrongStream,
        'the viewer token is for another stream',
        cors,
      );
    }
    const segmenter = stream.segmenter;
    const timeout = this.options.blockingTimeoutMs;

    if (file === 'playlist.m3u8') {
      const parsed = parseReloadRequest(url.searchParams);
      if (!parsed.ok) return sendProblem(res, PackagerErrorCode.ReloadInvalid, parsed.reason, cors);
      const request = parsed.request;
      if (request) {
        setRoute('playlist-blocking');
        if (isTooFarAhead(segmenter, request)) {
          return sendProblem(
            res,
            PackagerErrorCode.ReloadInvalid,
            'the requested part is too far ahead of the live edge',
            cors,
          );
        }
        const satisfied = await stream.waitUntil(() => isSatisfied(segmenter, request), timeout);
        if (!satisfied) {
          return sendProblem(
            res,
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
          return sendProblem(res, PackagerErrorCode.StreamNotReady, 'the stream has no media yet', {
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
      if (!segmenter.init) return sendProblem(res, PackagerErrorCode.MediaNotFound, 'no init segment', cors);
      return this.media(req, res, 200, MP4_TYPE, segmenter.init, 'max-age=3600', cors);
    }

    if (segmentMsn !== undefined) {
      const segment = segmenter.findSegment(Number(segmentMsn));
      if (!segment?.bytes) return sendProblem(res, PackagerErrorCode.MediaNotFound, 'no such segment', cors);
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
    if (!part) return sendProblem(res, PackagerErrorCode.MediaNotFound, 'no such part', cors);
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

  private json(res: ServerResponse, status: number, body: unknown): void {
    sendJson(res, status, body);
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
