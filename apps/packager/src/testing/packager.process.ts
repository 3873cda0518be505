import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { freePort, infraPath, ManagedProcess, workspaceRoot } from '@hoot/testing';
import { signViewerToken } from '@hoot/auth-kit';

export interface PackagerProcess {
  baseUrl: string;
  port: number;
  controlKey: string;
  viewerTokenKey: Buffer;
  process: ManagedProcess;
  /** POST /v1/streams with the service key. */
  startStream(body: {
    conferenceId: string;
    stage: string;
    userId: string;
    kinds?: ('audio' | 'video')[];
    live?: boolean;
  }): Promise<StartedStream>;
  /** Any control API call with the service key (JSON body if given). */
  control(method: string, path: string, body?: unknown): Promise<Response>;
  /** DELETE /v1/streams/:id. */
  stopStream(streamId: string): Promise<Response>;
  /** A viewer token for a stream, valid `seconds` from now. */
  token(conferenceId: string, streamId: string, seconds?: number): string;
  stop(): Promise<void>;
}

export interface StartedStream {
  streamId: string;
  playlistPath: string;
  sdpOffer: string;
  rtp: {
    address: string;
    video?: { port: number; payloadType: number };
    audio?: { port: number; payloadType: number };
  };
}

/** Starts the real packager (`apps/packager/src/main.ts`) on free ports, with fresh random keys. */
export async function startPackagerProcess(env: Record<string, string> = {}): Promise<PackagerProcess> {
  const port = await freePort();
  const rtpBase = await freePort();
  const root = workspaceRoot();
  const controlKey = randomBytes(24).toString('base64url');
  const viewerTokenKey = randomBytes(32).toString('base64url');
  const child = await ManagedProcess.start({
    name: `packager:${port}`,
    command: process.execPath,
    args: ['-r', join(root, 'tools/ts-node/register.js'), join(root, 'apps/packager/src/main.ts')],
    cwd: root,
    env: {
      ...process.env,
      PACKAGER_PORT: String(port),
      PACKAGER_HOST: '127.0.0.1',
      PACKAGER_RTP_MIN_PORT: String(rtpBase),
      PACKAGER_RTP_MAX_PORT: String(rtpBase + 39),
      PACKAGER_CONTROL_KEY: controlKey,
      PACKAGER_VIEWER_TOKEN_KEY: viewerTokenKey,
      NODE_ID: `packager-${port}`,
      ...env,
    },
    logFile: infraPath('test-logs', `packager-${port}.log`),
    readyLine: /"msg":"packager ready"/,
    readyTimeoutMs: 60_000,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${controlKey}` };
  return {
    baseUrl,
    port,
    controlKey,
    viewerTokenKey: Buffer.from(viewerTokenKey),
    process: child,
    async startStream(body) {
      const res = await fetch(`${baseUrl}/v1/streams`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (res.status !== 201) throw new Error(`start stream: ${res.status} ${await res.text()}`);
      return (await res.json()) as StartedStream;
    },
    control: (method, path, body) =>
      fetch(`${baseUrl}${path}`, {
        method,
        headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      }),
    stopStream: (streamId) => fetch(`${baseUrl}/v1/streams/${streamId}`, { method: 'DELETE', headers: auth }),
    token: (conferenceId, streamId, seconds = 600) =>
      signViewerToken(Buffer.from(viewerTokenKey), {
        conferenceId,
        streamId,
        exp: Math.floor(Date.now() / 1000) + seconds,
      }),
    stop: () => child.stop(10_000),
  };
}

/**
 * A publisher made of ffmpeg itself: a test pattern encoded to H.264 (Constrained Baseline, a keyframe
 * every `gop` frames) and a sine tone to Opus, sent as plain RTP streams with the payload types of the
 * packager's SDP (only the kinds the stream has ports for), at real-time pace.
 */
export async function startRtpSender(
  stream: StartedStream,
  options: { fps?: number; gop?: number; videoBitrate?: string; size?: string } = {},
): Promise<ManagedProcess> {
  const fps = options.fps ?? 30;
  const { address, video, audio } = stream.rtp;
  const videoArgs = video
    ? [
        '-map',
        '0:v',
        '-c:v',
        'libx264',
        '-profile:v',
        'baseline',
        '-tune',
        'zerolatency',
        '-preset',
        'veryfast',
        '-pix_fmt',
        'yuv420p',
        '-g',
        String(options.gop ?? fps),
        '-b:v',
        options.videoBitrate ?? '300k',
        '-f',
        'rtp',
        '-payload_type',
        String(video.payloadType),
        `rtp://${address}:${video.port}`,
      ]
    : [];
  const audioArgs = audio
    ? [
        '-map',
        '1:a',
        '-c:a',
        'libopus',
        '-b:a',
        '48k',
        '-f',
        'rtp',
        '-payload_type',
        String(audio.payloadType),
        `rtp://${address}:${audio.port}`,
      ]
    : [];
  const firstPort = (video ?? audio)?.port ?? 0;
  return ManagedProcess.start({
    name: `rtp-sender:${firstPort}`,
    command: 'ffmpeg',
    args: [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'warning',
      '-re',
      '-f',
      'lavfi',
      '-i',
      `testsrc=size=${options.size ?? '320x240'}:rate=${fps}`,
      '-re',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      ...videoArgs,
      ...audioArgs,
    ],
    logFile: infraPath('test-logs', `rtp-sender-${firstPort}.log`),
  });
}
