import { isIPv4 } from 'node:net';
import { hostname } from 'node:os';

export interface KmsLiteConfig {
  host: string;
  port: number;
  engine: 'werift' | 'fake';
  /** IPv4 put into ICE candidates instead of the gathered host address (NAT, containers). */
  announcedIp?: string;
  minPort: number;
  maxPort: number;
  admin?: { host: string; port: number };
  sessionGraceMs: number;
  logLevel: string;
  nodeId: string;
  metadata: string;
}

/** Defaults, with the reason for each. */
export const DEFAULTS = {
  // Loopback only: the control protocol has no authentication (anyone who reaches it can list sessions,
  // create objects and release another client's pipeline), and its one client, CASH, runs beside it
  // (same pod, or same machine locally). Widen it (KMS_LITE_HOST=0.0.0.0) only on a trusted network.
  host: '127.0.0.1',
  port: 8888, // Kurento's well-known port
  engine: 'werift', // real WebRTC unless tests ask for the fake
  minPort: 40000, // a range of its own, clear of ephemeral ports
  maxPort: 40999, // 1000 ports: 500 endpoints with one RTP/RTCP-muxed socket pair each
  adminHost: '127.0.0.1', // fault injection is for local tests only
  sessionGraceMs: 120_000, // KMS's garbage collector period: a client may reconnect within it
  logLevel: 'info',
} as const;

const FLAGS = [
  [
    '--host',
    'KMS_LITE_HOST',
    `address to listen on (default ${DEFAULTS.host}: the JSON-RPC port has no authentication)`,
  ],
  [
    '--port',
    'KMS_LITE_PORT',
    `JSON-RPC WebSocket port, path /kurento (default ${DEFAULTS.port}; 0 picks a free one)`,
  ],
  [
    '--engine',
    'KMS_LITE_ENGINE',
    `media engine: werift (real WebRTC) or fake (deterministic, no sockets) (default ${DEFAULTS.engine})`,
  ],
  [
    '--announced-ip',
    'KMS_LITE_ANNOUNCED_IP',
    'IPv4 address announced in ICE candidates (default: the gathered host addresses)',
  ],
  ['--min-port', 'KMS_LITE_MIN_PORT', `lowest UDP port for media (default ${DEFAULTS.minPort})`],
  ['--max-port', 'KMS_LITE_MAX_PORT', `highest UDP port for media (default ${DEFAULTS.maxPort})`],
  [
    '--admin-port',
    'KMS_LITE_ADMIN_PORT',
    'enables the fault controller admin HTTP endpoint on this port (off by default)',
  ],
  ['--admin-host', 'KMS_LITE_ADMIN_HOST', `address of the admin endpoint (default ${DEFAULTS.adminHost})`],
  [
    '--session-grace-ms',
    'KMS_LITE_SESSION_GRACE_MS',
    `how long a session outlives its socket before its objects are released (default ${DEFAULTS.sessionGraceMs})`,
  ],
  [
    '--log-level',
    'KMS_LITE_LOG_LEVEL',
    `pino level: fatal, error, warn, info, debug, trace (default ${DEFAULTS.logLevel})`,
  ],
  ['--node-id', 'KMS_LITE_NODE_ID', 'name in every log line (default: the host name)'],
  ['--metadata', 'KMS_LITE_METADATA', "string returned by ServerManager.getMetadata (default '')"],
] as const;

/**
 * Kurento Media Server's own variables, read when kms-lite's are unset: the chart's KMS container sets these,
 * so kms-lite runs in KMS's place with the same environment.
 */
const KURENTO_ENV: Partial<Record<(typeof FLAGS)[number][0], string>> = {
  '--min-port': 'KMS_MIN_PORT',
  '--max-port': 'KMS_MAX_PORT',
  '--announced-ip': 'KMS_EXTERNAL_IPV4',
};

export const HELP = [
  'kms-lite — a Kurento-protocol media server (JSON-RPC 2.0 over WebSocket at /kurento) with real WebRTC via werift.',
  'For local runs and tests; production runs Kurento Media Server.',
  '',
  'Usage: node -r ./tools/ts-node/register.js apps/kms-lite/src/main.ts [flags]',
  '',
  'Flags (each also read from the environment variable shown; a flag wins over the variable):',
  ...FLAGS.map(([flag, env, text]) => `  ${(flag + ' <value>').padEnd(26)} ${env.padEnd(27)} ${text}`),
  `  ${'--help'.padEnd(26)} ${''.padEnd(27)} print this help and exit`,
  '',
  `Kurento's variables are read when kms-lite's are unset: ${Object.entries(KURENTO_ENV)
    .map(([flag, env]) => `${env} (${flag})`)
    .join(', ')}.`,
  '',
].join('\n');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export type ParseResult = { help: true } | { help: false; config: KmsLiteConfig };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads flags (`--x v` or `--x=v`) over environment variables, validates everything, reports all problems at once. */
export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ParseResult {
  const problems: string[] = [];
  const flagValues = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { help: true };
    const [name, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    if (!FLAGS.some(([flag]) => flag === name)) {
      problems.push(`unknown argument '${arg}' (see --help)`);
      continue;
    }
    const value = inline ?? argv[i + 1];
    if (inline === undefined) i += 1;
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      problems.push(`${name} needs a value`);
      continue;
    }
    flagValues.set(name, value);
  }
  const raw = (flag: string): string | undefined => {
    const entry = FLAGS.find(([f]) => f === flag)!;
    const kurento = KURENTO_ENV[entry[0]];
    const value = [flagValues.get(flag), env[entry[1]], kurento && env[kurento]].find(
      (v) => v !== undefined && v !== '',
    );
    return value;
  };
  const port = (flag: string, fallback: number | undefined, allowZero: boolean): number | undefined => {
    const value = raw(flag);
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!/^\d+$/.test(value) || n > 65535 || (!allowZero && n === 0)) {
      problems.push(`${flag} must be a port number ${allowZero ? '0' : '1'}-65535, got '${value}'`);
      return fallback;
    }
    return n;
  };

  const host = raw('--host') ?? DEFAULTS.host;
  const listenPort = port('--port', DEFAULTS.port, true)!;
  const engine = raw('--engine') ?? DEFAULTS.engine;
  if (engine !== 'werift' && engine !== 'fake')
    problems.push(`--engine must be 'werift' or 'fake', got '${engine}'`);
  const announcedIp = raw('--announced-ip');
  if (announcedIp !== undefined && !isIPv4(announcedIp))
    problems.push(`--announced-ip must be an IPv4 address, got '${announcedIp}'`);
  const minPort = port('--min-port', DEFAULTS.minPort, false)!;
  const maxPort = port('--max-port', DEFAULTS.maxPort, false)!;
  if (minPort >= maxPort) problems.push(`--min-port (${minPort}) must be lower than --max-port (${maxPort})`);
  const adminPort = port('--admin-port', undefined, true);
  const adminHost = raw('--admin-host') ?? DEFAULTS.adminHost;
  const graceRaw = raw('--session-grace-ms');
  let sessionGraceMs: number = DEFAULTS.sessionGraceMs;
  if (graceRaw !== undefined) {
    if (!/^\d+$/.test(graceRaw))
      problems.push(`--session-grace-ms must be a whole number of milliseconds, got '${graceRaw}'`);
    else sessionGraceMs = Number(graceRaw);
  }
  const logLevel = raw('--log-level') ?? DEFAULTS.logLevel;
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    help: false,
    config: {
      host,
      port: listenPort,
      engine: engine as 'werift' | 'fake',
      announcedIp,
      minPort,
      maxPort,
      admin: adminPort === undefined ? undefined : { host: adminHost, port: adminPort },
      sessionGraceMs,
      logLevel,
      nodeId: raw('--node-id') ?? hostname(),
      metadata: raw('--metadata') ?? '',
    },
  };
}
