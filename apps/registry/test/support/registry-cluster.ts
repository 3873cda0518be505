import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess, freePort, infraPath, workspaceRoot } from '@hoot/testing';

/**
 * Real processes on loopback for registry specs and the gossip benchmark: the auth service (service
 * accounts for every registry and for a CASH, a user) and any number of registry nodes, on the given
 * Kafka and MongoDB-protocol server.
 */
export interface ClusterInfra {
  mongoUri: (db: string) => string;
  kafkaBrokers: string[];
  /** Unique per run (topics, databases). */
  prefix: string;
}

export interface RegistrySpec {
  registryId: string;
  /** Another replica of `registryId` (same identity and database), addressed by this name. */
  replica?: string;
  region?: string;
  latitude?: number;
  longitude?: number;
  /** Extra env (tunables). */
  env?: Record<string, string>;
}

const ADMIN_KEY = `admin-${randomBytes(12).toString('hex')}`;
const ISSUER = 'https://auth.registry-cluster.test';
const PASSWORD = 'cluster password 1';
const register = () => join(workspaceRoot(), 'tools/ts-node/register.js');

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const alnum = (n: number) => [...randomBytes(n)].map((b) => ALNUM[b % ALNUM.length]).join('');
const serviceKey = () => `hk_${alnum(16)}_${alnum(43)}`;

export const FAST_TUNABLES = {
  GOSSIP_INTERVAL_MS: '200',
  GOSSIP_DEBOUNCE_MS: '20',
  GOSSIP_TIMEOUT_MS: '1000',
  SUSPECT_AFTER_MS: '1000',
  DEAD_AFTER_MS: '3000',
  COREMX_HARD_TIMEOUT_MS: '20000',
};

export class RegistryCluster {
  readonly registries = new Map<
    string,
    { spec: RegistrySpec; port: number; url: string; mongoUri: string; process?: ManagedProcess }
  >();
  private auth: ManagedProcess | undefined;
  private keysDir = '';
  private readonly keys = new Map<string, string>();
  authUrl = '';

  constructor(
    private readonly infra: ClusterInfra,
    private readonly specs: RegistrySpec[],
    private readonly logDir = 'test-logs',
  ) {}

  /** The API key of a service account (`cash` or a registry id). */
  keyOf(name: string): string {
    const key = this.keys.get(name);
    if (!key) throw new Error(`no service account ${name}`);
    return key;
  }

  urlOf(registryId: string): string {
    const r = this.registries.get(registryId);
    if (!r) throw new Error(`no registry ${registryId}`);
    return r.url;
  }

  async start(): Promise<void> {
    const databases = new Map<string, string>();
    for (const spec of this.specs) {
      const port = await freePort();
      // One database per registry node for the whole run, shared by its replicas: a restarted node finds its
      // snapshot again.
      if (!databases.has(spec.registryId))
        databases.set(
          spec.registryId,
          this.infra.mongoUri(`${this.infra.prefix}_${spec.registryId.replace(/-/g, '_')}`),
        );
      const mongoUri = databases.get(spec.registryId)!;
      this.registries.set(spec.replica ?? spec.registryId, {
        spec,
        port,
        url: `http://127.0.0.1:${port}`,
        mongoUri,
      });
    }
    for (const name of ['cash', ...databases.keys()]) this.keys.set(name, serviceKey());
    this.keysDir = mkdtempSync(join(tmpdir(), 'hoot-registry-keys-'));
    execFileSync(process.execPath, [
      join(workspaceRoot(), 'apps/auth/scripts/auth-keys.js'),
      '--dir',
      this.keysDir,
    ]);
    const port = await freePort();
    this.authUrl = `http://127.0.0.1:${port}`;
    this.auth = await ManagedProcess.start({
      name: 'auth',
      command: process.execPath,
      args: ['--require', register(), join(workspaceRoot(), 'apps/auth/src/main.ts')],
      cwd: workspaceRoot(),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ID: 'auth-cluster',
        LOG_LEVEL: 'warn',
        MONGO_URI: this.infra.mongoUri(`${this.infra.prefix}_auth`),
        KAFKA_BROKERS: this.infra.kafkaBrokers.join(','),
        AUTH_REVOCATIONS_TOPIC: `${this.infra.prefix}.auth.revocations`,
        AUTH_ISSUER: ISSUER,
        AUTH_KEYS_DIR: this.keysDir,
        AUTH_ADMIN_API_KEY: ADMIN_KEY,
        AUTH_BOOTSTRAP_SERVICE_KEYS: [...this.keys].map(([name, key]) => `${name}:${key}`).join(','),
        AUTH_RATE_LIMIT_PER_ADDRESS: '1000000',
        AUTH_RATE_LIMIT_PER_IDENTITY: '1000000',
      },
      logFile: infraPath(this.logDir, `auth-${port}.log`),
      readyProbe: async () => {
        const res = await fetch(`${this.authUrl}/health/ready`);
        if (!res.ok) throw new Error(`auth ready answered ${res.status}`);
      },
      readyTimeoutMs: 90_000,
    });
    await Promise.all(this.specs.map((s) => this.startRegistry(s.replica ?? s.registryId)));
  }

  /** Starts a registry node (or a replica, by its name). */
  async startRegistry(name: string): Promise<void> {
    const r = this.registries.get(name)!;
    const registryId = r.spec.registryId;
    // The well-known list names one URL per registry node (in a cluster, its Service); replicas share it.
    const peers = [...this.registries.values()]
      .filter((x) => !x.spec.replica)
      .map((x) => x.url)
      .join(',');
    r.process = await ManagedProcess.start({
      name,
      command: process.execPath,
      args: ['--require', register(), join(workspaceRoot(), 'apps/registry/src/main.ts')],
      cwd: workspaceRoot(),
      env: {
        ...process.env,
        PORT: String(r.port),
        HOST: '127.0.0.1',
        NODE_ID: name,
        LOG_LEVEL: 'warn',
        REGISTRY_ID: registryId,
        REGISTRY_PUBLIC_URL: r.spec.replica ? this.registries.get(registryId)!.url : r.url,
        REGISTRY_PEERS: peers,
        REGISTRY_REGION: r.spec.region ?? registryId.split('-')[1],
        REGISTRY_LATITUDE: String(r.spec.latitude ?? 0),
        REGISTRY_LONGITUDE: String(r.spec.longitude ?? 0),
        AUTH_URL: this.authUrl,
        AUTH_ISSUER: ISSUER,
        REGISTRY_SERVICE_API_KEY: this.keyOf(registryId),
        MONGO_URI: r.mongoUri,
        ...FAST_TUNABLES,
        ...r.spec.env,
      },
      logFile: infraPath(this.logDir, `${name}-${r.port}.log`),
      readyProbe: async () => {
        const res = await fetch(`${r.url}/health/ready`);
        if (!res.ok) throw new Error(`${name} ready answered ${res.status}`);
      },
      readyTimeoutMs: 90_000,
    });
  }

  process(registryId: string): ManagedProcess {
    const p = this.registries.get(registryId)?.process;
    if (!p) throw new Error(`${registryId} is not running`);
    return p;
  }

  /** kill -9 of a registry's whole process group. */
  async killHard(registryId: string): Promise<void> {
    const p = this.process(registryId);
    p.kill('SIGKILL');
    await p.stop(1_000);
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
    await Promise.all([...this.registries.values()].map((r) => r.process?.stop(5_000)));
    await this.auth?.stop();
    if (this.keysDir) rmSync(this.keysDir, { recursive: true, force: true });
  }
}
