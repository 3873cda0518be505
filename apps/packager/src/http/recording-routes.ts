import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { verifyViewerToken } from '@hoot/auth-kit';
import { PackagerErrorCode } from '@hoot/contracts';
import type { PackagerMetrics } from '../metrics/packager.metrics';
import type { RecordingStore } from '../recording/recording-store';
import { RECORDING_FILES, withUriSuffix } from '../recording/vod-playlist';
import { sendProblem } from './problem';

/** `/recordings/{conferenceId}/{recordingId}/{streamId}/{playlist.m3u8|init.mp4|seg-N.m4s}`. */
export const RECORDING_PATH =
  /^\/recordings\/([a-z0-9][a-z0-9-]{2,63})\/([A-Za-z0-9][A-Za-z0-9._-]{0,127})\/([A-Za-z0-9_-]{8,64})\/(playlist\.m3u8|init\.mp4|seg-\d{1,12}\.m4s)$/;

export interface RecordingRoutesOptions {
  store: RecordingStore | undefined;
  viewerTokenKey: Buffer;
  metrics: PackagerMetrics;
  now: () => number;
}

/**
 * The viewer route of recordings: the same token as live viewing (claims {conferenceId, streamId}),
 * every URI of the playlist carrying it, CORS, problem+json. Files are read from disk as they are.
 */
export async function serveRecording(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  match: RegExpExecArray,
  cors: Record<string, string>,
  options: RecordingRoutesOptions,
): Promise<void> {
  const [, conferenceId, recordingId, streamId, file] = match;
  const token = url.searchParams.get('token');
  const check = verifyViewerToken(options.viewerTokenKey, token, streamId, options.now());
  if (!check.ok) {
    options.metrics.denied.inc({ code: check.code });
    return sendProblem(res, check.code, check.detail, cors);
  }
  if (check.claims.conferenceId !== conferenceId) {
    options.metrics.denied.inc({ code: PackagerErrorCode.TokenWrongStream });
    return sendProblem(
      res,
      PackagerErrorCode.TokenWrongStream,
      'the viewer token is for another conference',
      cors,
    );
  }
  const store = options.store;
  const meta = await store?.readMeta(conferenceId, recordingId, streamId);
  if (!store || !meta)
    return sendProblem(res, PackagerErrorCode.RecordingNotFound, 'no such recording', cors);
  let body: Buffer;
  try {
    body = await store.fs.readFile(join(store.folderOf(conferenceId, recordingId, streamId), file));
  } catch {
    return sendProblem(res, PackagerErrorCode.MediaNotFound, `no ${file} in this recording`, cors);
  }
  const playlist = file === RECORDING_FILES.playlist;
  if (playlist)
    body = Buffer.from(withUriSuffix(body.toString('utf8'), `?token=${encodeURIComponent(token ?? '')}`));
  res.writeHead(200, {
    ...cors,
    'content-type': playlist ? 'application/vnd.apple.mpegurl' : 'video/mp4',
    'content-length': String(body.length),
    // A growing (EVENT) playlist changes; media files never do once written.
    'cache-control': playlist ? (meta.state === 'complete' ? 'max-age=60' : 'no-cache') : 'max-age=86400',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
