import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { systemClock } from '@hoot/domain';
import { describeKafkaCluster } from '@hoot/events';
import { pingMongo } from '@hoot/mongo';
import { freePort, ManagedProcess, workspaceRoot } from '@hoot/process';
import { platformCredentials } from './platform-secrets';
import {
  PlatformAbortedError,
  StageRunner,
  type PlatformProgress,
  type StartedPart,
} from './platform-stages';
import {
  ServiceSupervisor,
  supervisionPolicy,
  describeExit,
  type CrashLoop,
  type ProcessExit,
  type SupervisedProcess,
  type SupervisorEvent,
} from './service-supervisor';
import {
  ADMIN_USERNAME,
  DEMO_USERS,
  OPERATOR_ACCOUNT,
  PLATFORM_ISSUER,
  cashAccountOf,
  planLayout,
  planPorts,
  planServices,
  type ServiceSpec,
} from './platform.plan';
import type { PlatformRestart, RunningPlatform, StartPlatformOptions } from './start-platform.types';

export type { PlatformRestart, RunningPlatform, StartPlatformOptions } from './start-platform.types';

/** Ready timeouts: a cold Kafka install (Maven) and a cold FerretDB build (Go) take minutes once per machine. */
const READY_TIMEOUT_MS = { kafka: 600_000, mongo: 600_000, service: 120_000 } as const;
const RUN_ENV = 'HOOT_PLATFORM_RUN';

/**
 * The whole platform on this machine, as `npm start` runs it (dev mode) and end-to-end specs use it
 * (test mode): Kafka, the MongoDB-protocol server, auth with the demo accounts, two kms-lite, the web app
 * build, two registry nodes in two clouds, two CASH and a packager beside each. Resolves once every part is ready.
 */
export async function startPlatform(options: StartPlatformOptions): Promise<RunningPlatform> {
  const root = workspaceRoot();
  const runId = randomBytes(4).toString('hex');
  const tempDir = options.mode === 'test' ? mkdtempSync(join(tmpdir(), 'hoot-platform-')) : undefined;
  const planned = planLayout(options.mode, root, runId, tempDir);
  const layout = options.webRoot ? { ...planned, webRoot: options.webRoot } : planned;
  const removeTemp = () => tempDir && rmSync(tempDir, { recursive: true, force: true });
  const policy = supervisionPolicy(options.mode, options.supervise);
  // A crash loop during start-up aborts the start like a Ctrl-C would (then `startPlatform` rejects with it).
  const crashAbort = new AbortController();
  const runner = new StageRunner(
    options.onProgress,
    options.signal ? AbortSignal.any([options.signal, crashAbort.signal]) : crashAbort.signal,
  );
  const processes: ManagedProcess[] = [];
  const longRunning: { part: string; process: ManagedProcess }[] = [];
  const supervisors = new Map<string, ServiceSupervisor>();
  const restarts: PlatformRestart[] = [];
  /** Each supervised part's current pid (undefined while it is down). */
  const pidOf = new Map<string, () => number | undefined>();
  let gaveUp: CrashLoop | undefined;
  let onCrashLoop: (loop: CrashLoop) => void = () => undefined;
  const crashLoop = new Promise<CrashLoop>((resolve) => (onCrashLoop = resolve));
  let stopped: Promise<void> | undefined;
  const stopAll = () =>
    (stopped ??= (async () => {
      // No restarts once stopping: a service whose dependency went first must not come back.
      for (const supervisor of supervisors.values()) supervisor.standDown();
      await runner.stopAll().finally(() => removeTemp());
    })());
  const progress = (event: PlatformProgress) => {
    try {
      options.onProgress?.(event);
    } catch {
      // A listener's bug must not leave processes running.
    }
  };

  const spawn = async (
    part: string,
    command: string,
    args: string[],
    logFile: string,
    extra: {
      env?: Record<string, string>;
      readyProbe?: () => Promise<unknown>;
      readyTimeoutMs?: number;
      /** A supervisor's restart: the log is kept (a line marks the restart) and the start can be aborted. */
      restart?: { attempt: number; signal: AbortSignal; after?: ProcessExit };
    } = {},
  ): Promise<ManagedProcess> => {
    mkdirSync(dirname(logFile), { recursive: true });
    if (extra.restart) {
      const { attempt, after } = extra.restart;
      appendFileSync(
        logFile,
        `\n--- [hoot] ${new Date().toISOString()} restart ${attempt} of ${part} (it ended: ${describeExit(after)}) ---\n`,
      );
    } else {
      writeFileSync(logFile, ''); // one run per log file, as dev-up had it
    }
    const child = await ManagedProcess.start({
      name: part,
      command,
      args,
      cwd: root,
      env: { ...process.env, ...extra.env, [RUN_ENV]: runId },
      logFile,
      readyProbe: extra.readyProbe,
      readyTimeoutMs: extra.readyTimeoutMs ?? READY_TIMEOUT_MS.service,
      signal: extra.restart?.signal,
    });
    processes.push(child);
    return child;
  };

  /**
   * A long-running part: started once by `launch`, then (with a policy) kept up by a supervisor that calls
   * `launch` again after a crash — the same command, ports, folders and keys.
   */
  const supervised = async (
    part: string,
    url: string,
    graceMs: number,
    launch: (restart?: {
      attempt: number;
      signal: AbortSignal;
      after?: ProcessExit;
    }) => Promise<ManagedProcess>,
  ): Promise<StartedPart> => {
    const first = await launch();
    longRunning.push({ part, process: first });
    if (stopped) {
      // A crash loop elsewhere stopped the platform while this part was starting.
      await first.stop(graceMs);
      throw new PlatformAbortedError();
    }
    if (!policy) return { url, stop: () => first.stop(graceMs) };
    const adapt = (child: ManagedProcess): SupervisedProcess => ({
      exit: child.exited.then((code) => ({ code, signal: child.exitSignal })),
      stop: () => child.stop(graceMs),
      recentOutput: () => child.recentOutput(),
    });
    let lastExit: ProcessExit | undefined;
    let current: ManagedProcess | undefined = first;
    const supervisor = new ServiceSupervisor(
      {
        part,
        policy,
        clock: systemClock,
        restart: async (attempt, signal) => {
          current = undefined;
          restarts.push({ part, attempt, exit: lastExit });
          const child = await launch({ attempt, signal, after: lastExit });
          current = child;
          return adapt(child);
        },
        onEvent: (event) => {
          if (event.type === 'crashed') lastExit = event.exit;
          reportSupervision(event, url, progress);
        },
      },
      adapt(first),
    );
    supervisors.set(part, supervisor);
    pidOf.set(part, () => (supervisor.process && current?.running ? current.pid : undefined));
    void supervisor.gaveUp.then(async (loop) => {
      gaveUp ??= loop;
      crashAbort.abort();
      await stopAll().catch(() => undefined);
      onCrashLoop(loop);
    });
    return { url, stop: () => supervisor.stop() };
  };
  const service = (spec: ServiceSpec): Promise<StartedPart> =>
    supervised(spec.part, spec.url, 15_000, (restart) =>
      spawn(
        spec.part,
        process.execPath,
        ['--require', join(root, 'tools/ts-node/register.js'), join(root, spec.entry), ...spec.args],
        spec.logFile,
        { env: spec.env, readyProbe: () => httpReady(spec.readyUrl), restart },
      ),
    );

  try {
    const ports = await planPorts(options.mode, freePort);
    const kafkaBrokers = options.kafkaBrokers ?? [`127.0.0.1:${ports.kafka}`];
    const mongoUri = options.mongoUri ?? `mongodb://127.0.0.1:${ports.mongo}/`;

    // Stage 1: the infrastructure and the web app build (independent of each other).
    const infra: { part: string; start(): Promise<StartedPart> }[] = [];
    if (!options.kafkaBrokers) {
      infra.push({
        part: 'kafka',
        start: () =>
          supervised('kafka', kafkaBrokers.join(','), 30_000, (restart) =>
            spawn(
              'kafka',
              join(root, 'scripts/infra/kafka.sh'),
              [
                'run',
                '--port',
                String(ports.kafka),
                '--controller-port',
                String(ports.kafkaController),
              ].concat(['--data-dir', layout.kafkaDataDir]),
              join(layout.logDir, 'kafka.log'),
              {
                readyProbe: () => describeKafkaCluster(kafkaBrokers, 2000),
                readyTimeoutMs: READY_TIMEOUT_MS.kafka,
                restart,
              },
            ),
          ),
      });
    }
    if (!options.mongoUri) {
      infra.push({
        part: 'mongo',
        start: () =>
          supervised('mongo', mongoUri, 20_000, (restart) =>
            spawn(
              'mongo',
              join(root, 'scripts/infra/ferretdb.sh'),
              ['run', '--port', String(ports.mongo), '--data-dir', layout.mongoDataDir],
              join(layout.logDir, 'ferretdb.log'),
              {
                readyProbe: () => pingMongo(mongoUri, 2000),
                readyTimeoutMs: READY_TIMEOUT_MS.mongo,
                restart,
              },
            ),
          ),
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
    // The packagers run Debian's ffmpeg: installed once per machine (apt), a no-op when present.
    infra.push({
      part: 'ffmpeg',
      start: async () => {
        const logFile = join(layout.logDir, 'ffmpeg-install.log');
        const child = await spawn('ffmpeg', join(root, 'scripts/infra/ffmpeg.sh'), [], logFile);
        const code = await child.exited;
        await child.stop();
        if (code !== 0) throw new Error(`ffmpeg could not be installed (exit ${code}): see ${logFile}`);
        return { stop: async () => undefined };
      },
    });
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

    // Stage 2: auth, the media servers and the packagers; 3: the registries; 4: CASH (needs all of them);
    // 5: the accounts.
    await runner.run(
      [plan.auth, ...plan.kms, ...plan.packagers].map((spec) => ({
        part: spec.part,
        start: () => service(spec),
      })),
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
      packagers: plan.packagers.map(
        ({ coremxId, cloud, url, rtpPorts, controlKeyFile, viewerTokenKeyFile }) => ({
          coremxId,
          cloud,
          url,
          rtpPorts,
          controlKeyFile,
          viewerTokenKeyFile,
        }),
      ),
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
      crashLoop,
      restarts: () => [...restarts],
      pidOf: (part) =>
        pidOf.get(part)?.() ?? longRunning.find((l) => l.part === part && l.process.running)?.process.pid,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    await Promise.all(processes.map((p) => p.stop(5_000)));
    if (gaveUp && error instanceof PlatformAbortedError && !options.signal?.aborted) {
      throw new Error(`${gaveUp.message}\n--- last output of ${gaveUp.part} ---\n${gaveUp.lastOutput}`);
    }
    throw error;
  }
}

/** A supervisor's events as the launcher's progress: `crashed`, then `starting` / `ready` (or `failed`) of the restart. */
function reportSupervision(
  event: SupervisorEvent,
  url: string,
  progress: (event: PlatformProgress) => void,
): void {
  switch (event.type) {
    case 'crashed':
      progress({
        part: event.part,
        state: 'crashed',
        exit: event.exit,
        attempt: event.attempt,
        restartInMs: event.restartInMs,
      });
      break;
    case 'restarting':
      progress({ part: event.part, state: 'starting', attempt: event.attempt });
      break;
    case 'restarted':
      progress({ part: event.part, state: 'ready', url, attempt: event.attempt, ms: event.ms });
      break;
    case 'restart-failed':
      progress({ part: event.part, state: 'failed', attempt: event.attempt, error: event.error });
      break;
    case 'crash-loop':
      progress({ part: event.part, state: 'crash-loop', error: event.lastOutput });
      break;
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
