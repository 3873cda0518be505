import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { plainToInstance, Transform } from 'class-transformer';
import { getMetadataStorage, validateSync, type ValidationError } from 'class-validator';

export type Env = Record<string, string | undefined>;

/** Names that hold secrets: their values are never echoed in errors. */
const SECRET_NAME = /KEY|SECRET|PASSWORD|TOKEN|CREDENTIAL/i;

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; problems: string[] }[]) {
    super(
      `invalid configuration (${problems.length} variable${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.problems.join('; ')}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** The names a config class declares (every property with at least one validation decorator). */
function declaredNames(schema: new () => object): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(schema, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}

/**
 * Validates the environment against a class-validator schema (property names are variable names) and
 * returns the typed config, or throws one `ConfigError` listing every bad variable. Defaults are the
 * class's property initialisers. A variable `X` may instead be given as `X_FILE`, a path whose content
 * is the value (how Kubernetes Secrets are mounted); setting both is an error.
 */
export function loadConfig<T extends object>(schema: new () => T, env: Env): T {
  const names = declaredNames(schema);
  const plain: Record<string, string> = {};
  const fileProblems: { variable: string; problems: string[] }[] = [];
  for (const name of names) {
    const direct = env[name];
    const file = env[`${name}_FILE`];
    if (direct !== undefined && direct !== '' && file) {
      fileProblems.push({ variable: name, problems: [`set either ${name} or ${name}_FILE, not both`] });
      continue;
    }
    if (file) {
      try {
        plain[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        fileProblems.push({
          variable: `${name}_FILE`,
          problems: [`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`],
        });
      }
    } else if (direct !== undefined && direct !== '') {
      plain[name] = direct;
    }
  }
  const config = plainToInstance(schema, plain, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { whitelist: false, skipMissingProperties: false });
  const problems = [...fileProblems, ...flatten(errors, plain)];
  if (problems.length) throw new ConfigError(problems.sort((a, b) => a.variable.localeCompare(b.variable)));
  return config;
}

function flatten(
  errors: ValidationError[],
  plain: Record<string, string>,
): { variable: string; problems: string[] }[] {
  return errors.map((error) => {
    const raw = plain[error.property];
    const shown =
      raw === undefined
        ? ' (not set)'
        : SECRET_NAME.test(error.property)
          ? ' (value hidden)'
          : ` (got ${JSON.stringify(raw)})`;
    return {
      variable: error.property,
      problems: [...Object.values(error.constraints ?? {}).map((c) => c + shown)],
    };
  });
}

/** `true|false|1|0|yes|no` → boolean (anything else stays a string and fails `@IsBoolean`). */
export function EnvBoolean(): PropertyDecorator {
  return Transform(({ obj, key, value }) => {
    const raw = (obj as Record<string, unknown>)[key];
    if (typeof raw !== 'string') return value;
    const v = raw.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no'].includes(v)) return false;
    return raw;
  });
}

/** `a,b , c` → `['a','b','c']` (empty items dropped). */
export function EnvList(): PropertyDecorator {
  return Transform(({ obj, key, value }) => {
    const raw = (obj as Record<string, unknown>)[key];
    if (typeof raw !== 'string') return value;
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  });
}
