import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describeKafkaCluster } from '@hoot/events';
import { pingMongo } from '@hoot/mongo';
import { freePort, ManagedProcess, workspaceRoot } from '@hoot/testing';
import { platformCredentials } from './platform-secrets';
import { StageRunner, type PlatformProgress, type StartedPart } from './platform-stages';
import {
  ADMIN_USERNAME,
  DEMO_USERS,
  OPERATOR_ACCOUNT,
  PLATFORM_ISSUER,
  cashAccountOf,
  planLayout,
  planPorts,
  planServices,
  type DemoUser,
  type KmsEngine,
  type PlatformMode,
  type PlatformServiceEnv,
  type ServiceSpec,
} from './platform.plan';

export interface StartPlatformOptions {
  mode: PlatformMode;
  /** Reuse a running broker (e.g. the integration global setup's) instead of starting one. */
  kafkaBrokers?: string[];
  /** Reuse a running MongoDB-protocol server (its base URI) instead of starting one. */
  mongoUri?: string;
  /** kms-lite's media engine; default its own (werift, real WebRTC). */
  kmsEngine?: KmsEngine;
  /** Extra environment per service (tunables); wins over everything the launcher sets. */
  env?: PlatformServiceEnv;
  /** A web app already built: skips `node apps/web/build.mjs` and serves this folder. */
  webRoot?: string;
  /** Each part's `starting` / `ready` / `failed` / `stopping` / `stopped`, as it happens. */
  onProgress?: (event: PlatformProgress) => void;
  /** Aborting stops whatever has started and makes `startPlatform` reject (Ctrl-C during start-up). */
  signal?: AbortSignal;
}

export interface RunningPlatform {
  mode: PlatformMode;
  /** Random per start; every process started carries it as `HOOT_PLATFORM_RUN` in its environment. */
  runId: string;
  registries: { registryId: string; cloud: string; url: string }[];
  /**
   * Each CASH, with its own service account (`cash-<coremxId>`, the only one the registries accept for
   * its CoreMX's membership) and the file holding that account's API key.
   */
  cash: {
    coremxId: string;
    cloud: string;
    url: string;
    signalingUrl: string;
    serviceAccount: string;
    apiKeyFile: string;
  }[];
  kms: { url: string; adminUrl?: string }[];
  authUrl: string;
  issuer: string;
  kafkaBrokers: string[];
  mongoUri: string;
  users: Record<DemoUser, { password: string }>;
  admin: { username: string; password: string; apiKey: string };
  /** The operators' service account (CoreMX status, drain, undrain) and the file holding its API key. */
  operator: { account: string; apiKey: string; apiKeyFile: string };
  /** Where every process logs (`<part>.log`). */
  logDir: string;
  webRoot: string;
  /** Process-group ids of everything started (each child runs in its own group). */
  pids(): number[];
  /** Resolves when a long-running service exits on its own (a crash): which, and its exit code. */
  firstExit: Promise<{ part: string; code: number | null }>;
  /** Stops everything it started, in reverse order, and removes test mode's temporary folder. Idempotent. */
  stop(): Promise<void>;
}

/** Ready timeouts: a cold Kafka install (Maven) and a cold FerretDB build (Go) take minutes once per machine. */
const READY_TIMEOUT_MS = { kafka: 600_000, mongo: 600_000, service: 120_000 } as const;
const RUN_ENV = 'HOOT_PLATFORM_RUN';

/**
 * The whole platform on this machine, as `npm start` runs it (dev mode) and end-to-end specs use it
 * (test mode): Kafka, the MongoDB-protocol server, auth with the demo accounts, two kms-lite, the web app
 * build, two registry nodes in two clouds and two CASH. Resolves once every part is ready.
 */
export async function startPlatform(options: StartPlatformOptions): Promise<RunningPlatform> {
  const root = workspaceRoot();
  const runId = randomBytes(4).toString('hex');
  const tempDir = options.mode === 'test' ? mkdtempSync(join(tmpdir(), 'hoot-platform-')) : undefined;
  const planned = planLayout(options.mode, root, runId, tempDir);
  const layout = options.webRoot ? { ...planned, webRoot: options.webRoot } : planned;
  const removeTemp = () => tempDir && rmSync(tempDir, { recursive: true, force: true });
  const runner = new StageRunner(options.onProgress, options.signal);
  const processes: ManagedProcess[] = [];
  const longRunning: { part: string; process: ManagedProcess }[] = [];

  const spawn = async (
    part: string,
    command: string,
    args: string[],
    logFile: string,
    extra: {
      env?: Record<string, string>;
      readyProbe?: () => Promise<unknown>;
      readyTimeoutMs?: number;
    } = {},
  ): Promise<ManagedProcess> => {
    mkdirSync(dirname(logFile), { recursive: true });
    writeFileSync(logFile, ''); // one run per log file, as dev-up had it
    const child = await ManagedProcess.start({
      name: part,
      command,
      args,
      cwd: root,
      env: { ...process.env, ...extra.env, [RUN_ENV]: runId },
      logFile,
      readyProbe: extra.readyProbe,
      readyTimeoutMs: extra.readyTimeoutMs ?? READY_TIMEOUT_MS.service,
    });
    processes.push(child);
    return child;
  };
  const service = async (spec: ServiceSpec): Promise<StartedPart> => {
    const child = await spawn(
      spec.part,
      process.execPath,
      ['--require', join(root, 'tools/ts-node/register.js'), join(root, spec.entry), ...spec.args],
      spec.logFile,
      { env: spec.env, readyProbe: () => httpReady(spec.readyUrl) },
    );
    longRunning.push({ part: spec.part, process: child });
    return { url: spec.url, stop: () => child.stop(15_000) };
  };

  try {
    const ports = await planPorts(options.mode, freePort);
    const kafkaBrokers = options.kafkaBrokers ?? [`127.0.0.1:${ports.kafka}`];
    const mongoUri = options.mongoUri ?? `mongodb://127.0.0.1:${ports.mongo}/`;

    // Stage 1: the infrastructure and the web app build (independent of each other).
    const infra: { part: string; start(): Promise<StartedPart> }[] = [];
    if (!options.kafkaBrokers) {
      infra.push({
        part: 'kafka',
        start: async () => {
          const child = await spawn(
            'kafka',
            join(root, 'scripts/infra/kafka.sh'),
            ['run', '--port', String(ports.kafka), '--controller-port', String(ports.kafkaController)].concat(
              ['--data-dir', layout.kafkaDataDir],
            ),
            join(layout.logDir, 'kafka.log'),
            {
              readyProbe: () => describeKafkaCluster(kafkaBrokers, 2000),
              readyTimeoutMs: READY_TIMEOUT_MS.kafka,
            },
          );
          longRunning.push({ part: 'kafka', process: child });
          return { url: kafkaBrokers.join(','), stop: () => child.stop(30_000) };
        },
      });
    }
    if (!options.mongoUri) {
      infra.push({
        part: 'mongo',
        start: async () => {
          const child = await spawn(
            'mongo',
            join(root, 'scripts/infra/ferretdb.sh'),
            ['run', '--port', String(ports.mongo), '--data-dir', layout.mongoDataDir],
            join(layout.logDir, 'ferretdb.log'),
            { readyProbe: () => pingMongo(mongoUri, 2000), readyTimeoutMs: READY_TIMEOUT_MS.mongo },
          );
          longRunning.push({ part: 'mongo', process: child });
          return { url: mongoUri, stop: () => child.stop(20_000) };
        },
      });
    }
    if (!options.webRoot) {
      infra.push({
        part: 'web',
        start: async () => {
          const logFile = join(layout.logDir, 'web-build.log');
          const child = await spawn(
            'web',
            process.execPath,
            [join(root, 'apps/web/build.mjs'), '--outdir', layout.webRoot],
            logFile,
          );
          const code = await child.exited;
          await child.stop();
          if (code !== 0) throw new Error(`the web app did not build (exit ${code}): see ${logFile}`);
          return { url: layout.webRoot, stop: async () => undefined };
        },
      });
    }
    await runner.run(infra);

    // Secrets (generated once per machine in dev mode, per run in test mode) and the auth signing keys.
    const credentials = platformCredentials(layout.secretsDir);
    execFileSync(
      process.execPath,
      [join(root, 'apps/auth/scripts/auth-keys.js'), '--dir', layout.authKeysDir],
      {
        stdio: 'ignore',
      },
    );
    const plan = planServices({
      layout,
      ports,
      kafkaBrokers,
      mongoUri,
      secrets: credentials,
      kmsEngine: options.kmsEngine,
      env: options.env,
    });
    for (const cash of plan.cash) mkdirSync(cash.env.CCES_JOURNAL_DIR, { recursive: true });

    // Stage 2: auth and the media servers; 3: the registries; 4: CASH (needs all of them); 5: the accounts.
    await runner.run(
      [plan.auth, ...plan.kms].map((spec) => ({ part: spec.part, start: () => service(spec) })),
    );
    await runner.run(plan.registries.map((spec) => ({ part: spec.part, start: () => service(spec) })));
    await runner.run(plan.cash.map((spec) => ({ part: spec.part, start: () => service(spec) })));
    await runner.run([
      {
        part: 'accounts',
        start: async () => {
          for (const user of DEMO_USERS) {
            await createAccount(
              plan.auth.url,
              credentials.adminApiKey,
              user,
              credentials.users[user].password,
            );
          }
          return { url: DEMO_USERS.join(', '), stop: async () => undefined };
        },
      },
    ]);

    let stopped: Promise<void> | undefined;
    return {
      mode: options.mode,
      runId,
      registries: plan.registries.map(({ registryId, cloud, url }) => ({ registryId, cloud, url })),
      cash: plan.cash.map(({ coremxId, cloud, url, signalingUrl, env }) => ({
        coremxId,
        cloud,
        url,
        signalingUrl,
        serviceAccount: cashAccountOf(coremxId),
        apiKeyFile: env.CASH_SERVICE_API_KEY_FILE,
      })),
      kms: plan.kms.map((spec, i) => ({
        url: spec.url,
        adminUrl: ports.kmsAdmin ? `http://127.0.0.1:${ports.kmsAdmin[i]}` : undefined,
      })),
      authUrl: plan.auth.url,
      issuer: PLATFORM_ISSUER,
      kafkaBrokers,
      mongoUri,
      users: credentials.users,
      admin: {
        username: ADMIN_USERNAME,
        password: credentials.adminPassword,
        apiKey: credentials.adminApiKey,
      },
      operator: {
        account: OPERATOR_ACCOUNT,
        apiKey: credentials.serviceKeys[OPERATOR_ACCOUNT],
        apiKeyFile: join(layout.secretsDir, `service-key-${OPERATOR_ACCOUNT}`),
      },
      logDir: layout.logDir,
      webRoot: layout.webRoot,
      pids: () => processes.map((p) => p.pid).filter((pid): pid is number => pid !== undefined),
      firstExit: Promise.race(
        longRunning.map(({ part, process: child }) => child.exited.then((code) => ({ part, code }))),
      ),
      stop: () =>
        (stopped ??= runner.stopAll().finally(() => {
          removeTemp();
        })),
    };
  } catch (error) {
    await runner.stopAll().catch(() => undefined);
    await Promise.all(processes.map((p) => p.stop(5_000)));
    removeTemp();
    throw error;
  }
}

async function httpReady(url: string): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
}

/** Creates a demo account through the admin API; an existing one (a restart) is fine and keeps its password. */
async function createAccount(
  authUrl: string,
  adminKey: string,
  username: string,
  password: string,
): Promise<void> {
  const res = await fetch(`${authUrl}/v1/admin/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ username, displayName: username[0].toUpperCase() + username.slice(1), password }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 201 && res.status !== 409) {
    throw new Error(`could not create the account ${username}: HTTP ${res.status}`);
  }
}
