import { infraPath, ManagedProcess, startPackager } from '@hoot/testing';
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
  const packager = await startPackager({ env });
  const { url: baseUrl, control } = packager;
  return {
    baseUrl,
    port: packager.port,
    controlKey: packager.controlKey,
    viewerTokenKey: Buffer.from(packager.viewerTokenKey),
    process: packager.process,
    async startStream(body) {
      const res = await control('POST', '/v1/streams', body);
      if (res.status !== 201) throw new Error(`start stream: ${res.status} ${await res.text()}`);
      return (await res.json()) as StartedStream;
    },
    control,
    stopStream: (streamId) => control('DELETE', `/v1/streams/${streamId}`),
    token: (conferenceId, streamId, seconds = 600) =>
      signViewerToken(Buffer.from(packager.viewerTokenKey), {
        conferenceId,
        streamId,
        exp: Math.floor(Date.now() / 1000) + seconds,
      }),
    stop: () => packager.stop(),
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
