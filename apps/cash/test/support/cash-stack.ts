import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestKeyPair } from '@hoot/auth-kit/testing';
import { ManagedProcess, freePort, infraPath, workspaceRoot } from '@hoot/testing';

/**
 * Real processes on loopback for CASH specs and benchmarks: the auth service (service accounts `cash` and
 * the registry), one registry node and CASH itself, on the given Kafka and MongoDB-protocol server. The
 * auth and registry parts follow `apps/registry/test/support/registry-cluster.ts` (an app may not import
 * another app's files, so the few lines needed are repeated here); this one also exposes the auth
 * service's signing key, so specs can sign join tickets as the registry would get them issued.
 */
export interface StackInfra {
  mongoUri: (db: string) => string;
  kafkaBrokers: string[];
  /** Unique per run (topics, databases). */
  prefix: string;
}

export const STACK_ISSUER = 'https://auth.cash-stack.test';
export const REGISTRY_ID = 'reg-c1-1';
const ADMIN_KEY = `admin-${randomBytes(12).toString('hex')}`;
const PASSWORD = 'cash stack password 1';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (n: number) => [...randomBytes(n)].map((b) => ALNUM[b % ALNUM.length]).join('');
const serviceKey = () => `hk_${alnum(16)}_${alnum(43)}`;
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
  private auth: ManagedProcess | undefined;
  private registry: ManagedProcess | undefined;
  private keysDir = '';
  private readonly keys = new Map<string, string>();
  private readonly dirs: string[] = [];

  constructor(private readonly infra: StackInfra) {}

  keyOf(name: string): string {
    const key = this.keys.get(name);
    if (!key) throw new Error(`no service account ${name}`);
    return key;
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
    for (const name of ['cash', REGISTRY_ID]) this.keys.set(name, serviceKey());
    this.keysDir = mkdtempSync(join(tmpdir(), 'hoot-cash-keys-'));
    execFileSync(process.execPath, [
      join(workspaceRoot(), 'apps/auth/scripts/auth-keys.js'),
      '--dir',
      this.keysDir,
    ]);
    this.revocationsTopic = `${this.infra.prefix}.auth.revocations`;
    const authPort = await freePort();
    this.authUrl = `http://127.0.0.1:${authPort}`;
    this.auth = await ManagedProcess.start({
      name: 'auth',
      command: process.execPath,
      args: ['--require', register(), join(workspaceRoot(), 'apps/auth/src/main.ts')],
      cwd: workspaceRoot(),
      env: {
        ...process.env,
        PORT: String(authPort),
        HOST: '127.0.0.1',
        NODE_ID: 'auth-cash-stack',
        LOG_LEVEL: 'warn',
        MONGO_URI: this.infra.mongoUri(`${this.infra.prefix}_auth`),
        KAFKA_BROKERS: this.infra.kafkaBrokers.join(','),
        AUTH_REVOCATIONS_TOPIC: this.revocationsTopic,
        AUTH_ISSUER: STACK_ISSUER,
        AUTH_KEYS_DIR: this.keysDir,
        AUTH_ADMIN_API_KEY: ADMIN_KEY,
        AUTH_BOOTSTRAP_SERVICE_KEYS: [...this.keys].map(([name, key]) => `${name}:${key}`).join(','),
        AUTH_RATE_LIMIT_PER_ADDRESS: '1000000',
        AUTH_RATE_LIMIT_PER_IDENTITY: '1000000',
      },
      logFile: infraPath('test-logs', `cash-stack-auth-${authPort}.log`),
      readyProbe: () => ready(`${this.authUrl}/health/ready`, 'auth'),
      readyTimeoutMs: 90_000,
    });
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
        KAFKA_BROKERS: this.infra.kafkaBrokers.join(','),
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

  async serviceToken(name: string): Promise<string> {
    const res = await fetch(`${this.authUrl}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'api_key', api_key: this.keyOf(name) }),
    });
    if (!res.ok) throw new Error(`service token for ${name}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  /** Creates a user (once) and signs in. */
  async userToken(username: string): Promise<string> {
    await fetch(`${this.authUrl}/v1/admin/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify({ username, displayName: username, password: PASSWORD }),
    });
    const res = await fetch(`${this.authUrl}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'password', username, password: PASSWORD }),
    });
    if (!res.ok) throw new Error(`sign-in of ${username}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  async stop(): Promise<void> {
    await this.registry?.stop(5_000);
    await this.auth?.stop();
    for (const dir of [this.keysDir, ...this.dirs]) if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
