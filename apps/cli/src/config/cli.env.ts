import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Everything the CLI reads from the environment, read once in `main.ts` (the only place that touches
 * `process.env`). Secrets (`HOOT_API_KEY`) are never printed.
 */
export interface CliEnv {
  /** Folder of `credentials.json`: `HOOT_CONFIG_DIR`, else `$XDG_CONFIG_HOME/hoot`, else `~/.config/hoot`. */
  readonly configDir: string;
  /** `HOOT_REGISTRY`: registry URLs (comma-separated), like `--registry`. */
  readonly registry?: string;
  /** `HOOT_API_KEY`: a service API key for `coremx drain|undrain|status`. */
  readonly apiKey?: string;
  /** `HOOT_KAFKA_BROKERS`: `host:port,…` for `events`, like `--brokers`. */
  readonly kafkaBrokers?: string;
  /** `NO_COLOR` set: no ANSI even on a terminal. */
  readonly noColor: boolean;
  /** Running in a pod (`KUBERNETES_SERVICE_HOST`): the registry can be found through the cluster. */
  readonly inCluster: boolean;
}

const nonEmpty = (value: string | undefined) => (value && value.trim().length > 0 ? value : undefined);

export function readCliEnv(env: NodeJS.ProcessEnv = process.env): CliEnv {
  const xdg = nonEmpty(env['XDG_CONFIG_HOME']);
  return {
    configDir:
      nonEmpty(env['HOOT_CONFIG_DIR']) ?? (xdg ? join(xdg, 'hoot') : join(homedir(), '.config', 'hoot')),
    registry: nonEmpty(env['HOOT_REGISTRY']),
    apiKey: nonEmpty(env['HOOT_API_KEY']),
    kafkaBrokers: nonEmpty(env['HOOT_KAFKA_BROKERS']),
    noColor: env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '',
    inCluster: nonEmpty(env['KUBERNETES_SERVICE_HOST']) !== undefined,
  };
}
