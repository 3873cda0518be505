import type {
  CoreMxEntry,
  CoreMxState,
  DigestEntry,
  Gcas,
  GcasDigest,
  RegistryMeta,
  RegistryRecord,
} from './gcas';
import { GOSSIP_DEFAULTS } from './gossip-defaults';
import { canonical, type Candidate, type Versioned } from './versioned';

/** What registries send each other. A peer's message is untrusted input: parse it with `parseGossipMessage`. */
export type GossipMessage =
  | { readonly type: 'digest'; readonly from: string; readonly digest: GcasDigest }
  | { readonly type: 'delta'; readonly from: string; readonly gcas: Gcas; readonly digest?: GcasDigest };

export type ParseResult = { ok: true; message: GossipMessage } | { ok: false; error: string };

export const REGISTRY_ID = /^reg-[a-z0-9]{1,16}-[1-9][0-9]{0,2}$/;
const COREMX_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const STATES: readonly CoreMxState[] = ['active', 'draining', 'overloaded', 'down'];

class Invalid extends Error {}
const fail = (path: string, why: string): never => {
  throw new Invalid(`${path}: ${why}`);
};

type Obj = Record<string, unknown>;
function object(value: unknown, path: string, keys: readonly string[]): Obj {
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(path, 'must be an object');
  const obj = value as Obj;
  for (const key of Object.keys(obj)) if (!keys.includes(key)) fail(`${path}.${key}`, 'unknown field');
  return obj;
}
function int(value: unknown, path: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > max)
    fail(path, `must be an integer from 0 to ${max}`);
  return value as number;
}
function num(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    fail(path, `must be a number from ${min} to ${max}`);
  return value as number;
}
function str(value: unknown, path: string, pattern: RegExp | number): string {
  if (typeof value !== 'string') return fail(path, 'must be a string');
  if (typeof pattern === 'number' ? value.length === 0 || value.length > pattern : !pattern.test(value))
    fail(path, `is not valid (${JSON.stringify(value.slice(0, 80))})`);
  return value;
}
function map<T>(
  value: unknown,
  path: string,
  keyPattern: RegExp,
  max: number,
  each: (v: unknown, p: string) => T,
) {
  const obj = object(value, path, Object.keys((value as Obj) ?? {}));
  const keys = Object.keys(obj);
  if (keys.length > max) fail(path, `more than ${max} entries`);
  const out: Record<string, T> = {};
  for (const key of keys) out[str(key, `${path} key`, keyPattern)] = each(obj[key], `${path}.${key}`);
  return out;
}

const version = (v: unknown, p: string) => {
  const o = object(v, p, ['incarnation', 'seq']);
  return { incarnation: int(o.incarnation, `${p}.incarnation`), seq: int(o.seq, `${p}.seq`) };
};

function registryMeta(v: unknown, p: string): RegistryMeta {
  const o = object(v, p, ['registryId', 'cloud', 'priority', 'url', 'region', 'latitude', 'longitude']);
  return {
    registryId: str(o.registryId, `${p}.registryId`, REGISTRY_ID),
    cloud: str(o.cloud, `${p}.cloud`, /^[a-z0-9]{1,16}$/),
    priority: int(o.priority, `${p}.priority`, 999),
    url: str(o.url, `${p}.url`, /^https?:\/\/[^\s]{1,240}$/),
    region: str(o.region, `${p}.region`, /^[a-z0-9-]{1,32}$/),
    latitude: num(o.latitude, `${p}.latitude`, -90, 90),
    longitude: num(o.longitude, `${p}.longitude`, -180, 180),
  };
}

function coremxEntry(v: unknown, p: string): CoreMxEntry {
  const o = object(v, p, [
    'coremxId',
    'address',
    'signalingUrl',
    'apiUrl',
    'state',
    'load',
    'rooms',
    'participants',
    'capacity',
  ]);
  const state = str(o.state, `${p}.state`, 16) as CoreMxState;
  if (!STATES.includes(state)) fail(`${p}.state`, `must be one of ${STATES.join(', ')}`);
  return {
    coremxId: str(o.coremxId, `${p}.coremxId`, COREMX_ID),
    address: str(
      o.address,
      `${p}.address`,
      /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/,
    ),
    signalingUrl: str(o.signalingUrl, `${p}.signalingUrl`, /^wss?:\/\/[^\s]{1,240}$/),
    ...(o.apiUrl === undefined ? {} : { apiUrl: str(o.apiUrl, `${p}.apiUrl`, /^https?:\/\/[^\s]{1,240}$/) }),
    state,
    load: num(o.load, `${p}.load`, 0, 1),
    rooms: int(o.rooms, `${p}.rooms`),
    participants: int(o.participants, `${p}.participants`),
    capacity: int(o.capacity, `${p}.capacity`),
  };
}

/** `canonical()` of a validated meta, written out in sorted key order (validation is the hot path). */
const canonicalMeta = (m: RegistryMeta): string =>
  `{"cloud":${JSON.stringify(m.cloud)},"latitude":${JSON.stringify(m.latitude)},"longitude":${JSON.stringify(m.longitude)},` +
  `"priority":${m.priority},"region":${JSON.stringify(m.region)},"registryId":${JSON.stringify(m.registryId)},"url":${JSON.stringify(m.url)}}`;

/** `canonical()` of a validated CoreMX entry, likewise. */
const canonicalEntry = (e: CoreMxEntry): string =>
  `{"address":${JSON.stringify(e.address)},` +
  (e.apiUrl === undefined ? '' : `"apiUrl":${JSON.stringify(e.apiUrl)},`) +
  `"capacity":${e.capacity},"coremxId":${JSON.stringify(e.coremxId)},` +
  `"load":${JSON.stringify(e.load)},"participants":${e.participants},"rooms":${e.rooms},` +
  `"signalingUrl":${JSON.stringify(e.signalingUrl)},"state":${JSON.stringify(e.state)}}`;

function versioned<T>(
  v: unknown,
  p: string,
  value: (v: unknown, p: string) => T,
  canonicalOf: (value: T) => string = canonical,
): Versioned<T> {
  const o = object(v, p, ['version', 'candidates']);
  const candidates: Record<string, Candidate<T>> = {};
  const raw = object(o.candidates, `${p}.candidates`, Object.keys((o.candidates as Obj) ?? {}));
  const keys = Object.keys(raw);
  if (keys.length === 0 || keys.length > GOSSIP_DEFAULTS.maxRegistries)
    fail(`${p}.candidates`, 'wrong number of candidates');
  for (const key of keys) {
    const c = object(raw[key], `${p}.candidates[]`, ['value', 'informers']);
    const parsed = value(c.value, `${p}.candidates[].value`);
    // The key must be the canonical content, or a peer could make one value count as two.
    if (canonicalOf(parsed) !== key) fail(`${p}.candidates[]`, 'key does not match its value');
    if (
      !Array.isArray(c.informers) ||
      c.informers.length === 0 ||
      c.informers.length > GOSSIP_DEFAULTS.maxRegistries
    )
      fail(`${p}.candidates[].informers`, 'must be a non-empty list of registry ids');
    const informers = [
      ...new Set((c.informers as unknown[]).map((i) => str(i, `${p}.informers[]`, REGISTRY_ID))),
    ].sort();
    candidates[key] = { value: parsed, informers };
  }
  return { version: version(o.version, `${p}.version`), candidates };
}

function gcas(v: unknown, p: string): Gcas {
  return map(v, p, REGISTRY_ID, GOSSIP_DEFAULTS.maxRegistries, (r, rp): RegistryRecord => {
    const o = object(r, rp, ['meta', 'coremx']);
    return {
      meta: versioned(o.meta, `${rp}.meta`, registryMeta, canonicalMeta),
      coremx: map(o.coremx, `${rp}.coremx`, COREMX_ID, GOSSIP_DEFAULTS.maxCoremxPerRegistry, (e, ep) =>
        versioned(e, ep, coremxEntry, canonicalEntry),
      ),
    };
  });
}

const digestEntry = (v: unknown, p: string): DigestEntry => {
  const o = object(v, p, ['version', 'fingerprint']);
  return {
    version: version(o.version, `${p}.version`),
    fingerprint: str(o.fingerprint, `${p}.fingerprint`, /^[a-z0-9.]{1,32}$/),
  };
};

function digest(v: unknown, p: string): GcasDigest {
  return map(v, p, REGISTRY_ID, GOSSIP_DEFAULTS.maxRegistries, (r, rp) => {
    const o = object(r, rp, ['meta', 'coremx']);
    return {
      meta: digestEntry(o.meta, `${rp}.meta`),
      coremx: map(o.coremx, `${rp}.coremx`, COREMX_ID, GOSSIP_DEFAULTS.maxCoremxPerRegistry, digestEntry),
    };
  });
}

/**
 * Validates a peer's message completely before anything of it is merged: size first (before parsing),
 * then every field. Anything unexpected (unknown fields, bad ids, out-of-range numbers, a candidate key
 * that is not its value's content) rejects the whole message with the path of the first problem.
 */
export function parseGossipMessage(
  raw: string,
  maxBytes: number = GOSSIP_DEFAULTS.maxMessageBytes,
): ParseResult {
  if (raw.length > maxBytes || Buffer.byteLength(raw, 'utf8') > maxBytes)
    return { ok: false, error: `message larger than ${maxBytes} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'message is not JSON' };
  }
  return validateGossipMessage(json);
}

/**
 * The same validation for a message that is already a JS value (the in-memory test network hands
 * messages over without JSON; the size bound applies to the serialized form, see `parseGossipMessage`).
 */
export function validateGossipMessage(json: unknown): ParseResult {
  try {
    const o = object(json, 'message', ['type', 'from', 'digest', 'gcas']);
    const from = str(o.from, 'message.from', REGISTRY_ID);
    if (o.type === 'digest')
      return { ok: true, message: { type: 'digest', from, digest: digest(o.digest, 'message.digest') } };
    if (o.type === 'delta') {
      const message: GossipMessage = {
        type: 'delta',
        from,
        gcas: gcas(o.gcas, 'message.gcas'),
        ...(o.digest === undefined ? {} : { digest: digest(o.digest, 'message.digest') }),
      };
      return { ok: true, message };
    }
    return { ok: false, error: 'message.type: must be "digest" or "delta"' };
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, error: error.message };
    throw error;
  }
}
