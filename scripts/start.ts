// `npm start` (through scripts/dev-up.sh, which installs npm packages first when needed): the whole
// platform on this machine, in the foreground, until Ctrl-C or SIGTERM. The same launcher as the
// end-to-end specs (`startPlatform` in libs/platform), in dev mode: the fixed ports of the README, state
// and secrets kept under .infra/ (generated once per machine, never defaulted), logs in .infra/run/*.log.
// A service that crashes is started again (same ports, state and keys; backoff 1 s, 2 s, 4 s … 30 s), each
// restart said here and marked in its log; only a crash loop (5 crashes of one service within 60 s) stops
// everything, naming the service with its last log lines.
import { relative } from 'node:path';
import {
  PlatformAbortedError,
  startPlatform,
  type PlatformProgress,
  type RunningPlatform,
} from '@hoot/platform';

const say = (text: string) => console.log(`\x1b[1m[hoot]\x1b[0m ${text}`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const logOf = (part: string) => `.infra/run/${part === 'mongo' ? 'ferretdb' : part}.log`;
const restart = (attempt: number | undefined) => (attempt ? ` (restart ${attempt})` : '');

function report(event: PlatformProgress): void {
  switch (event.state) {
    case 'starting':
      say(`${event.part}…${restart(event.attempt)}`);
      break;
    case 'ready':
      say(
        `${event.part} ready${event.attempt ? ' again' : ''}${event.url ? ` (${event.url})` : ''} in ${seconds(event.ms ?? 0)}${restart(event.attempt)}`,
      );
      break;
    case 'failed':
      say(
        `${event.part} FAILED${event.ms !== undefined ? ` after ${seconds(event.ms)}` : ''}${restart(event.attempt)}: ${event.error}`,
      );
      break;
    case 'crashed': {
      const how = !event.exit
        ? 'did not become ready'
        : event.exit.signal
          ? `was killed (signal ${event.exit.signal})`
          : `exited (code ${event.exit.code})`;
      say(
        `${event.part} ${how}; restart ${event.attempt} in ${seconds(event.restartInMs ?? 0)} (see ${logOf(event.part)})`,
      );
      break;
    }
    case 'crash-loop':
      say(`${event.part} is crash-looping; stopping everything. Its last log lines (${logOf(event.part)}):`);
      console.log((event.error ?? '').replace(/^/gm, '    '));
      break;
    case 'stopped':
      say(`${event.part} stopped`);
      break;
    case 'stopping':
      break;
  }
}

function printUp(platform: RunningPlatform, ms: number): void {
  const [c1, c2] = platform.registries;
  const logs = relative(process.cwd(), platform.logDir) || '.';
  console.log(
    [
      '',
      `\x1b[1m[hoot]\x1b[0m up in ${seconds(ms)}. Demo accounts:`,
      ...Object.entries(platform.users).map(
        ([user, { password }]) => `  ${user.padEnd(6)} password ${password}`,
      ),
      `  ${platform.admin.username.padEnd(6)} password ${platform.admin.password} (admin API key in .infra/dev-secrets/admin-api-key)`,
      `  ${platform.operator.account.padEnd(6)} service API key in ${relative(process.cwd(), platform.operator.apiKeyFile)} (hoot coremx drain|undrain --api-key "$(cat …)")`,
      '',
      `  open ${c1.url}/ (cloud ${c1.cloud}) or :${new URL(c2.url).port} (cloud ${c2.cloud}) and sign in as alice`,
      '',
      `  Kafka            ${platform.kafkaBrokers.join(',')}`,
      `  MongoDB protocol ${platform.mongoUri}`,
      `  auth             ${platform.authUrl}   (token: POST /v1/tokens {"grant_type":"password","username":"alice","password":"…"})`,
      `  kms-lite         ${platform.kms.map((k) => k.url).join(', ')}`,
      `  registry nodes   ${platform.registries.map((r) => `${r.url} (${r.registryId})`).join(', ')}   (OpenAPI at /docs)`,
      `  CASH             ${platform.cash.map((c) => `${c.url} (${c.coremxId})`).join(', ')}   (signaling at /signal)`,
      `  logs             ${logs}/*.log`,
      'Press Ctrl-C to stop everything.',
    ].join('\n'),
  );
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const abort = new AbortController();
  let platform: RunningPlatform | undefined;
  let exitCode: number | undefined;
  let stopping: Promise<void> | undefined;
  let onStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (onStopped = resolve));
  const stop = (code: number) => {
    exitCode ??= code;
    stopping ??= (async () => {
      say('stopping…');
      abort.abort();
      await platform?.stop();
      onStopped();
    })();
    return stopping;
  };
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    // npm forwards the terminal's Ctrl-C as well, so repeats are expected: the first one decides.
    process.on(signal, () => void stop(code));
  }

  try {
    platform = await startPlatform({ mode: 'dev', onProgress: report, signal: abort.signal });
  } catch (error) {
    if (error instanceof PlatformAbortedError) {
      say('stopped; nothing left running');
      return exitCode ?? 130;
    }
    say(`the platform did not start: ${error instanceof Error ? error.message : String(error)}`);
    say('see .infra/run/*.log; everything that had started is stopped');
    return 1;
  }
  if (exitCode !== undefined) {
    // The signal came after the last stage had started: the abort found nothing left to stop.
    await platform.stop();
  } else {
    printUp(platform, Date.now() - t0);
    // A crashed service is restarted by the launcher; only a crash loop ends the platform (it has then
    // stopped everything itself).
    void platform.crashLoop.then((loop) => {
      if (stopping) return;
      say(loop.message);
      void stop(1);
    });
    await stopped;
  }
  say('stopped; nothing left running');
  return exitCode ?? 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
