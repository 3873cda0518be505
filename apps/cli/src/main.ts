import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { HootClient } from '@hoot/sdk';
import type { CliDeps } from './cli.context';
import { runCli } from './cli.runner';
import { readCliEnv } from './config/cli.env';
import { ExitCode } from './errors/cli.error';

/** How long a command may take to stop cleanly after Ctrl-C (leaving a Kafka group takes a moment). */
const STOP_GRACE_MS = 5_000;

/** The workspace version (root package.json), shown by `--version`. */
function workspaceVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

let tunnel: Promise<import('./cluster/kube-tunnel').KubeTunnel> | undefined;
/** The one cluster tunnel of the process (its dialer caches DNS answers per host), loaded on first use. */
function kubeTunnel() {
  tunnel ??= import('./cluster/kube-tunnel').then(({ KubeTunnel }) => new KubeTunnel());
  return tunnel;
}

/** Wires the real dependencies, runs the command line and sets the exit code. */
export async function main(
  programName: string,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  const interrupt = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    // The first Ctrl-C stops what is running cleanly (`events --follow` leaves its consumer group); what
    // does not stop within STOP_GRACE_MS, or a second Ctrl-C, exits at once.
    if (interrupted) process.exit(ExitCode.Interrupted);
    interrupted = true;
    interrupt.abort(new Error('interrupted'));
    setTimeout(() => process.exit(ExitCode.Interrupted), STOP_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const deps: CliDeps = {
    io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
    env: readCliEnv(),
    programName,
    version: workspaceVersion(),
    createClient: (options) => new HootClient(options),
    fetch: (url, init) => fetch(url, init),
    // Loaded on first use: @kubernetes/client-node and kafkajs take seconds to load, most commands need neither.
    kube: {
      registryUrls: async (target, warn) => {
        const { KubeRegistryLocator } = await import('./registry/kube-registry.locator');
        return new KubeRegistryLocator().registryUrls(target, warn);
      },
    },
    tunnel: {
      fetchFor: async (target, url, notice) => (await kubeTunnel()).fetchFor(target, url, notice),
      socketFactory: async (target, notice) => (await kubeTunnel()).socketFactory(target, notice),
    },
    events: {
      read: async (options) => {
        const { KafkaEventSource } = await import('./events/kafka-event.source');
        return new KafkaEventSource().read(options);
      },
    },
    signal: interrupt.signal,
    now: () => Date.now(),
  };
  const code = await runCli(argv, deps);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.exitCode = code;
}

if (require.main === module) {
  void main(basename(process.argv[1] ?? 'hoot').replace(/\.(ts|js)$/, ''));
}
