import pino from 'pino';
import { signViewerToken } from '@hoot/auth-kit';
import type { PackagerConfig } from '../config/packager.config';
import { startPackager, type PackagerApp } from '../packager.app';
import type { MediaKind } from '../stream/rtp-sdp';
import { FakeRemuxer } from './fake-remuxer';

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
export async function startHarness(overrides: Partial<PackagerConfig> = {}): Promise<Harness> {
  const remuxers: Harness['remuxers'] = [];
  const app = await startPackager(specConfig(overrides), pino({ level: 'silent' }), (_id, kinds) => {
    const remuxer = new FakeRemuxer();
    remuxers.push({ remuxer, kinds });
    return remuxer;
  });
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
