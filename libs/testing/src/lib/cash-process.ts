import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, infraPath, ManagedProcess, workspaceRoot } from '@hoot/process';

export interface StartCashOptions {
  coremxId: string;
  /** DNS-style mixer address; default `<coremxId>.c1.hoot.mx`. */
  mixerAddress?: string;
  kmsUrl: string;
  kafkaBrokers: string[];
  authUrl: string;
  issuer: string;
  revocationsTopic: string;
  /** The `cash` service account's API key. */
  apiKey: string;
  /** Registries it reports to, by preference. */
  registryUrls: string[];
  /** Extra env (tunables). */
  env?: Record<string, string>;
  logDir?: string;
}

export interface RunningCash {
  coremxId: string;
  mixerAddress: string;
  url: string;
  signalingUrl: string;
  journalDir: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * CASH as a process (`apps/cash/src/main.ts`) with fast heartbeats, for specs and benchmarks of the
 * services around it: its own journal folder (removed by `stop`), reporting to the given registries.
 */
export async function startCashProcess(options: StartCashOptions): Promise<RunningCash> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const signalingUrl = `ws://127.0.0.1:${port}/signal`;
  const mixerAddress = options.mixerAddress ?? `${options.coremxId}.c1.hoot.mx`;
  const journalDir = mkdtempSync(join(tmpdir(), `hoot-cash-journal-${options.coremxId}-`));
  let child: ManagedProcess;
  try {
    child = await ManagedProcess.start({
      name: `cash:${options.coremxId}`,
      command: process.execPath,
      args: [
        '--require',
        join(workspaceRoot(), 'tools/ts-node/register.js'),
        join(workspaceRoot(), 'apps/cash/src/main.ts'),
      ],
      cwd: workspaceRoot(),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ID: `cash-${options.coremxId}`,
        LOG_LEVEL: 'warn',
        COREMX_ID: options.coremxId,
        COREMX_ADDRESS: mixerAddress,
        SIGNALING_URL: signalingUrl,
        KMS_URL: options.kmsUrl,
        KAFKA_BROKERS: options.kafkaBrokers.join(','),
        CCES_JOURNAL_DIR: journalDir,
        AUTH_JWKS_URL: `${options.authUrl}/.well-known/jwks.json`,
        AUTH_URL: options.authUrl,
        AUTH_ISSUER: options.issuer,
        AUTH_REVOCATIONS_TOPIC: options.revocationsTopic,
        CASH_SERVICE_API_KEY: options.apiKey,
        REGISTRY_URLS: options.registryUrls.join(','),
        HEARTBEAT_INTERVAL_MS: '500',
        KMS_HEALTH_INTERVAL_MS: '500',
        LOAD_SAMPLE_INTERVAL_MS: '500',
        ...options.env,
      },
      logFile: infraPath(options.logDir ?? 'test-logs', `cash-${options.coremxId}-${port}.log`),
      readyProbe: async () => {
        const res = await fetch(`${url}/health/ready`);
        if (!res.ok) throw new Error(`cash ready answered ${res.status}: ${await res.text()}`);
      },
      readyTimeoutMs: 90_000,
    });
  } catch (error) {
    rmSync(journalDir, { recursive: true, force: true });
    throw error;
  }
  return {
    coremxId: options.coremxId,
    mixerAddress,
    url,
    signalingUrl,
    journalDir,
    process: child,
    async stop() {
      await child.stop(15_000);
      rmSync(journalDir, { recursive: true, force: true });
    },
  };
}
