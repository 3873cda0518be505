import type { IncomingMessage, ServerResponse } from 'node:http';
import { PackagerErrorCode } from '@hoot/contracts';
import { ServiceErrorCode } from '@hoot/domain';
import type { ControlCredential } from '../auth/control-credential';
import type { PackagerMetrics } from '../metrics/packager.metrics';
import { CONFERENCE_ID as RECORDED_CONFERENCE_ID, RECORDING_ID } from '../recording/recording-store';
import { RecordingRefused, type RecordingRefusal, type Recordings } from '../recording/recordings';
import { parseRtcpTarget } from '../stream/keyframe-requester';
import type { LiveStream } from '../stream/live-stream';
import { AUDIO_PAYLOAD_TYPE, MEDIA_KINDS, VIDEO_PAYLOAD_TYPE, type MediaKind } from '../stream/rtp-sdp';
import { RegistryFullError, type StreamRegistry } from '../stream/stream-registry';
import { BadRequest, readJson, sendJson } from './http-util';
import { sendMethodNotAllowed, sendProblem } from './problem';

export interface ControlApiOptions {
  announcedIp: string;
  recordings: Recordings;
  /** How often a video stream's media server is sent a PLI once its answer is known. */
  keyframeRequestMs: number;
  control: ControlCredential;
  registry: StreamRegistry;
  metrics: PackagerMetrics;
}

const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const CONFERENCE_ID = /^[a-z0-9][a-z0-9-]{2,63}$/;
/** `/v1/streams/{id}` and its sub-resources. */
export const STREAM_PATH = /^\/v1\/streams\/([A-Za-z0-9_-]{8,64})(?:\/(rtp-answer|recording))?$/;

/** The control API for CASH (`Authorization: Bearer <PACKAGER_CONTROL_KEY>`). */
export class ControlApi {
  constructor(private readonly options: ControlApiOptions) {}

  /** Whether `path` is one of its routes. */
  static matches(path: string): boolean {
    return path === '/v1/streams' || path === '/v1/recordings' || STREAM_PATH.test(path);
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const path = url.pathname;
    if (!this.options.control.accepts(req.headers.authorization)) {
      req.resume();
      return sendProblem(
        res,
        PackagerErrorCode.ControlUnauthorized,
        'the control API needs the service key',
        {
          'www-authenticate': 'Bearer',
        },
      );
    }
    try {
      if (path === '/v1/streams') return await this.streams(req, res, method);
      if (path === '/v1/recordings') return await this.listRecordings(req, res, url, method);
      const [, streamId, sub] = STREAM_PATH.exec(path) as RegExpExecArray;
      const stream = this.options.registry.get(streamId);
      if (!stream) {
        req.resume();
        return sendProblem(res, PackagerErrorCode.StreamNotFound, 'no such stream');
      }
      if (sub === undefined) return await this.stream(res, stream, method);
      if (sub === 'rtp-answer') return await this.rtpAnswer(req, res, stream, method);
      return await this.recording(req, res, stream, method);
    } catch (error) {
      if (error instanceof BadRequest) return sendProblem(res, error.code, error.message);
      throw error;
    }
  }

  private async streams(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    const registry = this.options.registry;
    if (method === 'GET') return sendJson(res, 200, { streams: registry.list().map(describeStream) });
    if (method !== 'POST') {
      req.resume();
      return sendMethodNotAllowed(res, 'GET, POST');
    }
    const body = await readJson(req);
    const problems = validateStart(body);
    if (problems.length) return sendProblem(res, ServiceErrorCode.RequestInvalid, problems.join('; '));
    const kinds =
      body.kinds === undefined
        ? [...MEDIA_KINDS]
        : MEDIA_KINDS.filter((k) => (body.kinds as string[]).includes(k));
    try {
      const stream = await registry.start({
        conferenceId: body.conferenceId as string,
        stage: body.stage as string,
        userId: body.userId as string,
        kinds,
        live: body.live !== false,
      });
      this.options.metrics.streamsStarted.inc();
      stream.segmenter.subscribe((event) => {
        if (event === 'part') this.options.metrics.parts.inc();
        if (event === 'segment') this.options.metrics.segments.inc();
      });
      return sendJson(res, 201, {
        ...describeStream(stream),
        sdpOffer: stream.sdp,
        rtp: {
          address: this.options.announcedIp,
          ...(kinds.includes('video') && {
            video: { port: stream.ports.video, payloadType: VIDEO_PAYLOAD_TYPE, codec: 'H264/90000' },
          }),
          ...(kinds.includes('audio') && {
            audio: { port: stream.ports.audio, payloadType: AUDIO_PAYLOAD_TYPE, codec: 'opus/48000/2' },
          }),
        },
      });
    } catch (error) {
      if (error instanceof RegistryFullError) {
        return sendProblem(res, PackagerErrorCode.Full, error.message, { 'retry-after': '5' });
      }
      throw error;
    }
  }

  /**
   * `POST /v1/streams/{id}/rtp-answer {sdpAnswer}` → 204: the RtpEndpoint's answer to our offer; a video
   * stream's media server is then asked for a keyframe at once and every keyframeRequestMs.
   */
  private async rtpAnswer(
    req: IncomingMessage,
    res: ServerResponse,
    stream: LiveStream,
    method: string,
  ): Promise<void> {
    if (method !== 'POST') {
      req.resume();
      return sendMethodNotAllowed(res, 'POST');
    }
    const body = await readJson(req);
    const extra = Object.keys(body).filter((k) => k !== 'sdpAnswer');
    if (typeof body.sdpAnswer !== 'string' || !body.sdpAnswer.startsWith('v=0') || extra.length) {
      return sendProblem(res, ServiceErrorCode.RequestInvalid, 'body: {sdpAnswer: "v=0…"} only');
    }
    if (stream.state === 'ended')
      return sendProblem(res, PackagerErrorCode.StreamNotFound, 'the stream has ended');
    if (!stream.identity.kinds.includes('video')) {
      res.writeHead(204).end(); // audio only: nothing to ask for
      return;
    }
    const target = parseRtcpTarget(body.sdpAnswer);
    if (!target) {
      return sendProblem(
        res,
        ServiceErrorCode.RequestInvalid,
        'sdpAnswer: no accepted video section with an IPv4 address and port',
      );
    }
    stream.requestKeyframes(target, this.options.keyframeRequestMs);
    res.writeHead(204).end();
  }

  /**
   * `PUT /v1/streams/{id}/recording {recordingId}` → 201 (from the segment in progress, if it starts with
   * a keyframe, else the next); `DELETE` → 200 the completed recorded stream (also when it had already
   * ended early: storage-full/failed); `GET` → 200 the same, under way or not.
   */
  private async recording(
    req: IncomingMessage,
    res: ServerResponse,
    stream: LiveStream,
    method: string,
  ): Promise<void> {
    const recordings = this.options.recordings;
    if (method === 'GET' || method === 'DELETE') {
      req.resume();
      const recorder = stream.recorder;
      if (!recorder) return sendProblem(res, PackagerErrorCode.NotRecording, 'the stream has no recording');
      if (method === 'DELETE') await recordings.stop(stream);
      return sendJson(res, 200, recorder.meta());
    }
    if (method !== 'PUT') {
      req.resume();
      return sendMethodNotAllowed(res, 'GET, PUT, DELETE');
    }
    const body = await readJson(req);
    const extra = Object.keys(body).filter((k) => k !== 'recordingId');
    if (typeof body.recordingId !== 'string' || !RECORDING_ID.test(body.recordingId) || extra.length) {
      return sendProblem(
        res,
        ServiceErrorCode.RequestInvalid,
        'body: {recordingId} only, matching [A-Za-z0-9][A-Za-z0-9._-]{0,127}',
      );
    }
    try {
      const recorder = await recordings.start(stream, body.recordingId);
      return sendJson(res, 201, {
        recordingId: recorder.recordingId,
        streamId: stream.streamId,
        state: recorder.state,
        playlistPath: recorder.playlistPath,
      });
    } catch (error) {
      if (error instanceof RecordingRefused)
        return sendProblem(res, REFUSAL_CODES[error.reason], error.message);
      throw error;
    }
  }

  /** `GET /v1/recordings?conferenceId=X` → every recorded stream of the conference, read from disk. */
  private async listRecordings(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    method: string,
  ): Promise<void> {
    req.resume();
    if (method !== 'GET') return sendMethodNotAllowed(res, 'GET');
    const conferenceId = url.searchParams.get('conferenceId') ?? '';
    if (!RECORDED_CONFERENCE_ID.test(conferenceId)) {
      return sendProblem(
        res,
        ServiceErrorCode.RequestInvalid,
        'conferenceId: must match [a-z0-9][a-z0-9-]{2,63}',
      );
    }
    return sendJson(res, 200, { recordings: await this.options.recordings.list(conferenceId) });
  }

  private async stream(res: ServerResponse, stream: LiveStream, method: string): Promise<void> {
    if (method === 'GET') return sendJson(res, 200, describeStream(stream));
    if (method !== 'DELETE') return sendMethodNotAllowed(res, 'GET, DELETE');
    await this.options.registry.stop(stream.streamId);
    return sendJson(res, 200, describeStream(stream));
  }
}

/** What `GET /v1/streams/{id}` answers. */
export function describeStream(stream: LiveStream) {
  return {
    streamId: stream.streamId,
    conferenceId: stream.identity.conferenceId,
    stage: stream.identity.stage,
    userId: stream.identity.userId,
    kinds: stream.identity.kinds,
    live: stream.identity.live,
    state: stream.state,
    playlistPath: `${stream.basePath}/playlist.m3u8`,
    mediaSequence: stream.segmenter.mediaSequence,
    segments: stream.segmenter.segments.length,
    ...(stream.endReason ? { endReason: stream.endReason } : {}),
    ...(stream.recorder && {
      recording: {
        recordingId: stream.recorder.recordingId,
        state: stream.recorder.state,
        ...(stream.recorder.stopReason && { stopReason: stream.recorder.stopReason }),
      },
    }),
  };
}

const REFUSAL_CODES: Record<RecordingRefusal, PackagerErrorCode> = {
  unavailable: PackagerErrorCode.RecordingUnavailable,
  exists: PackagerErrorCode.RecordingExists,
  'storage-full': PackagerErrorCode.StorageFull,
  ended: PackagerErrorCode.StreamNotFound,
};

function validateStart(body: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const allowed = new Set(['conferenceId', 'stage', 'userId', 'kinds', 'live']);
  for (const key of Object.keys(body)) if (!allowed.has(key)) problems.push(`${key}: not allowed`);
  if (typeof body.conferenceId !== 'string' || !CONFERENCE_ID.test(body.conferenceId)) {
    problems.push('conferenceId: must match [a-z0-9][a-z0-9-]{2,63}');
  }
  if (typeof body.stage !== 'string' || !SLUG.test(body.stage))
    problems.push('stage: must match [a-z0-9][a-z0-9-]{0,63}');
  if (typeof body.userId !== 'string' || !USER_ID.test(body.userId)) {
    problems.push('userId: must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}');
  }
  if (body.kinds !== undefined) {
    const kinds = body.kinds;
    if (
      !Array.isArray(kinds) ||
      kinds.length === 0 ||
      kinds.length > 2 ||
      new Set(kinds).size !== kinds.length ||
      !kinds.every((k) => MEDIA_KINDS.includes(k as MediaKind))
    ) {
      problems.push('kinds: a non-empty list of distinct "audio" and "video"');
    }
  }
  if (body.live !== undefined && typeof body.live !== 'boolean') problems.push('live: a boolean');
  return problems;
}
