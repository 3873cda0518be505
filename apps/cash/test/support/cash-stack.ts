import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestKeyPair } from '@hoot/auth-kit/testing';
import {
  ManagedProcess,
  freePort,
  infraPath,
  startAuthService,
  workspaceRoot,
  type RunningAuthService,
} from '@hoot/testing';

/**
 * Real processes on loopback for CASH specs and benchmarks: the auth service (service accounts `cash` and
 * the registry; `startAuthService` from @hoot/testing), one registry node and CASH itself, on the given
 * Kafka and MongoDB-protocol server. It also exposes the auth service's signing key, so specs can sign
 * join tickets as the registry would get them issued.
 */
export interface StackInfra {
  mongoUri: (db: string) => string;
  kafkaBrokers: string[];
  /** Unique per run (topics, databases). */
  prefix: string;
}

export const STACK_ISSUER = 'https://auth.cash-stack.test';
export const REGISTRY_ID = 'reg-c1-1';
const register = () => join(workspaceRoot(), 'tools/ts-node/register.js');

async function ready(url: string, what: string): Promise<void> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${what} ready answered ${res.status}: ${await res.text()}`);
}

export interface CashProcessOptions {
  coremxId: string;
  kmsUrl: string;
  /** Extra env (tunables). */
  env?: Record<string, string>;
  /** The brokers CASH publishes to; the stack's Kafka by default (a dedicated broker for outage specs). */
  kafkaBrokers?: string[];
}

export interface RunningCash {
  coremxId: string;
  url: string;
  signalingUrl: string;
  journalDir: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

export class CashStack {
  authUrl = '';
  registryUrl = '';
  revocationsTopic = '';
  private auth: RunningAuthService | undefined;
  private registry: ManagedProcess | undefined;
  private keysDir = '';
  private readonly dirs: string[] = [];

  constructor(private readonly infra: StackInfra) {}

  keyOf(name: string): string {
    return this.authService().keyOf(name);
  }

  private authService(): RunningAuthService {
    if (!this.auth) throw new Error('the stack is not started');
    return this.auth;
  }

  /** The auth service's signing key (the only key in its directory), to sign join tickets with. */
  signingKey(): TestKeyPair {
    const file = readdirSync(this.keysDir).find((f) => f.endsWith('.pem'));
    if (!file) throw new Error(`no key in ${this.keysDir}`);
    const privateKey = createPrivateKey(readFileSync(join(this.keysDir, file)));
    const publicKey = createPublicKey(privateKey);
    return {
      kid: file.replace(/\.pem$/, ''),
      privateKey,
      publicKey,
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
  }

  async start(): Promise<void> {
    this.revocationsTopic = `${this.infra.prefix}.auth.revocations`;
    this.auth = await startAuthService({
      mongoUri: this.infra.mongoUri(`${this.infra.prefix}_auth`),
      kafkaBrokers: this.infra.kafkaBrokers,
      revocationsTopic: this.revocationsTopic,
      issuer: STACK_ISSUER,
      serviceAccounts: ['cash', REGISTRY_ID],
      name: 'auth-cash-stack',
    });
    this.authUrl = this.auth.url;
    this.keysDir = this.auth.keysDir;
    const regPort = await freePort();
    this.registryUrl = `http://127.0.0.1:${regPort}`;
    this.registry = await ManagedProcess.start({
      name: REGISTRY_ID,
      command: process.execPath,
      args: ['--require', register(), join(workspaceRoot(), 'apps/registry/src/main.ts')],
      cwd: workspaceRoot(),
      env: {
        ...process.env,
        PORT: String(regPort),
        HOST: '127.0.0.1',
        NODE_ID: REGISTRY_ID,
        LOG_LEVEL: 'warn',
        REGISTRY_ID,
        REGISTRY_PUBLIC_URL: this.registryUrl,
        REGISTRY_PEERS: this.registryUrl,
        REGISTRY_REGION: 'c1',
        REGISTRY_LATITUDE: '0',
        REGISTRY_LONGITUDE: '0',
        AUTH_URL: this.authUrl,
        AUTH_ISSUER: STACK_ISSUER,
        REGISTRY_SERVICE_API_KEY: this.keyOf(REGISTRY_ID),
        MONGO_URI: this.infra.mongoUri(`${this.infra.prefix}_registry`),
        // The registry reads every CoreMX's CCES topic (its conference directory) from the stack's broker.
        KAFKA_BROKERS: this.infra.kafkaBrokers.join(','),
        WEBHOOK_SIGNING_KEY: randomBytes(32).toString('hex'),
        GOSSIP_INTERVAL_MS: '200',
        GOSSIP_DEBOUNCE_MS: '20',
        GOSSIP_TIMEOUT_MS: '1000',
        SUSPECT_AFTER_MS: '5000',
        DEAD_AFTER_MS: '15000',
        COREMX_HARD_TIMEOUT_MS: '60000',
      },
      logFile: infraPath('test-logs', `cash-stack-registry-${regPort}.log`),
      readyProbe: () => ready(`${this.registryUrl}/health/ready`, 'registry'),
      readyTimeoutMs: 90_000,
    });
  }

  /** Starts CASH as a process (`node -r tools/ts-node/register.js apps/cash/src/main.ts`). */
  async startCash(options: CashProcessOptions): Promise<RunningCash> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const signalingUrl = `ws://127.0.0.1:${port}/signal`;
    const journalDir = mkdtempSync(join(tmpdir(), `hoot-cash-journal-${options.coremxId}-`));
    this.dirs.push(journalDir);
    const child = await ManagedProcess.start({
      name: `cash:${options.coremxId}`,
      command: process.execPath,
      args: ['--require', register(), join(workspaceRoot(), 'apps/cash/src/main.ts')],
      cwd: workspaceRoot(),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ID: `cash-${options.coremxId}`,
        LOG_LEVEL: 'warn',
        COREMX_ID: options.coremxId,
        COREMX_ADDRESS: `${options.coremxId}.c1.hoot.mx`,
        SIGNALING_URL: signalingUrl,
        KMS_URL: options.kmsUrl,
        KAFKA_BROKERS: (options.kafkaBrokers ?? this.infra.kafkaBrokers).join(','),
        CCES_JOURNAL_DIR: journalDir,
        AUTH_JWKS_URL: `${this.authUrl}/.well-known/jwks.json`,
        AUTH_URL: this.authUrl,
        AUTH_ISSUER: STACK_ISSUER,
        AUTH_REVOCATIONS_TOPIC: this.revocationsTopic,
        CASH_SERVICE_API_KEY: this.keyOf('cash'),
        REGISTRY_URLS: this.registryUrl,
        HEARTBEAT_INTERVAL_MS: '500',
        KMS_HEALTH_INTERVAL_MS: '500',
        LOAD_SAMPLE_INTERVAL_MS: '500',
        ...options.env,
      },
      logFile: infraPath('test-logs', `cash-${options.coremxId}-${port}.log`),
      readyProbe: () => ready(`${url}/health/ready`, 'cash'),
      readyTimeoutMs: 90_000,
    });
    return {
      coremxId: options.coremxId,
      url,
      signalingUrl,
      journalDir,
      process: child,
      stop: () => child.stop(15_000),
    };
  }

  serviceToken(name: string): Promise<string> {
    return this.authService().serviceToken(name);
  }

  /** Creates a user (once) and signs in. */
  userToken(username: string): Promise<string> {
    return this.authService().userToken(username);
  }

  async stop(): Promise<void> {
    await this.registry?.stop(5_000);
    await this.auth?.stop();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}
