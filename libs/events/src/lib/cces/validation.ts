/**
 * A few hand-written, strict validators (no schema library): every object rejects unknown fields,
 * every string has a size limit, every number a range. A failure throws `ValidationIssue` naming the path.
 */
export class ValidationIssue extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path || 'value'} ${problem}`);
    this.name = 'ValidationIssue';
  }
}

/** Returns the validated value (a fresh copy for objects) or throws `ValidationIssue`. */
export interface Validator<T> {
  (value: unknown, path: string): T;
  /** Set by `optional`: the field may be absent from its object. */
  readonly optional?: true;
}

/** Control characters (C0, DEL, C1): never allowed in event text. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export interface TextOptions {
  /** Most characters (UTF-16 code units) allowed. */
  max: number;
  min?: number;
  pattern?: RegExp;
  /** Named in the error when `pattern` does not match. */
  patternName?: string;
}

export function text(options: TextOptions): Validator<string> {
  const min = options.min ?? 1;
  return (value, path) => {
    if (typeof value !== 'string') throw new ValidationIssue(path, 'must be a string');
    if (value.length < min) throw new ValidationIssue(path, `must have at least ${min} characters`);
    if (value.length > options.max)
      throw new ValidationIssue(path, `must have at most ${options.max} characters`);
    if (CONTROL.test(value)) throw new ValidationIssue(path, 'must not contain control characters');
    if (options.pattern && !options.pattern.test(value)) {
      throw new ValidationIssue(
        path,
        `must be ${options.patternName ?? `a string matching ${options.pattern}`}`,
      );
    }
    return value;
  };
}

export function integer(min: number, max = Number.MAX_SAFE_INTEGER): Validator<number> {
  return (value, path) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new ValidationIssue(path, 'must be an integer');
    }
    if (value < min || value > max) throw new ValidationIssue(path, `must be between ${min} and ${max}`);
    return value;
  };
}

export const boolean: Validator<boolean> = (value, path) => {
  if (typeof value !== 'boolean') throw new ValidationIssue(path, 'must be true or false');
  return value;
};

export function oneOf<const T extends readonly string[]>(values: T): Validator<T[number]> {
  return (value, path) => {
    if (typeof value !== 'string' || !values.includes(value)) {
      throw new ValidationIssue(path, `must be one of ${values.join(', ')}`);
    }
    return value as T[number];
  };
}

export function literal<const T extends string | number>(expected: T): Validator<T> {
  return (value, path) => {
    if (value !== expected) throw new ValidationIssue(path, `must be ${JSON.stringify(expected)}`);
    return expected;
  };
}

/** The value may be `null` (present, but explicitly nothing). */
export function nullable<T>(inner: Validator<T>): Validator<T | null> {
  return (value, path) => (value === null ? null : inner(value, path));
}

/** The field may be absent (but when present it must be valid; `null` is not absence). */
export function optional<T>(inner: Validator<T>): Validator<T | undefined> {
  const validator = (value: unknown, path: string) => inner(value, path);
  return Object.assign(validator, { optional: true as const });
}

/** A plain object (from JSON or a literal, of any realm): not an array, class instance or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** One validator per field of `T`; fields not in the shape are rejected. */
export type Shape<T> = { [K in keyof T]-?: Validator<T[K]> };

export function object<T>(shape: Shape<T>): Validator<T> {
  const keys = Object.keys(shape) as (keyof T & string)[];
  return (value, path) => {
    if (!isPlainObject(value)) throw new ValidationIssue(path, 'must be an object');
    for (const key of Object.keys(value)) {
      if (!Object.prototype.hasOwnProperty.call(shape, key)) {
        throw new ValidationIssue(join(path, key), 'is not a known field');
      }
    }
    const out: Partial<T> = {};
    for (const key of keys) {
      const field = shape[key] as Validator<T[typeof key]>;
      if (!Object.prototype.hasOwnProperty.call(value, key) || value[key] === undefined) {
        if (field.optional) continue;
        throw new ValidationIssue(join(path, key), 'is required');
      }
      out[key] = field(value[key], join(path, key));
    }
    return out as T;
  };
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

export interface ArrayOptions {
  min?: number;
  max: number;
  /** Reject repeated items (compared with `===`). */
  unique?: boolean;
}

export function array<T>(item: Validator<T>, options: ArrayOptions): Validator<T[]> {
  const min = options.min ?? 0;
  return (value, path) => {
    if (!Array.isArray(value)) throw new ValidationIssue(path, 'must be an array');
    if (value.length < min) throw new ValidationIssue(path, `must have at least ${min} items`);
    if (value.length > options.max) throw new ValidationIssue(path, `must have at most ${options.max} items`);
    const out = value.map((entry, index) => item(entry, `${path}[${index}]`));
    if (options.unique && new Set(out).size !== out.length)
      throw new ValidationIssue(path, 'must not repeat items');
    return out;
  };
}
