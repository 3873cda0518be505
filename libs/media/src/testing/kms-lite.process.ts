import { join } from 'node:path';
import { freePort, infraPath, ManagedProcess, workspaceRoot } from '@hoot/testing';

export interface KmsLiteProcess {
  /** ws://127.0.0.1:<port>/kurento */
  url: string;
  port: number;
  /** Base URL of the fault controller's admin endpoint. */
  adminUrl: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export interface StartKmsLiteOptions {
  engine?: 'werift' | 'fake';
  sessionGraceMs?: number;
  announcedIp?: string;
  extraArgs?: string[];
}

/** Starts a real kms-lite process on free ports with its fault controller enabled. */
export async function startKmsLite(options: StartKmsLiteOptions = {}): Promise<KmsLiteProcess> {
  const port = await freePort();
  const adminPort = await freePort();
  const root = workspaceRoot();
  const args = [
    '-r',
    join(root, 'tools/ts-node/register.js'),
    join(root, 'apps/kms-lite/src/main.ts'),
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--admin-port',
    String(adminPort),
    '--engine',
    options.engine ?? 'werift',
    '--session-grace-ms',
    String(options.sessionGraceMs ?? 120_000),
    ...(options.announcedIp ? ['--announced-ip', options.announcedIp] : []),
    ...(options.extraArgs ?? []),
  ];
  const child = await ManagedProcess.start({
    name: `kms-lite:${port}`,
    command: process.execPath,
    args,
    cwd: root,
    logFile: infraPath('test-logs', `kms-lite-${port}.log`),
    readyLine: /"msg":"kms-lite ready"/,
    readyTimeoutMs: 60_000,
  });
  return {
    url: `ws://127.0.0.1:${port}/kurento`,
    port,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    process: child,
    stop: () => child.stop(10_000),
  };
}
