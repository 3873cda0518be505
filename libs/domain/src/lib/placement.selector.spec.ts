import fc from 'fast-check';
import {
  PLACEMENT_DEFAULTS,
  selectCoreMx,
  type CoreMxState,
  type PlacementCandidate,
  type PlacementOptions,
} from './placement.selector';

const STALE = 15_000;

function mx(id: string, extra: Partial<PlacementCandidate> = {}): PlacementCandidate {
  return {
    coremxId: id,
    cloud: 'c1',
    state: 'active',
    load: 0.1,
    rooms: 0,
    capacity: 100,
    lastReportAgeMs: 1_000,
    ...extra,
  };
}

const base: PlacementOptions = { ownCloud: 'c1', staleAfterMs: STALE };

/** Would the selector be allowed to pick this candidate at all? (an oracle written independently) */
function eligible(c: PlacementCandidate, pending: Record<string, number>): boolean {
  return (
    c.state === 'active' &&
    c.lastReportAgeMs <= STALE &&
    c.rooms + (pending[c.coremxId] ?? 0) < c.capacity &&
    c.load >= 0 &&
    c.load <= 1
  );
}

const candidate = (id: string): fc.Arbitrary<PlacementCandidate> =>
  fc.record({
    coremxId: fc.constant(id),
    cloud: fc.constantFrom('c1', 'c2', 'c3'),
    state: fc.constantFrom<CoreMxState>('active', 'active', 'active', 'draining', 'overloaded', 'down'),
    load: fc.double({ min: 0, max: 1, noNaN: true }),
    rooms: fc.nat(12),
    capacity: fc.nat(12),
    lastReportAgeMs: fc.nat(30_000),
  });
const fleet = fc
  .integer({ min: 0, max: 8 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => candidate(`coremx-${i}`))));
const pendingFor = fc.dictionary(
  fc.constantFrom(...Array.from({ length: 8 }, (_, i) => `coremx-${i}`)),
  fc.nat(5),
);
const strategy = fc.constantFrom<'least-loaded' | 'power-of-two'>('least-loaded', 'power-of-two');
/** A seeded random source, so every run is reproducible. */
const randomSource = fc
  .infiniteStream(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }))
  .map((stream) => {
    const it = stream[Symbol.iterator]();
    return () => it.next().value as number;
  });

describe('selectCoreMx', () => {
  it('takes the least loaded eligible CoreMX of the own cloud and says why', () => {
    const result = selectCoreMx(
      [mx('a', { load: 0.5 }), mx('b', { load: 0.2 }), mx('c', { load: 0.3 })],
      base,
    );
    expect(result).toMatchObject({
      ok: true,
      coremxId: 'b',
      cloud: 'c1',
      fallback: false,
      effectiveLoad: 0.2,
    });
    expect(result.reason).toMatch(/least loaded of 3 eligible in own cloud c1: load 0.2/);
  });

  it.each<[string, Partial<PlacementCandidate>, string]>([
    ['down', { state: 'down' }, 'down'],
    ['draining', { state: 'draining' }, 'draining'],
    ['overloaded', { state: 'overloaded' }, 'overloaded'],
    ['stale', { lastReportAgeMs: STALE + 1 }, 'stale'],
    ['full', { rooms: 100 }, 'full'],
    ['without capacity', { capacity: 0 }, 'full'],
    ['with a load over 1', { load: 1.5 }, 'invalid'],
    ['with a NaN load', { load: Number.NaN }, 'invalid'],
    ['in an unknown state', { state: 'sleeping' as CoreMxState }, 'invalid'],
  ])('never picks one that is %s, even if it is the least loaded', (_name, extra, why) => {
    const result = selectCoreMx([mx('bad', { load: 0, ...extra }), mx('good', { load: 0.9 })], base);
    expect(result).toMatchObject({ ok: true, coremxId: 'good', rejected: [{ coremxId: 'bad', why }] });
  });

  it('accepts a report exactly at the stale limit', () => {
    expect(selectCoreMx([mx('a', { lastReportAgeMs: STALE })], base)).toMatchObject({
      ok: true,
      coremxId: 'a',
    });
  });

  it('counts pending placements as rooms: full when rooms + pending reach the capacity', () => {
    const result = selectCoreMx([mx('a', { rooms: 8, capacity: 10 })], { ...base, pending: { a: 2 } });
    expect(result).toMatchObject({
      ok: false,
      code: 'NO_COREMX_AVAILABLE',
      rejected: [{ coremxId: 'a', why: 'full' }],
    });
  });

  it('falls back to another cloud only when the own cloud has no eligible CoreMX', () => {
    const fleet = [mx('home', { state: 'draining' }), mx('away', { cloud: 'c2', load: 0.9 })];
    expect(selectCoreMx(fleet, base)).toMatchObject({
      ok: true,
      coremxId: 'away',
      cloud: 'c2',
      fallback: true,
    });
    expect(selectCoreMx(fleet, base).reason).toMatch(/none eligible in own cloud c1/);
    const healthy = [mx('home', { load: 0.95 }), mx('away', { cloud: 'c2', load: 0 })];
    expect(selectCoreMx(healthy, base)).toMatchObject({ coremxId: 'home', fallback: false });
  });

  it('answers NO_COREMX_AVAILABLE with every rejection', () => {
    const result = selectCoreMx([mx('a', { state: 'down' }), mx('b', { lastReportAgeMs: 60_000 })], base);
    expect(result).toEqual({
      ok: false,
      code: 'NO_COREMX_AVAILABLE',
      reason: 'no eligible CoreMX (a: down, b: stale)',
      rejected: [
        { coremxId: 'a', why: 'down' },
        { coremxId: 'b', why: 'stale' },
      ],
    });
    expect(selectCoreMx([], base)).toMatchObject({
      ok: false,
      reason: 'no eligible CoreMX (no CoreMX is known)',
    });
  });

  it('rejects a duplicate id and keeps the first report', () => {
    const result = selectCoreMx([mx('a', { load: 0.5 }), mx('a', { load: 0 })], base);
    expect(result).toMatchObject({
      ok: true,
      coremxId: 'a',
      effectiveLoad: 0.5,
      rejected: [{ coremxId: 'a', why: 'duplicate' }],
    });
  });

  it('corrects the load with pending placements (ramp-up)', () => {
    const fleet = [mx('a', { load: 0.1 }), mx('b', { load: 0.2 })];
    const result = selectCoreMx(fleet, { ...base, pending: { a: 10 }, rampUpWeight: 0.02 });
    expect(result).toMatchObject({ ok: true, coremxId: 'b' });
    const other = selectCoreMx(fleet, { ...base, pending: { b: 1 }, rampUpWeight: 0.02 });
    expect(other).toMatchObject({ coremxId: 'a' });
    expect(selectCoreMx(fleet, { ...base, pending: { a: 3 }, rampUpWeight: 0.5 }).reason).toMatch(
      /: load 0.2$/,
    );
    expect(selectCoreMx([mx('a', { load: 0.1 })], { ...base, pending: { a: 3 } }).reason).toMatch(
      /effective load 0.16 = 0.1 \+ 3 pending × 0.02/,
    );
  });

  it('power-of-two draws two distinct candidates and takes the less loaded', () => {
    const fleet = [
      mx('a', { load: 0.9 }),
      mx('b', { load: 0.1 }),
      mx('c', { load: 0.5 }),
      mx('d', { load: 0.7 }),
    ];
    const draws = (values: number[]) => {
      const queue = [...values];
      return () => queue.shift() ?? 0;
    };
    // first = floor(0.0 * 4) = a; second = floor(0.99 * 3) = 2 → skips a → index 3 = d
    expect(
      selectCoreMx(fleet, { ...base, strategy: 'power-of-two', random: draws([0, 0.99]) }),
    ).toMatchObject({
      coremxId: 'd',
    });
    // a and c: c is less loaded
    expect(selectCoreMx(fleet, { ...base, strategy: 'power-of-two', random: draws([0, 0.5]) })).toMatchObject(
      {
        coremxId: 'c',
      },
    );
    // A broken random source cannot pick out of range.
    expect(selectCoreMx(fleet, { ...base, strategy: 'power-of-two', random: () => Number.NaN }).ok).toBe(
      true,
    );
    expect(selectCoreMx(fleet, { ...base, strategy: 'power-of-two', random: () => 7 }).ok).toBe(true);
  });

  it('has documented defaults', () => {
    expect(PLACEMENT_DEFAULTS).toEqual({
      staleAfterMs: 15_000,
      strategy: 'least-loaded',
      rampUpWeight: 0.02,
    });
  });

  describe('properties', () => {
    it('never picks an ineligible CoreMX, and finds one whenever one exists', () => {
      fc.assert(
        fc.property(fleet, pendingFor, strategy, randomSource, (candidates, pending, strat, random) => {
          const result = selectCoreMx(candidates, { ...base, pending, strategy: strat, random });
          const anyEligible = candidates.some((c) => eligible(c, pending));
          expect(result.ok).toBe(anyEligible);
          const chosen = result.ok ? candidates.find((c) => c.coremxId === result.coremxId) : undefined;
          expect(result.ok ? chosen !== undefined && eligible(chosen, pending) : true).toBe(true);
          expect(result.rejected.length).toBe(candidates.filter((c) => !eligible(c, pending)).length);
        }),
        { numRuns: 2_000 },
      );
    });

    it('prefers the own cloud: never elsewhere while the own cloud has an eligible CoreMX', () => {
      fc.assert(
        fc.property(fleet, pendingFor, strategy, randomSource, (candidates, pending, strat, random) => {
          const result = selectCoreMx(candidates, { ...base, pending, strategy: strat, random });
          const homeEligible = candidates.some((c) => c.cloud === 'c1' && eligible(c, pending));
          expect(result.ok || !homeEligible).toBe(true);
          expect(result.ok ? [result.cloud === 'c1', result.fallback] : [false, true]).toEqual([
            homeEligible,
            !homeEligible,
          ]);
        }),
        { numRuns: 2_000 },
      );
    });

    it('least-loaded takes a minimum of the effective load, whatever the input order', () => {
      fc.assert(
        fc.property(fleet, pendingFor, (candidates, pending) => {
          const options = { ...base, pending, rampUpWeight: 0.05 };
          const result = selectCoreMx(candidates, options);
          const reversed = selectCoreMx([...candidates].reverse(), options);
          expect(reversed.ok && result.ok ? reversed.coremxId : null).toBe(
            result.ok ? result.coremxId : null,
          );
          const pool = candidates.filter(
            (c) => eligible(c, pending) && c.cloud === (result.ok ? result.cloud : 'none'),
          );
          const min = Math.min(...pool.map((c) => c.load + (pending[c.coremxId] ?? 0) * 0.05));
          expect(result.ok ? result.effectiveLoad : min).toBe(min);
        }),
        { numRuns: 1_000 },
      );
    });

    /** Places `n` conferences one after another, counting each as pending on its CoreMX. */
    function burst(candidates: PlacementCandidate[], n: number, options: Partial<PlacementOptions>) {
      const pending: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        const result = selectCoreMx(candidates, { ...base, ...options, pending });
        if (result.ok) pending[result.coremxId] = (pending[result.coremxId] ?? 0) + 1;
      }
      return pending;
    }

    it('spreads a burst evenly over equally loaded instances (least-loaded)', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 8 }),
          fc.nat(100),
          fc.double({ min: 0, max: 0.9, noNaN: true }),
          (k, n, load) => {
            const candidates = Array.from({ length: k }, (_, i) => mx(`m${i}`, { load, capacity: 1_000 }));
            const counts = candidates.map((c) => burst(candidates, n, {})[c.coremxId] ?? 0);
            expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
            expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('without the ramp-up correction a burst would all land on one instance', () => {
      const candidates = [mx('a', { load: 0.1 }), mx('b', { load: 0.2 }), mx('c', { load: 0.3 })];
      expect(burst(candidates, 30, { rampUpWeight: 0 })).toEqual({ a: 30 });
      // With it the effective loads level out: 0.1 + 15 × 0.02 = 0.2 + 10 × 0.02 = 0.3 + 5 × 0.02.
      const spread = burst(candidates, 30, {});
      expect(Math.abs(spread['a'] - 15)).toBeLessThanOrEqual(1);
      expect(Math.abs(spread['b'] - 10)).toBeLessThanOrEqual(1);
      expect(Math.abs(spread['c'] - 5)).toBeLessThanOrEqual(1);
    });

    it('fills the less loaded instance first, then spreads (water-filling)', () => {
      const candidates = [mx('busy', { load: 0.5 }), mx('idle', { load: 0.1 })];
      // 0.4 of difference at 0.02 per placement: the first 20 go to idle, then they alternate.
      expect(burst(candidates, 20, {})).toEqual({ idle: 20 });
      const after = burst(candidates, 40, {});
      expect(Math.abs((after['idle'] ?? 0) - 20 - (after['busy'] ?? 0))).toBeLessThanOrEqual(1);
    });

    it('power-of-two never puts more than half (+1) of a burst on one of equally loaded instances', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 3, max: 8 }),
          fc.integer({ min: 2, max: 60 }),
          randomSource,
          (k, n, random) => {
            const candidates = Array.from({ length: k }, (_, i) => mx(`m${i}`, { capacity: 1_000 }));
            const counts = Object.values(burst(candidates, n, { strategy: 'power-of-two', random }));
            expect(counts.reduce((a, b) => a + b, 0)).toBe(n);
            expect(Math.max(...counts)).toBeLessThanOrEqual((n + 1) / 2);
          },
        ),
        { numRuns: 300 },
      );
    });

    it('never exceeds the capacity, counting pending placements', () => {
      fc.assert(
        fc.property(fc.array(fc.nat(5), { minLength: 1, maxLength: 5 }), fc.nat(40), (capacities, n) => {
          const candidates = capacities.map((capacity, i) => mx(`m${i}`, { capacity }));
          const placed = burst(candidates, n, {});
          const total = capacities.reduce((a, b) => a + b, 0);
          expect(Object.values(placed).reduce((a, b) => a + b, 0)).toBe(Math.min(n, total));
          expect(candidates.every((c) => (placed[c.coremxId] ?? 0) <= c.capacity)).toBe(true);
        }),
        { numRuns: 300 },
      );
    });
  });
});
