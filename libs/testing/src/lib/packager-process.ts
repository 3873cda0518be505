import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, infraPath, ManagedProcess, workspaceRoot } from '@hoot/process';

export interface StartPackagerOptions {
  /** More environment (it wins over the defaults below). */
  env?: Record<string, string>;
  /** `PACKAGER_RECORDING_DIR`: a folder, or `true` for a fresh temporary one; absent, recording is off. */
  recordingDir?: string | true;
  /** Log file name under `.infra/test-logs/` (default `packager-<port>.log`). */
  logName?: string;
}

/** The real packager (`apps/packager/src/main.ts`) as a process, with the keys it was given. */
export interface RunningPackager {
  url: string;
  port: number;
  /** The control API's service key (`Authorization: Bearer …`). */
  controlKey: string;
  /** The HMAC key viewer tokens are signed with (`signViewerToken` of `@hoot/auth-kit`). */
  viewerTokenKey: string;
  recordingDir?: string;
  process: ManagedProcess;
  /** The environment CASH needs to drive it. */
  cashEnv: Record<string, string>;
  /** A control API call with the service key (a JSON body if given). */
  control(method: string, path: string, body?: unknown): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Starts the packager on free ports (HTTP, and 40 RTP ports) with fresh random keys; ready once it logs
 * `packager ready`. The one starter of every spec and benchmark that needs a real packager.
 */
export async function startPackager(options: StartPackagerOptions = {}): Promise<RunningPackager> {
  const port = await freePort();
  const rtpBase = await freePort();
  const root = workspaceRoot();
  const controlKey = randomBytes(24).toString('base64url');
  const viewerTokenKey = randomBytes(32).toString('base64url');
  const recordingDir =
    options.recordingDir === true ? mkdtempSync(join(tmpdir(), 'hoot-packager-rec-')) : options.recordingDir;
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
      ...(recordingDir !== undefined && { PACKAGER_RECORDING_DIR: recordingDir }),
      NODE_ID: `packager-${port}`,
      ...options.env,
    },
    logFile: infraPath('test-logs', options.logName ?? `packager-${port}.log`),
    readyLine: /"msg":"packager ready"/,
    readyTimeoutMs: 60_000,
  });
  const url = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${controlKey}` };
  return {
    url,
    port,
    controlKey,
    viewerTokenKey,
    ...(recordingDir !== undefined && { recordingDir }),
    process: child,
    cashEnv: {
      PACKAGER_URL: url,
      PACKAGER_PUBLIC_URL: url,
      PACKAGER_CONTROL_KEY: controlKey,
      PACKAGER_VIEWER_TOKEN_KEY: viewerTokenKey,
    },
    control: (method, path, body) =>
      fetch(`${url}${path}`, {
        method,
        headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      }),
    stop: () => child.stop(10_000),
  };
}
