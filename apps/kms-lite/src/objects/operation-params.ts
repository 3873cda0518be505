import { KurentoError } from '../protocol/kurento-error';
import type { JsonObject, JsonValue } from '../protocol/json-rpc';

/** Typed access to `operationParams` / `constructorParams`, failing with Kurento's illegal-param error. */
export class Params {
  constructor(private readonly raw: JsonObject) {}

  get size(): number {
    return Object.keys(this.raw).length;
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  value(name: string): JsonValue | undefined {
    return this.raw[name] ?? undefined;
  }

  string(name: string): string {
    const value = this.raw[name];
    if (typeof value !== 'string') throw illegal(name, 'a string');
    return value;
  }

  optionalString(name: string): string | undefined {
    return this.has(name) ? this.string(name) : undefined;
  }

  number(name: string): number {
    const value = this.raw[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw illegal(name, 'a number');
    return value;
  }

  boolean(name: string): boolean {
    const value = this.raw[name];
    if (typeof value !== 'boolean') throw illegal(name, 'a boolean');
    return value;
  }

  optionalBoolean(name: string): boolean | undefined {
    return this.has(name) ? this.boolean(name) : undefined;
  }

  object(name: string): JsonObject {
    const value = this.raw[name];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw illegal(name, 'an object');
    return value;
  }
}

function illegal(name: string, what: string): KurentoError {
  return KurentoError.of(
    'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR',
    `Param '${name}' is required and must be ${what}`,
  );
}
