/**
 * An origin-owned version: only the origin (a CASH for its CoreMX, a registry for itself) advances it.
 * `incarnation` changes when the origin restarts; `seq` counts its changes within one incarnation.
 * Never a wall-clock time, so no observer's clock can make stale data look new.
 */
export interface Version {
  readonly incarnation: number;
  readonly seq: number;
}

/** One value reported at a version, with the registries that report exactly it. */
export interface Candidate<T> {
  readonly value: T;
  /** Sorted, without duplicates. */
  readonly informers: readonly string[];
}

/**
 * A value as a registry knows it: every candidate seen at the highest known version, keyed by its
 * canonical content. Keeping all candidates (not only the winner) makes merging a set union, hence
 * commutative, associative and idempotent; the winner is derived by `resolve`.
 */
export interface Versioned<T> {
  readonly version: Version;
  readonly candidates: Readonly<Record<string, Candidate<T>>>;
}

export function compareVersions(a: Version, b: Version): number {
  return a.incarnation - b.incarnation || a.seq - b.seq;
}

/** Canonical JSON (object keys sorted): equal content gives an equal key whatever the key order. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonical(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = obj[key];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonical(v)}`;
    first = false;
  }
  return `${out}}`;
}

const unionSorted = (a: readonly string[], b: readonly string[]): string[] =>
  [...new Set([...a, ...b])].sort();

/** A value first reported by `informer` at `version`. */
export function report<T>(value: T, version: Version, informer: string): Versioned<T> {
  return { version, candidates: { [canonical(value)]: { value, informers: [informer] } } };
}

/** Higher version wins; at an equal version the candidates and their informers are united. */
export function mergeVersioned<T>(a: Versioned<T>, b: Versioned<T>): Versioned<T> {
  const order = compareVersions(a.version, b.version);
  if (order > 0) return a;
  if (order < 0) return b;
  const candidates: Record<string, Candidate<T>> = { ...a.candidates };
  for (const [key, candidate] of Object.entries(b.candidates)) {
    const mine = candidates[key];
    candidates[key] = mine
      ? { value: mine.value, informers: unionSorted(mine.informers, candidate.informers) }
      : { value: candidate.value, informers: [...candidate.informers].sort() };
  }
  return { version: a.version, candidates };
}

/**
 * The value this registry believes: the candidate reported by the most registries, then the smallest
 * canonical content (a fixed tiebreak every registry applies the same way).
 */
export function resolve<T>(versioned: Versioned<T>): T {
  return versioned.candidates[resolveKey(versioned)].value;
}

/** The candidate key (canonical content) of the value `resolve` picks. */
export function resolveKey<T>(versioned: Versioned<T>): string {
  let bestKey = '';
  let bestCount = -1;
  for (const [key, candidate] of Object.entries(versioned.candidates)) {
    const count = candidate.informers.length;
    if (count > bestCount || (count === bestCount && key < bestKey)) {
      bestKey = key;
      bestCount = count;
    }
  }
  return bestKey;
}

/** `informer` now reports the value it resolved (it joins that candidate's informers). */
export function endorse<T>(versioned: Versioned<T>, informer: string): Versioned<T> {
  const winner = resolveKey(versioned);
  const candidate = versioned.candidates[winner];
  if (candidate.informers.includes(informer)) return versioned;
  return {
    version: versioned.version,
    candidates: {
      ...versioned.candidates,
      [winner]: { value: candidate.value, informers: unionSorted(candidate.informers, [informer]) },
    },
  };
}

/** Same version and same candidates with the same informers. */
export function sameVersioned<T>(a: Versioned<T>, b: Versioned<T>): boolean {
  return canonical(a) === canonical(b);
}
