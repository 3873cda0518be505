import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, infraPath, ManagedProcess, workspaceRoot } from '@hoot/testing';

/** The real packager (`apps/packager/src/main.ts`) as a process, as its own harness starts it. */
export interface RunningPackager {
  url: string;
  controlKey: string;
  viewerTokenKey: string;
  recordingDir: string;
  /** The env CASH needs to drive it. */
  cashEnv: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts the packager on free ports with fresh keys and a recording folder of its own (an app may not
 * import another app's files, so this is the few lines of apps/packager's `startPackagerProcess` CASH needs).
 */
export async function startPackager(env: Record<string, string> = {}): Promise<RunningPackager> {
  const port = await freePort();
  const rtpBase = await freePort();
  const root = workspaceRoot();
  const controlKey = randomBytes(24).toString('base64url');
  const viewerTokenKey = randomBytes(32).toString('base64url');
  const recordingDir = mkdtempSync(join(tmpdir(), 'cash-packager-rec-'));
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
      PACKAGER_RECORDING_DIR: recordingDir,
      NODE_ID: `packager-${port}`,
      ...env,
    },
    logFile: infraPath('test-logs', `cash-packager-${port}.log`),
    readyLine: /"msg":"packager ready"/,
    readyTimeoutMs: 60_000,
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    controlKey,
    viewerTokenKey,
    recordingDir,
    cashEnv: {
      PACKAGER_URL: url,
      PACKAGER_PUBLIC_URL: url,
      PACKAGER_CONTROL_KEY: controlKey,
      PACKAGER_VIEWER_TOKEN_KEY: viewerTokenKey,
    },
    stop: () => child.stop(10_000),
  };
}

/**
 * A camera made of ffmpeg: a test pattern as H.264 Constrained Baseline (a keyframe every second, SPS/PPS
 * with each) and a sine as Opus, sent as plain RTP to two local ports at real-time pace.
 */
export function startRtpSource(videoPort: number, audioPort: number): Promise<ManagedProcess> {
  return ManagedProcess.start({
    name: `rtp-source:${videoPort}`,
    command: 'ffmpeg',
    args: [
      ...['-hide_banner', '-nostdin', '-loglevel', 'warning'],
      ...['-re', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30'],
      ...['-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
      ...['-map', '0:v', '-c:v', 'libx264', '-profile:v', 'baseline', '-tune', 'zerolatency'],
      ...['-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '30', '-b:v', '300k'],
      ...['-x264-params', 'repeat-headers=1', '-f', 'rtp', '-payload_type', '96'],
      `rtp://127.0.0.1:${videoPort}`,
      ...['-map', '1:a', '-c:a', 'libopus', '-b:a', '48k', '-f', 'rtp', '-payload_type', '111'],
      `rtp://127.0.0.1:${audioPort}`,
    ],
    logFile: infraPath('test-logs', `cash-rtp-source-${videoPort}.log`),
  });
}
