import { compareVersions, mergeVersioned, type Version, type Versioned } from './versioned';

export type CoreMxState = 'active' | 'draining' | 'overloaded' | 'down';

/** What a registry says about itself (origin: that registry; version `(incarnation, heartbeat)`). */
export interface RegistryMeta {
  readonly registryId: string;
  readonly cloud: string;
  readonly priority: number;
  readonly url: string;
  /** Where it runs, for iroulette: a region name and coordinates in degrees. */
  readonly region: string;
  readonly latitude: number;
  readonly longitude: number;
}

/** What a CoreMX's CASH reports through its registry (origin: that CASH; version `(incarnation, seq)`). */
export interface CoreMxEntry {
  readonly coremxId: string;
  /** DNS-style mixer address used in `hoot.mx://` addresses, e.g. `coremx-1.c1.hoot.mx`. */
  readonly address: string;
  readonly signalingUrl: string;
  /** Base URL of its CASH's service API (reserve, end); absent: derived from `signalingUrl`. */
  readonly apiUrl?: string;
  readonly state: CoreMxState;
  /** 0..1 */
  readonly load: number;
  readonly rooms: number;
  readonly participants: number;
  readonly capacity: number;
}

export interface RegistryRecord {
  readonly meta: Versioned<RegistryMeta>;
  readonly coremx: Readonly<Record<string, Versioned<CoreMxEntry>>>;
}

/** The Global CoreMX Advertisement State: registryId → its meta and its CoreMX. */
export type Gcas = Readonly<Record<string, RegistryRecord>>;

function mergeMaps<T>(
  a: Readonly<Record<string, Versioned<T>>>,
  b: Readonly<Record<string, Versioned<T>>>,
): Record<string, Versioned<T>> {
  const out: Record<string, Versioned<T>> = { ...a };
  for (const [key, value] of Object.entries(b)) out[key] = out[key] ? mergeVersioned(out[key], value) : value;
  return out;
}

/** Per-key merge of two maps (commutative, associative, idempotent since each entry's merge is). */
export function mergeGcas(a: Gcas, b: Gcas): Gcas {
  const out: Record<string, RegistryRecord> = { ...a };
  for (const [registryId, record] of Object.entries(b)) {
    const mine = out[registryId];
    out[registryId] = mine
      ? { meta: mergeVersioned(mine.meta, record.meta), coremx: mergeMaps(mine.coremx, record.coremx) }
      : record;
  }
  return out;
}

/** Version and content fingerprint of one entry: equal digests mean nothing to send. */
export interface DigestEntry {
  readonly version: Version;
  readonly fingerprint: string;
}

export interface GcasDigest {
  readonly [registryId: string]: {
    readonly meta: DigestEntry;
    readonly coremx: Readonly<Record<string, DigestEntry>>;
  };
}

/** Versioned values are immutable, so each one's content text and fingerprint are computed once. */
const contents = new WeakMap<object, string>();
const fingerprints = new WeakMap<object, string>();

/**
 * The exact content of an entry's candidates: candidate keys already are the canonical content of their
 * values, so keys and informers say everything.
 */
function contentOf<T>(value: Versioned<T>): string {
  const cached = contents.get(value);
  if (cached !== undefined) return cached;
  let text = '';
  for (const key of Object.keys(value.candidates).sort()) {
    text += `${key}\u0000${value.candidates[key].informers.join(',')}\u0001`;
  }
  contents.set(value, text);
  return text;
}

function fingerprint<T>(value: Versioned<T>): string {
  const cached = fingerprints.get(value);
  if (cached !== undefined) return cached;
  // Short, stable, and cheap: FNV-1a over the content text.
  const text = contentOf(value);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const computed = `${text.length.toString(36)}.${hash.toString(36)}`;
  fingerprints.set(value, computed);
  return computed;
}

const digestEntry = <T>(value: Versioned<T>): DigestEntry => ({
  version: value.version,
  fingerprint: fingerprint(value),
});

export function digestOf(gcas: Gcas): GcasDigest {
  const out: Record<string, { meta: DigestEntry; coremx: Record<string, DigestEntry> }> = {};
  for (const [registryId, record] of Object.entries(gcas)) {
    const coremx: Record<string, DigestEntry> = {};
    for (const [id, entry] of Object.entries(record.coremx)) coremx[id] = digestEntry(entry);
    out[registryId] = { meta: digestEntry(record.meta), coremx };
  }
  return out;
}

/** True when `mine` may teach the peer something: newer, or the same version with other candidates. */
function worthSending<T>(mine: Versioned<T>, theirs: DigestEntry | undefined): boolean {
  if (!theirs) return true;
  const order = compareVersions(mine.version, theirs.version);
  return order > 0 || (order === 0 && fingerprint(mine) !== theirs.fingerprint);
}

/**
 * The part of `gcas` a peer with `digest` lacks. A registry record always travels with its meta, so
 * the receiver can place its CoreMX. Merging the delta gives the peer what merging everything would.
 */
export function deltaFor(gcas: Gcas, digest: GcasDigest): Gcas {
  const out: Record<string, RegistryRecord> = {};
  for (const [registryId, record] of Object.entries(gcas)) {
    const theirs = digest[registryId];
    const coremx: Record<string, Versioned<CoreMxEntry>> = {};
    for (const [id, entry] of Object.entries(record.coremx)) {
      if (worthSending(entry, theirs?.coremx[id])) coremx[id] = entry;
    }
    if (Object.keys(coremx).length > 0 || worthSending(record.meta, theirs?.meta)) {
      out[registryId] = { meta: record.meta, coremx };
    }
  }
  return out;
}

/** Same maps, entry for entry (what converged registries must satisfy). */
export function sameGcas(a: Gcas, b: Gcas): boolean {
  if (a === b) return true;
  const ids = Object.keys(a);
  if (ids.length !== Object.keys(b).length) return false;
  for (const id of ids) {
    const ra = a[id];
    const rb = b[id];
    if (!rb || !sameEntry(ra.meta, rb.meta)) return false;
    const keys = Object.keys(ra.coremx);
    if (keys.length !== Object.keys(rb.coremx).length) return false;
    for (const key of keys) if (!rb.coremx[key] || !sameEntry(ra.coremx[key], rb.coremx[key])) return false;
  }
  return true;
}

function sameEntry<T>(a: Versioned<T>, b: Versioned<T>): boolean {
  return a === b || (compareVersions(a.version, b.version) === 0 && contentOf(a) === contentOf(b));
}
