import { usageError } from '../errors/cli.error';

/** One flag a command (or every command) accepts. */
export interface OptionSpec {
  /** Long name without dashes: `registry` for `--registry`. */
  readonly name: string;
  /** One letter: `o` for `-o`. */
  readonly short?: string;
  /** `boolean` flags take no value; `string` flags take exactly one (`--x v` or `--x=v`). */
  readonly type: 'boolean' | 'string';
  /** A string flag that may be given more than once (values collected in order). */
  readonly multiple?: boolean;
  /** Placeholder in help: `--limit N`. */
  readonly valueName?: string;
  readonly description: string;
}

export type OptionValue = string | boolean | string[];

export interface ParsedArgs {
  /** Values by long name; flags not given are absent. */
  readonly options: Readonly<Record<string, OptionValue>>;
  /** Every word that is not a flag or a flag's value, in order (command words first). */
  readonly positionals: readonly string[];
}

/**
 * Parses a command line. Which flags are known may depend on the words before them (the command path),
 * so `specsFor` is asked with the positionals seen so far each time a flag appears:
 * `hoot --registry u conferences create --type m2m` knows `--type` only once `conferences create` was read.
 * Accepts `--name value`, `--name=value`, `-o value`, `-ovalue`, grouped short booleans are not supported;
 * `--` ends the flags. Unknown flags, missing values and repeats of a single-valued flag are usage errors.
 */
export function parseArgs(
  argv: readonly string[],
  specsFor: (positionals: readonly string[]) => readonly OptionSpec[],
): ParsedArgs {
  const options: Record<string, OptionValue> = {};
  const positionals: string[] = [];
  let i = 0;
  const set = (spec: OptionSpec, flag: string, value: string | boolean) => {
    if (spec.multiple) {
      const list = (options[spec.name] as string[] | undefined) ?? [];
      options[spec.name] = [...list, value as string];
      return;
    }
    if (spec.name in options) throw usageError(`${flag} given more than once`);
    options[spec.name] = value;
  };
  while (i < argv.length) {
    const arg = argv[i++];
    if (arg === '--') {
      positionals.push(...argv.slice(i));
      break;
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    const specs = specsFor(positionals);
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    let flag: string;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
      flag = `--${name}`;
      spec = specs.find((s) => s.name === name);
    } else {
      const letter = arg[1];
      inline = arg.length > 2 ? arg.slice(2).replace(/^=/, '') : undefined;
      flag = `-${letter}`;
      spec = specs.find((s) => s.short === letter);
    }
    if (!spec) throw usageError(`unknown flag ${flag}`);
    if (spec.type === 'boolean') {
      if (inline !== undefined) {
        if (inline !== 'true' && inline !== 'false') throw usageError(`${flag} takes no value`);
        set(spec, flag, inline === 'true');
      } else {
        set(spec, flag, true);
      }
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i >= argv.length) throw usageError(`${flag} needs a value`);
      value = argv[i++];
    }
    set(spec, flag, value);
  }
  return { options, positionals };
}

/** A string flag's value, if given. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options[name];
  return typeof value === 'string' ? value : undefined;
}

export function booleanOption(args: ParsedArgs, name: string): boolean {
  return args.options[name] === true;
}

/** Values of a repeatable flag, each also split on commas, blanks dropped: `--allow a,b --allow c`. */
export function listOption(args: ParsedArgs, name: string): string[] {
  const value = args.options[name];
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return list
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** An integer flag within bounds, else a usage error naming the flag. */
export function integerOption(
  args: ParsedArgs,
  name: string,
  bounds: { min: number; max: number },
): number | undefined {
  const raw = stringOption(args, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw)) throw usageError(`--${name} must be a whole number, got '${raw}'`);
  const value = Number(raw);
  if (value < bounds.min || value > bounds.max) {
    throw usageError(`--${name} must be between ${bounds.min} and ${bounds.max}, got ${value}`);
  }
  return value;
}
