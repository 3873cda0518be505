import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { infraPath, ManagedProcess, workspaceRoot } from '@hoot/process';

/**
 * Gossip and liveness tunables for specs: registries converge in a fraction of a second, call a silent
 * peer suspect after 1 s and dead after 3 s (the production defaults are minutes-scale safe).
 */
export const REGISTRY_FAST_TUNABLES: Readonly<Record<string, string>> = {
  GOSSIP_INTERVAL_MS: '200',
  GOSSIP_DEBOUNCE_MS: '20',
  GOSSIP_TIMEOUT_MS: '1000',
  SUSPECT_AFTER_MS: '1000',
  DEAD_AFTER_MS: '3000',
  COREMX_HARD_TIMEOUT_MS: '20000',
};

export interface StartRegistryOptions {
  /** `reg-<cloud>-<priority>`. */
  registryId: string;
  /** Its port (allocate every node's port first with `freePort`, so each knows its peers' URLs). */
  port: number;
  /** Every registry node's URL (itself included): the well-known list of `REGISTRY_PEERS`. */
  peers: readonly string[];
  /** Process name in logs; default the registry id (replicas need their own). */
  name?: string;
  /** The URL it advertises; default its own (a replica advertises its node's). */
  publicUrl?: string;
  region?: string;
  latitude?: number;
  longitude?: number;
  authUrl: string;
  issuer: string;
  /** API key of its service account (named after the registry id). */
  apiKey: string;
  mongoUri: string;
  kafkaBrokers: readonly string[];
  /** Shared by every node of a run; a fresh random one when absent. */
  webhookSigningKey?: string;
  /** Extra env (tunables such as `REHOME_INTERVAL_MS`, or `REGISTRY_FAST_TUNABLES`). */
  env?: Record<string, string>;
  logDir?: string;
}

export interface RunningRegistry {
  registryId: string;
  name: string;
  url: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * A registry node as a process (`apps/registry/src/main.ts`) on loopback, ready (`/health/ready`) when
 * this resolves. For specs of the services and clients around it (the SDK's integration spec).
 */
export async function startRegistryProcess(options: StartRegistryOptions): Promise<RunningRegistry> {
  const url = `http://127.0.0.1:${options.port}`;
  const name = options.name ?? options.registryId;
  const child = await ManagedProcess.start({
    name,
    command: process.execPath,
    args: [
      '--require',
      join(workspaceRoot(), 'tools/ts-node/register.js'),
      join(workspaceRoot(), 'apps/registry/src/main.ts'),
    ],
    cwd: workspaceRoot(),
    env: {
      ...process.env,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      NODE_ID: name,
      LOG_LEVEL: 'warn',
      REGISTRY_ID: options.registryId,
      REGISTRY_PUBLIC_URL: options.publicUrl ?? url,
      REGISTRY_PEERS: options.peers.join(','),
      REGISTRY_REGION: options.region ?? options.registryId.split('-')[1],
      REGISTRY_LATITUDE: String(options.latitude ?? 0),
      REGISTRY_LONGITUDE: String(options.longitude ?? 0),
      AUTH_URL: options.authUrl,
      AUTH_ISSUER: options.issuer,
      REGISTRY_SERVICE_API_KEY: options.apiKey,
      MONGO_URI: options.mongoUri,
      KAFKA_BROKERS: options.kafkaBrokers.join(','),
      WEBHOOK_SIGNING_KEY: options.webhookSigningKey ?? randomBytes(32).toString('hex'),
      // Stacks whose CASH still share the one `cash` service account (registries bind each CoreMX to its
      // own `cash-<coremxId>` account); the registry specs pass '' and give every CASH its own account.
      CASH_SHARED_SERVICE_ACCOUNTS: 'cash',
      ...options.env,
    },
    logFile: infraPath(options.logDir ?? 'test-logs', `${name}-${options.port}.log`),
    readyProbe: async () => {
      const res = await fetch(`${url}/health/ready`);
      if (!res.ok) throw new Error(`${name} ready answered ${res.status}`);
    },
    readyTimeoutMs: 90_000,
  });
  return {
    registryId: options.registryId,
    name,
    url,
    process: child,
    stop: () => child.stop(5_000),
  };
}
