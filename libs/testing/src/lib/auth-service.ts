import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, infraPath, ManagedProcess, newServiceKey, workspaceRoot } from '@hoot/process';

export interface StartAuthServiceOptions {
  mongoUri: string;
  kafkaBrokers: string[];
  revocationsTopic: string;
  issuer: string;
  /** Service accounts to create at boot (each gets a fresh API key). */
  serviceAccounts: readonly string[];
  /** Folder under `.infra/` for the log file. */
  logDir?: string;
  name?: string;
}

export interface RunningAuthService {
  url: string;
  issuer: string;
  /** The folder of its signing keys (PEM files written by apps/auth/scripts/auth-keys.js). */
  keysDir: string;
  revocationsTopic: string;
  process: ManagedProcess;
  /** The API key of a service account. */
  keyOf(name: string): string;
  /** A fresh service token of a service account. */
  serviceToken(name: string): Promise<string>;
  /** Creates the user if needed and signs in: its access token. */
  userToken(username: string): Promise<string>;
  /** Creates the user if needed (a password grant then works with `userPassword`). */
  createUser(username: string): Promise<void>;
  /** The password of every user this helper creates (clients under test sign in with it). */
  userPassword: string;
  stop(): Promise<void>;
}

/**
 * The real auth service as a process (apps/auth), for specs and benchmarks of the services that depend on
 * it: fresh signing keys, an admin key, the given service accounts, rate limits out of the way.
 */
export async function startAuthService(options: StartAuthServiceOptions): Promise<RunningAuthService> {
  const adminKey = `admin-${randomBytes(12).toString('hex')}`;
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const keys = new Map(options.serviceAccounts.map((name) => [name, newServiceKey()]));
  const keysDir = mkdtempSync(join(tmpdir(), 'hoot-auth-keys-'));
  execFileSync(process.execPath, [join(workspaceRoot(), 'apps/auth/scripts/auth-keys.js'), '--dir', keysDir]);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const name = options.name ?? 'auth';
  let child: ManagedProcess;
  try {
    child = await ManagedProcess.start({
      name,
      command: process.execPath,
      args: [
        '--require',
        join(workspaceRoot(), 'tools/ts-node/register.js'),
        join(workspaceRoot(), 'apps/auth/src/main.ts'),
      ],
      cwd: workspaceRoot(),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ID: name,
        LOG_LEVEL: 'warn',
        MONGO_URI: options.mongoUri,
        KAFKA_BROKERS: options.kafkaBrokers.join(','),
        AUTH_REVOCATIONS_TOPIC: options.revocationsTopic,
        AUTH_ISSUER: options.issuer,
        AUTH_KEYS_DIR: keysDir,
        AUTH_ADMIN_API_KEY: adminKey,
        AUTH_BOOTSTRAP_SERVICE_KEYS: [...keys].map(([account, key]) => `${account}:${key}`).join(','),
        AUTH_RATE_LIMIT_PER_ADDRESS: '1000000',
        AUTH_RATE_LIMIT_PER_IDENTITY: '1000000',
      },
      logFile: infraPath(options.logDir ?? 'test-logs', `${name}-${port}.log`),
      readyProbe: async () => {
        const res = await fetch(`${url}/health/ready`);
        if (!res.ok) throw new Error(`auth ready answered ${res.status}`);
      },
      readyTimeoutMs: 90_000,
    });
  } catch (error) {
    rmSync(keysDir, { recursive: true, force: true });
    throw error;
  }
  const token = async (body: Record<string, string>, what: string) => {
    const res = await fetch(`${url}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const createUser = async (username: string): Promise<void> => {
    const res = await fetch(`${url}/v1/admin/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({ username, displayName: username, password }),
    });
    if (res.status !== 201 && res.status !== 409) throw new Error(`creating ${username}: ${res.status}`);
  };
  const keyOf = (account: string) => {
    const key = keys.get(account);
    if (!key) throw new Error(`no service account ${account}`);
    return key;
  };
  return {
    url,
    issuer: options.issuer,
    keysDir,
    revocationsTopic: options.revocationsTopic,
    process: child,
    keyOf,
    serviceToken: (account) =>
      token({ grant_type: 'api_key', api_key: keyOf(account) }, `service token for ${account}`),
    userPassword: password,
    createUser,
    async userToken(username) {
      await createUser(username);
      return token({ grant_type: 'password', username, password }, `sign-in of ${username}`);
    },
    async stop() {
      await child.stop();
      rmSync(keysDir, { recursive: true, force: true });
    },
  };
}
