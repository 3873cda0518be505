/**
 * A small subset of JSON Patch (RFC 6902: `add`, `remove`, `replace`, JSON Pointer paths) to send
 * versioned changes of a reporter's object to its observers (seed 003). `diffJson(a, b)` produces ops
 * that `applyPatches(a, ops)` turns into a value deep-equal to `b`. Nothing is ever mutated.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type PatchOp =
  | { op: 'add'; path: string; value: JsonValue }
  | { op: 'remove'; path: string }
  | { op: 'replace'; path: string; value: JsonValue };

/** Thrown by `applyPatches` for an op it cannot apply (malformed, or a path that does not exist). */
export class JsonPatchError extends Error {
  readonly code = 'PATCH_INVALID';
  /** Index of the offending op. */
  readonly opIndex: number;

  constructor(opIndex: number, message: string) {
    super(`patch op ${opIndex}: ${message}`);
    this.name = 'JsonPatchError';
    this.opIndex = opIndex;
  }
}

type JsonObject = { [key: string]: JsonValue };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep equality of JSON values (numbers by `Object.is`, so 0 and -0 differ). */
export function jsonEqual(a: JsonValue, b: JsonValue): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function diffArrays(a: JsonValue[], b: JsonValue[], path: string): PatchOp[] {
  // Index by index: changed items in place, then appends or removals at the end.
  const byIndex: PatchOp[] = [];
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) byIndex.push(...diffJson(a[i], b[i], `${path}/${i}`));
  for (let i = a.length - 1; i >= b.length; i--) byIndex.push({ op: 'remove', path: `${path}/${i}` });
  for (let i = a.length; i < b.length; i++) byIndex.push({ op: 'add', path: `${path}/${i}`, value: b[i] });
  if (byIndex.length <= 1) return byIndex;
  // A sliding window (drop the oldest, append the newest: chat history) is cheaper as removals at the
  // front and appends: find the fewest leading drops after which `a` is a prefix of `b`.
  for (let drop = 1; drop <= a.length && drop < byIndex.length; drop++) {
    const kept = a.length - drop;
    if (kept > b.length) continue;
    let prefix = true;
    for (let i = 0; i < kept && prefix; i++) prefix = jsonEqual(a[drop + i], b[i]);
    if (!prefix) continue;
    const slide: PatchOp[] = [];
    for (let i = 0; i < drop; i++) slide.push({ op: 'remove', path: `${path}/0` });
    for (let i = kept; i < b.length; i++) slide.push({ op: 'add', path: `${path}/${i}`, value: b[i] });
    return slide.length < byIndex.length ? slide : byIndex;
  }
  return byIndex;
}

/** The ops that turn `a` into `b` (empty when they are equal). `path` prefixes every op's path. */
export function diffJson(a: JsonValue, b: JsonValue, path = ''): PatchOp[] {
  if (jsonEqual(a, b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) return diffArrays(a, b, path);
  if (isObject(a) && isObject(b)) {
    const ops: PatchOp[] = [];
    for (const key of Object.keys(a)) {
      if (!Object.hasOwn(b, key)) ops.push({ op: 'remove', path: `${path}/${escapePointerToken(key)}` });
    }
    for (const key of Object.keys(b)) {
      const keyPath = `${path}/${escapePointerToken(key)}`;
      if (Object.hasOwn(a, key)) ops.push(...diffJson(a[key], b[key], keyPath));
      else ops.push({ op: 'add', path: keyPath, value: b[key] });
    }
    return ops;
  }
  return [{ op: 'replace', path, value: b }];
}

/** A copy of `obj` with `key` set (an own data property even for `__proto__`). */
function withKey(obj: JsonObject, key: string, value: JsonValue): JsonObject {
  const copy: JsonObject = { ...obj };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

function withoutKey(obj: JsonObject, key: string): JsonObject {
  const copy: JsonObject = { ...obj };
  delete copy[key];
  return copy;
}

const ARRAY_INDEX = /^(0|[1-9][0-9]*)$/;

function parsePointer(path: string, opIndex: number): string[] {
  if (path === '') return [];
  if (!path.startsWith('/'))
    throw new JsonPatchError(opIndex, `path ${JSON.stringify(path)} must start with '/'`);
  return path.slice(1).split('/').map(unescapePointerToken);
}

function applyOne(doc: JsonValue, op: PatchOp, opIndex: number): JsonValue {
  const tokens = parsePointer(op.path, opIndex);
  if (tokens.length === 0) {
    if (op.op === 'remove') throw new JsonPatchError(opIndex, 'cannot remove the whole document');
    return op.value;
  }
  const update = (node: JsonValue, depth: number): JsonValue => {
    const token = tokens[depth];
    const last = depth === tokens.length - 1;
    const where = `/${tokens
      .slice(0, depth + 1)
      .map(escapePointerToken)
      .join('/')}`;
    if (Array.isArray(node)) {
      const append = token === '-' && last && op.op === 'add';
      if (!append && !ARRAY_INDEX.test(token))
        throw new JsonPatchError(opIndex, `${where}: not an array index`);
      const index = append ? node.length : Number(token);
      const limit = last && op.op === 'add' ? node.length : node.length - 1;
      if (index > limit) throw new JsonPatchError(opIndex, `${where}: index out of range`);
      const copy = [...node];
      if (!last) copy[index] = update(node[index], depth + 1);
      else if (op.op === 'add') copy.splice(index, 0, op.value);
      else if (op.op === 'remove') copy.splice(index, 1);
      else copy[index] = op.value;
      return copy;
    }
    if (isObject(node)) {
      const exists = Object.hasOwn(node, token);
      if (!last) {
        if (!exists) throw new JsonPatchError(opIndex, `${where}: no such member`);
        return withKey(node, token, update(node[token], depth + 1));
      }
      if (op.op === 'add') return withKey(node, token, op.value);
      if (!exists) throw new JsonPatchError(opIndex, `${where}: no such member`);
      return op.op === 'remove' ? withoutKey(node, token) : withKey(node, token, op.value);
    }
    throw new JsonPatchError(opIndex, `${where}: the parent is not an object or array`);
  };
  return update(doc, 0);
}

function checkOp(op: unknown, opIndex: number): PatchOp {
  if (!isObject(op)) throw new JsonPatchError(opIndex, 'an op must be an object');
  if (op['op'] !== 'add' && op['op'] !== 'remove' && op['op'] !== 'replace') {
    throw new JsonPatchError(opIndex, 'op must be add, remove or replace');
  }
  if (typeof op['path'] !== 'string') throw new JsonPatchError(opIndex, 'path must be a string');
  if (op['op'] !== 'remove' && !Object.hasOwn(op, 'value'))
    throw new JsonPatchError(opIndex, 'value is missing');
  return op as unknown as PatchOp;
}

/**
 * Applies ops in order to a copy of `doc` (unchanged parts are shared, `doc` is never mutated). Throws
 * `JsonPatchError` on the first op it cannot apply, with nothing applied.
 */
export function applyPatches<T extends JsonValue>(doc: T, ops: readonly PatchOp[]): T {
  if (!Array.isArray(ops)) throw new JsonPatchError(0, 'ops must be a list');
  let current: JsonValue = doc;
  ops.forEach((op, i) => {
    current = applyOne(current, checkOp(op, i), i);
  });
  return current as T;
}
