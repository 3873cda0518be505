import { HootApiError, RegistryHttpError, SdkError, SdkErrorCode } from '@hoot/sdk';
import { listOption, parseArgs, stringOption, type OptionSpec, type ParsedArgs } from './args/arg-parser';
import type { CliDeps, CommandContext, CommandSpec, HootApi, KubeTarget, OutputFormat } from './cli.context';
import { COMMANDS } from './commands';
import { CredentialsStore } from './config/credentials.store';
import { CliError, CliErrorCode, ExitCode, usageError } from './errors/cli.error';
import { REGISTRY_SERVICE_SELECTOR } from './registry/registry-service.selector';
import { withProgress } from './output/terminal';

/** Flags every command takes. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'registry',
    type: 'string',
    multiple: true,
    valueName: 'URL,…',
    description:
      'registry URLs, by preference (repeatable; else $HOOT_REGISTRY, the cluster, or those of `login`)',
  },
  {
    name: 'output',
    short: 'o',
    type: 'string',
    valueName: 'table|json',
    description: 'output format (default table)',
  },
  {
    name: 'context',
    type: 'string',
    valueName: 'NAME',
    description: 'kubeconfig context: find the registry Services in that cluster',
  },
  {
    name: 'namespace',
    short: 'n',
    type: 'string',
    valueName: 'NS',
    description: "namespace of the registry Services (default: the context's)",
  },
  {
    name: 'kubeconfig',
    type: 'string',
    valueName: 'PATH',
    description: 'kubeconfig file (default $KUBECONFIG or ~/.kube/config)',
  },
  { name: 'help', short: 'h', type: 'boolean', description: 'show help' },
  { name: 'version', type: 'boolean', description: 'print the version' },
];

const HTTP_URL = /^https?:\/\/[^\s/]+/;

/** The deepest command whose path starts the positionals: `[conferences, create, x]` → `conferences create`. */
export function findCommand(positionals: readonly string[]): CommandSpec | undefined {
  let best: CommandSpec | undefined;
  for (const command of COMMANDS) {
    const { path } = command;
    if (path.length > positionals.length) continue;
    if (path.every((word, i) => positionals[i] === word) && path.length > (best?.path.length ?? 0))
      best = command;
  }
  return best;
}

function optionLines(options: readonly OptionSpec[]): string[] {
  const left = options.map(
    (o) =>
      `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.type === 'string' ? ` ${o.valueName ?? 'VALUE'}` : ''}`,
  );
  const width = Math.max(...left.map((l) => l.length));
  return left.map((l, i) => `  ${l.padEnd(width)}   ${options[i].description}`);
}

/** The help text of the program (no command) or of a command or group. */
export function helpText(program: string, command?: CommandSpec): string {
  const lines: string[] = [];
  if (!command) {
    lines.push(
      `${program} — the hoot command line`,
      '',
      `Usage: ${program} COMMAND [flags]`,
      '',
      'Commands:',
    );
    const leaves = COMMANDS.filter((c) => c.run);
    const width = Math.max(...leaves.map((c) => c.path.join(' ').length));
    for (const c of leaves) lines.push(`  ${c.path.join(' ').padEnd(width)}   ${c.summary}`);
    lines.push('', 'Global flags:', ...optionLines(GLOBAL_OPTIONS));
    lines.push(
      '',
      'Exit codes: 0 ok, 1 the server refused, 2 usage error, 3 unreachable.',
      `Run '${program} COMMAND --help' for a command's flags and examples.`,
    );
    return `${lines.join('\n')}\n`;
  }
  lines.push(
    `${program} ${command.path.join(' ')} — ${command.summary}`,
    '',
    `Usage: ${program} ${command.usage}`,
  );
  if (!command.run) {
    const subs = COMMANDS.filter(
      (c) => c.run && c.path.length > command.path.length && command.path.every((w, i) => c.path[i] === w),
    );
    const width = Math.max(...subs.map((c) => c.path.join(' ').length));
    lines.push('', 'Commands:', ...subs.map((c) => `  ${c.path.join(' ').padEnd(width)}   ${c.summary}`));
  }
  if (command.details) lines.push('', command.details);
  if (command.options.length) lines.push('', 'Flags:', ...optionLines(command.options));
  lines.push('', 'Global flags:', ...optionLines(GLOBAL_OPTIONS));
  if (command.examples?.length) lines.push('', 'Examples:', ...command.examples.map((e) => `  ${e}`));
  return `${lines.join('\n')}\n`;
}

function isK8sError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    error instanceof Error && error.name === 'K8sError' && typeof code === 'string' && code.startsWith('k8s.')
  );
}

/** What an error means for the user: the line printed, an optional hint, and the exit code. */
export function describeError(error: unknown): { message: string; hint?: string; exitCode: ExitCode } {
  if (error instanceof CliError) {
    return { message: `${error.code}: ${error.message}`, hint: error.hint, exitCode: error.exitCode };
  }
  if (error instanceof RegistryHttpError) {
    const api = HootApiError.from(error);
    const retry = api.retryAfterS !== undefined ? ` (retry after ${api.retryAfterS} s)` : '';
    return {
      message: `${api.code}: ${api.detail}${retry}`,
      hint: api.status === 401 ? 'sign in again: hoot login' : undefined,
      exitCode: ExitCode.Refused,
    };
  }
  if (error instanceof SdkError) {
    const unreachable = [
      SdkErrorCode.RegistryUnavailable,
      SdkErrorCode.RegistryTimeout,
      SdkErrorCode.RegistryNetwork,
      SdkErrorCode.DiscoveryFailed,
    ].includes(error.code);
    const usage = [SdkErrorCode.RegistryListInvalid, SdkErrorCode.OptionsInvalid].includes(error.code);
    return {
      message: `${error.code}: ${error.message}`,
      exitCode: unreachable ? ExitCode.Unreachable : usage ? ExitCode.Usage : ExitCode.Refused,
    };
  }
  if (isK8sError(error)) {
    // By code, not by class: libs/k8s (and @kubernetes/client-node) load only for the cluster lookup.
    const usage = [
      'k8s.argument-invalid',
      'k8s.kubeconfig-not-found',
      'k8s.kubeconfig-invalid',
      'k8s.in-cluster-unavailable',
    ].includes(error.code);
    return {
      message: `${error.code}: ${error.message}`,
      hint: usage ? 'pass --registry URL to skip the cluster lookup' : undefined,
      exitCode: usage
        ? ExitCode.Usage
        : // Nothing answered: the API server, a Service without a Ready pod, a pod refusing the port-forward.
          ['k8s.api-unavailable', 'k8s.no-ready-endpoint', 'k8s.port-forward-failed'].includes(error.code)
          ? ExitCode.Unreachable
          : ExitCode.Refused,
    };
  }
  // Not expected: keep the stack for a bug report.
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { message: `internal: ${text}`, exitCode: ExitCode.Refused };
}

function outputFormat(args: ParsedArgs): OutputFormat {
  const value = stringOption(args, 'output') ?? 'table';
  if (value !== 'table' && value !== 'json') throw usageError(`-o must be table or json, got '${value}'`);
  return value;
}

function registryList(values: readonly string[], from: string): string[] {
  const bad = values.find((v) => !HTTP_URL.test(v));
  if (bad) throw usageError(`${from}: not an http(s) URL: '${bad}'`);
  return values.map((v) => v.replace(/\/+$/, ''));
}

function buildContext(
  deps: CliDeps,
  args: ParsedArgs,
  command: CommandSpec,
  format: OutputFormat,
): CommandContext {
  const store = new CredentialsStore(deps.env.configDir);
  const color = Boolean(deps.io.stdout.isTTY) && !deps.env.noColor;
  const note = (text: string) => deps.io.stderr.write(`${text}\n`);
  const kubeTarget = (): KubeTarget | undefined => {
    const context = stringOption(args, 'context');
    const kubeconfig = stringOption(args, 'kubeconfig');
    const namespace = stringOption(args, 'namespace');
    const kubeMode =
      deps.programName === 'kubectl-hoot' ||
      context !== undefined ||
      kubeconfig !== undefined ||
      deps.env.inCluster;
    if (!kubeMode) return undefined;
    return {
      context,
      kubeconfig,
      namespace,
      inCluster: deps.env.inCluster,
      selector: REGISTRY_SERVICE_SELECTOR,
    };
  };
  let resolved: Promise<string[]> | undefined;
  const registryUrls = () => {
    resolved ??= (async () => {
      const flag = listOption(args, 'registry');
      if (flag.length) return registryList(flag, '--registry');
      if (deps.env.registry) {
        return registryList(
          deps.env.registry
            .split(',')
            .map((u) => u.trim())
            .filter(Boolean),
          'HOOT_REGISTRY',
        );
      }
      const target = kubeTarget();
      if (target) {
        const urls = await withProgress(
          deps.io,
          'finding the registry in the cluster…',
          deps.kube.registryUrls(target, (message) => note(`warning: ${message}`)),
        );
        return registryList(urls, 'the registry Services');
      }
      const stored = store.read();
      if (stored?.registryUrls.length) return stored.registryUrls;
      throw new CliError(
        CliErrorCode.NoRegistry,
        'no registry to talk to',
        ExitCode.Usage,
        'pass --registry URL, set HOOT_REGISTRY, or run in a cluster context (--context)',
      );
    })();
    return resolved;
  };
  return {
    deps,
    args,
    operands: args.positionals.slice(command.path.length),
    format,
    color,
    store,
    print: (text) => deps.io.stdout.write(text),
    printJson: (value) => deps.io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    note,
    progress: (label, work) => withProgress(deps.io, label, work),
    kubeTarget,
    async fetchFor(url) {
      const target = kubeTarget();
      if (!target) return deps.fetch;
      return (await deps.tunnel.fetchFor(target, url, note)) ?? deps.fetch;
    },
    registryUrls,
    async anonymousClient(): Promise<HootApi> {
      return deps.createClient({ registryUrls: await registryUrls() });
    },
    async client(): Promise<HootApi> {
      const stored = store.read();
      if (!stored) {
        throw new CliError(CliErrorCode.NotLoggedIn, 'not logged in', ExitCode.Refused, 'run: hoot login');
      }
      return deps.createClient({ registryUrls: await registryUrls(), token: stored.accessToken });
    },
  };
}

/**
 * Runs one command line and returns the exit code. Never throws: expected errors are printed as
 * `error: <code>: <message>` on stderr (no stack), with a hint when there is one.
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<ExitCode> {
  // kubectl runs `kubectl-hoot` for `kubectl hoot`: help speaks the way it is typed.
  const program = deps.programName === 'kubectl-hoot' ? 'kubectl hoot' : deps.programName;
  let command: CommandSpec | undefined;
  try {
    const args = parseArgs(argv, (positionals) => [
      ...GLOBAL_OPTIONS,
      ...(findCommand(positionals)?.options ?? []),
    ]);
    command = findCommand(args.positionals);
    if (args.options['version'] === true) {
      deps.io.stdout.write(`${program} ${deps.version}\n`);
      return ExitCode.Ok;
    }
    const help = args.options['help'] === true;
    if (!command) {
      if (args.positionals.length === 0) {
        (help ? deps.io.stdout : deps.io.stderr).write(helpText(program));
        return help ? ExitCode.Ok : ExitCode.Usage;
      }
      throw usageError(`unknown command '${args.positionals[0]}'`);
    }
    if (help) {
      deps.io.stdout.write(helpText(program, command));
      return ExitCode.Ok;
    }
    if (!command.run) {
      const word = args.positionals[command.path.length];
      if (word !== undefined) throw usageError(`unknown command '${[...command.path, word].join(' ')}'`);
      deps.io.stderr.write(helpText(program, command));
      return ExitCode.Usage;
    }
    const operands = args.positionals.slice(command.path.length);
    if (operands.length > command.operands.length) {
      throw usageError(`unexpected argument '${operands[command.operands.length]}'`);
    }
    const format = outputFormat(args);
    await command.run(buildContext(deps, args, command, format));
    return ExitCode.Ok;
  } catch (error) {
    // A flag the parser refused leaves no command: guess it from the words for the help hint.
    command ??= findCommand(argv.filter((a) => !a.startsWith('-')));
    const { message, hint, exitCode } = describeError(error);
    deps.io.stderr.write(`error: ${message}\n`);
    if (hint) deps.io.stderr.write(`hint: ${hint}\n`);
    else if (exitCode === ExitCode.Usage) {
      deps.io.stderr.write(
        `Run '${program}${command ? ` ${command.path.join(' ')}` : ''} --help' for usage.\n`,
      );
    }
    return exitCode;
  }
}
