/**
 * Placement: which CoreMX a new conference goes to. Pure: the registry passes in the candidates it
 * knows from GCAS, how many placements it made on each since that instance's last load report, and a
 * random source.
 */

export type CoreMxState = 'active' | 'draining' | 'overloaded' | 'down';

export interface PlacementCandidate {
  coremxId: string;
  cloud: string;
  state: CoreMxState;
  /** 0..1, as the CoreMX last reported it. */
  load: number;
  /** Rooms it hosts, as last reported. */
  rooms: number;
  /** Rooms it accepts at most. */
  capacity: number;
  /** How old its last report is. */
  lastReportAgeMs: number;
}

export type PlacementStrategy = 'least-loaded' | 'power-of-two';

export interface PlacementOptions {
  /** The registry's own cloud: placed there whenever one of its CoreMX is eligible. */
  ownCloud: string;
  /** Reports older than this make a CoreMX ineligible. */
  staleAfterMs: number;
  strategy?: PlacementStrategy;
  /** Uniform in [0, 1): only `power-of-two` uses it. Defaults to `Math.random`. */
  random?: () => number;
  /** Placements made on each CoreMX since its last load report (they are not in `load` or `rooms` yet). */
  pending?: Readonly<Record<string, number>>;
  /** Load each pending placement is assumed to add until the next report (ramp-up correction). */
  rampUpWeight?: number;
}

export const PLACEMENT_DEFAULTS = {
  // Many missed heartbeats at CASH's default 1 s interval (and three at 5 s): one late report is no reason to skip
  // an instance, but an instance that stopped reporting must not get new conferences.
  staleAfterMs: 15_000,
  strategy: 'least-loaded' as PlacementStrategy,
  // A new conference costs little until people join; 2 % of an instance per placement spreads a burst
  // of creations (as many as 50 before one instance looks full) until the next report brings real load.
  rampUpWeight: 0.02,
} as const;

/** Why a candidate was left out. */
export type PlacementRejection =
  'invalid' | 'duplicate' | 'down' | 'draining' | 'overloaded' | 'stale' | 'full';

export interface RejectedCandidate {
  coremxId: string;
  why: PlacementRejection;
}

export type PlacementResult =
  | {
      ok: true;
      coremxId: string;
      cloud: string;
      /** True when no CoreMX of the own cloud was eligible. */
      fallback: boolean;
      /** `load + pending × rampUpWeight` of the chosen one. */
      effectiveLoad: number;
      reason: string;
      rejected: RejectedCandidate[];
    }
  | { ok: false; code: 'NO_COREMX_AVAILABLE'; reason: string; rejected: RejectedCandidate[] };

interface Eligible {
  candidate: PlacementCandidate;
  effectiveLoad: number;
  pending: number;
}

function isNumberIn(value: unknown, min: number, max = Infinity): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

function pendingOf(pending: PlacementOptions['pending'], coremxId: string): number {
  const n = pending && Object.hasOwn(pending, coremxId) ? pending[coremxId] : 0;
  return isNumberIn(n, 0) ? n : 0;
}

function rejection(
  c: PlacementCandidate,
  pending: number,
  staleAfterMs: number,
): PlacementRejection | undefined {
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.coremxId !== 'string' ||
    c.coremxId.length === 0 ||
    typeof c.cloud !== 'string' ||
    !isNumberIn(c.load, 0, 1) ||
    !isNumberIn(c.rooms, 0) ||
    !isNumberIn(c.capacity, 0) ||
    !isNumberIn(c.lastReportAgeMs, 0)
  ) {
    return 'invalid';
  }
  if (c.state === 'down' || c.state === 'draining' || c.state === 'overloaded') return c.state;
  if (c.state !== 'active') return 'invalid';
  if (c.lastReportAgeMs > staleAfterMs) return 'stale';
  if (c.rooms + pending >= c.capacity) return 'full';
  return undefined;
}

/** Lower effective load first, then lower fill ratio, then coremxId: a total, input-order-free order. */
function better(a: Eligible, b: Eligible): boolean {
  if (a.effectiveLoad !== b.effectiveLoad) return a.effectiveLoad < b.effectiveLoad;
  const fillA = (a.candidate.rooms + a.pending) / a.candidate.capacity;
  const fillB = (b.candidate.rooms + b.pending) / b.candidate.capacity;
  if (fillA !== fillB) return fillA < fillB;
  return a.candidate.coremxId < b.candidate.coremxId;
}

function pickIndex(random: () => number, n: number): number {
  const r = random();
  const i = Number.isFinite(r) ? Math.floor(r * n) : 0;
  return Math.min(n - 1, Math.max(0, i));
}

function choose(pool: Eligible[], strategy: PlacementStrategy, random: () => number): Eligible {
  if (strategy === 'power-of-two' && pool.length > 2) {
    // Two distinct random picks, keep the less loaded.
    const first = pickIndex(random, pool.length);
    let second = pickIndex(random, pool.length - 1);
    if (second >= first) second++;
    const [a, b] = [pool[first], pool[second]];
    return better(b, a) ? b : a;
  }
  return pool.reduce((best, e) => (better(e, best) ? e : best));
}

function describe(e: Eligible, rampUpWeight: number): string {
  const { load } = e.candidate;
  const fmt = (n: number) => String(Math.round(n * 1000) / 1000);
  return e.pending > 0
    ? `effective load ${fmt(e.effectiveLoad)} = ${fmt(load)} + ${e.pending} pending × ${rampUpWeight}`
    : `load ${fmt(load)}`;
}

/**
 * Picks the CoreMX for a new conference. Never one that is down, draining, overloaded, stale
 * (`lastReportAgeMs > staleAfterMs`), full (`rooms + pending >= capacity`) or whose report is invalid.
 * Prefers the own cloud; other clouds only when none is eligible there. Among the eligible:
 * `least-loaded` takes the lowest effective load (`load + pending × rampUpWeight`, so a burst of
 * creations does not all land on one instance before its report catches up); `power-of-two` draws two
 * at random and takes the less loaded.
 */
export function selectCoreMx(
  candidates: readonly PlacementCandidate[],
  options: PlacementOptions,
): PlacementResult {
  const staleAfterMs = options.staleAfterMs ?? PLACEMENT_DEFAULTS.staleAfterMs;
  const strategy = options.strategy ?? PLACEMENT_DEFAULTS.strategy;
  const rampUpWeight = isNumberIn(options.rampUpWeight, 0)
    ? options.rampUpWeight
    : PLACEMENT_DEFAULTS.rampUpWeight;
  const random = options.random ?? Math.random;

  const rejected: RejectedCandidate[] = [];
  const home: Eligible[] = [];
  const away: Eligible[] = [];
  const seen = new Set<string>();
  for (const c of Array.isArray(candidates) ? candidates : []) {
    const id = typeof c?.coremxId === 'string' ? c.coremxId : String(c?.coremxId);
    if (seen.has(id)) {
      rejected.push({ coremxId: id, why: 'duplicate' });
      continue;
    }
    seen.add(id);
    const pending = pendingOf(options.pending, id);
    const why = rejection(c, pending, staleAfterMs);
    if (why) {
      rejected.push({ coremxId: id, why });
      continue;
    }
    const e = { candidate: c, pending, effectiveLoad: c.load + pending * rampUpWeight };
    (c.cloud === options.ownCloud ? home : away).push(e);
  }

  const fallback = home.length === 0;
  const pool = fallback ? away : home;
  if (pool.length === 0) {
    const summary = rejected.length
      ? rejected.map((r) => `${r.coremxId}: ${r.why}`).join(', ')
      : 'no CoreMX is known';
    return { ok: false, code: 'NO_COREMX_AVAILABLE', reason: `no eligible CoreMX (${summary})`, rejected };
  }
  const chosen = choose(pool, strategy, random);
  const where = fallback
    ? `cloud ${chosen.candidate.cloud} (none eligible in own cloud ${options.ownCloud})`
    : `own cloud ${options.ownCloud}`;
  const how = strategy === 'power-of-two' && pool.length > 2 ? 'less loaded of two random' : 'least loaded';
  return {
    ok: true,
    coremxId: chosen.candidate.coremxId,
    cloud: chosen.candidate.cloud,
    fallback,
    effectiveLoad: chosen.effectiveLoad,
    reason: `${how} of ${pool.length} eligible in ${where}: ${describe(chosen, rampUpWeight)}`,
    rejected,
  };
}
