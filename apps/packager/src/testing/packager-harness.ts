import pino from 'pino';
import { signViewerToken } from '@hoot/auth-kit';
import type { PackagerConfig } from '../config/packager.config';
import { startPackager, type PackagerApp } from '../packager.app';
import type { MediaKind } from '../stream/rtp-sdp';
import type { RecordingFs } from '../recording/recording-store';
import { FakeRemuxer } from './fake-remuxer';
import { SyntheticStream } from './fmp4-builder';

export const SPEC_VIEWER_KEY = Buffer.from('viewer-key-'.repeat(4));
export const SPEC_CONTROL_KEY = 'control-key-0123456789';

/** A packager config for in-process specs (fake remuxers, port 0). */
export function specConfig(overrides: Partial<PackagerConfig> = {}): PackagerConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    nodeId: 'packager-spec',
    logLevel: 'silent',
    version: 'spec',
    viewerTokenKey: SPEC_VIEWER_KEY,
    controlKey: SPEC_CONTROL_KEY,
    announcedIp: '127.0.0.1',
    rtpMinPort: 47200,
    rtpMaxPort: 47299,
    ffmpegPath: 'ffmpeg',
    audioBitrate: 96000,
    segmentTargetMs: 2000,
    partTargetMs: 334,
    windowSegments: 6,
    blockingTimeoutMs: 1500,
    endedRetentionMs: 60_000,
    maxStreams: 10,
    corsOrigin: '*',
    keyframeRequestMs: 2000,
    recordingDir: undefined,
    recordingMaxBytes: 5 * 1024 ** 3,
    ...overrides,
  };
}

export interface Harness {
  app: PackagerApp;
  base: string;
  /** Every remuxer made, with the kinds it was made for. */
  remuxers: { remuxer: FakeRemuxer; kinds: readonly MediaKind[] }[];
  control(path: string, init?: RequestInit): Promise<Response>;
  token(conferenceId: string, streamId: string, seconds?: number): string;
}

/** The packager in this process with fake remuxers the spec writes fMP4 into. */
export async function startHarness(
  overrides: Partial<PackagerConfig> = {},
  recordingFs?: RecordingFs,
): Promise<Harness> {
  const remuxers: Harness['remuxers'] = [];
  const app = await startPackager(
    specConfig(overrides),
    pino({ level: 'silent' }),
    (_id, kinds) => {
      const remuxer = new FakeRemuxer();
      remuxers.push({ remuxer, kinds });
      return remuxer;
    },
    recordingFs,
  );
  const base = `http://127.0.0.1:${app.address.port}`;
  return {
    app,
    base,
    remuxers,
    control: (path, init = {}) =>
      fetch(`${base}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${SPEC_CONTROL_KEY}`,
          'content-type': 'application/json',
          ...(init.headers ?? {}),
        },
      }),
    token: (conferenceId, streamId, seconds = 600) =>
      signViewerToken(SPEC_VIEWER_KEY, {
        conferenceId,
        streamId,
        exp: Math.floor(Date.now() / 1000) + seconds,
      }),
  };
}

/** A stream started through the control API, fed with synthetic 30 fps A/V (1 s GOP) by the spec. */
export async function startFedStream(
  h: Harness,
  conferenceId = 'standup',
  extra: Record<string, unknown> = {},
) {
  const res = await h.control('/v1/streams', {
    method: 'POST',
    body: JSON.stringify({ conferenceId, stage: 'dev', userId: 'alice', ...extra }),
  });
  if (res.status !== 201) throw new Error(`start: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { streamId: string; playlistPath: string };
  const remuxer = h.remuxers.at(-1)?.remuxer as FakeRemuxer;
  const media = new SyntheticStream(30, 30);
  remuxer.write(media.init);
  return {
    ...body,
    remuxer,
    /** Writes `n` frames (one fragment each). */
    frames(n: number) {
      for (let i = 0; i < n; i += 1) remuxer.write(media.next());
    },
    stream: () => h.app.registry.get(body.streamId),
  };
}
