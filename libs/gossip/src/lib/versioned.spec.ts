import fc from 'fast-check';
import {
  canonical,
  compareVersions,
  endorse,
  mergeVersioned,
  report,
  resolve,
  sameVersioned,
  type Versioned,
} from './versioned';

interface Info {
  state: 'active' | 'draining' | 'overloaded';
  load: number;
}

const registries = ['reg-c1-1', 'reg-c1-2', 'reg-c2-1', 'reg-c2-2', 'reg-c3-1'];
const version = fc.record({
  incarnation: fc.integer({ min: 1, max: 3 }),
  seq: fc.integer({ min: 0, max: 3 }),
});
const info = fc.record({
  state: fc.constantFrom<Info['state']>('active', 'draining', 'overloaded'),
  load: fc.integer({ min: 0, max: 2 }),
});
/** A value as some registry may hold it: one or more reports of the same version, merged. */
const versioned: fc.Arbitrary<Versioned<Info>> = fc
  .tuple(version, fc.array(fc.tuple(info, fc.constantFrom(...registries)), { minLength: 1, maxLength: 4 }))
  .map(([v, reports]) =>
    reports.map(([value, informer]) => report(value, v, informer)).reduce((a, b) => mergeVersioned(a, b)),
  );

const RUNS = { numRuns: 2_000 };

describe('mergeVersioned', () => {
  it('is commutative', () => {
    fc.assert(
      fc.property(versioned, versioned, (a, b) => sameVersioned(mergeVersioned(a, b), mergeVersioned(b, a))),
      RUNS,
    );
  });

  it('is associative', () => {
    fc.assert(
      fc.property(versioned, versioned, versioned, (a, b, c) =>
        sameVersioned(mergeVersioned(mergeVersioned(a, b), c), mergeVersioned(a, mergeVersioned(b, c))),
      ),
      RUNS,
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(versioned, (a) => sameVersioned(mergeVersioned(a, a), a)),
      RUNS,
    );
  });

  it('never lets an older version replace a newer one', () => {
    fc.assert(
      fc.property(versioned, versioned, (a, b) => {
        const merged = mergeVersioned(a, b);
        const newest = compareVersions(a.version, b.version) >= 0 ? a.version : b.version;
        return compareVersions(merged.version, newest) === 0;
      }),
      RUNS,
    );
  });

  it('resolves to the same value whatever the order of arrival', () => {
    fc.assert(
      fc.property(fc.array(versioned, { minLength: 1, maxLength: 6 }), (values) => {
        const forward = values.reduce((a, b) => mergeVersioned(a, b));
        const backward = [...values].reverse().reduce((a, b) => mergeVersioned(a, b));
        return canonical(resolve(forward)) === canonical(resolve(backward));
      }),
      RUNS,
    );
  });
});

describe('resolve', () => {
  const v = { incarnation: 1, seq: 4 };
  const active: Info = { state: 'active', load: 1 };
  const draining: Info = { state: 'draining', load: 1 };

  it('takes the higher version over any number of informers', () => {
    const old = ['reg-c1-1', 'reg-c1-2', 'reg-c2-1']
      .map((r) => report(active, v, r))
      .reduce((a, b) => mergeVersioned(a, b));
    const fresh = report(draining, { incarnation: 1, seq: 5 }, 'reg-c2-2');
    expect(resolve(mergeVersioned(old, fresh))).toEqual(draining);
  });

  it('at an equal version, takes the value more registries report', () => {
    const merged = [
      report(active, v, 'reg-c1-1'),
      report(draining, v, 'reg-c2-1'),
      report(active, v, 'reg-c1-2'),
    ].reduce((a, b) => mergeVersioned(a, b));
    expect(resolve(merged)).toEqual(active);
  });

  it('breaks a tie between equally reported values the same way everywhere', () => {
    const one = mergeVersioned(report(active, v, 'reg-c1-1'), report(draining, v, 'reg-c2-1'));
    const other = mergeVersioned(report(draining, v, 'reg-c2-1'), report(active, v, 'reg-c1-1'));
    expect(resolve(one)).toEqual(resolve(other));
  });

  it('counts an endorsing registry as one more informer, once', () => {
    const merged = mergeVersioned(report(active, v, 'reg-c1-1'), report(draining, v, 'reg-c2-1'));
    const winner = resolve(merged);
    const endorsed = endorse(endorse(merged, 'reg-c3-1'), 'reg-c3-1');
    expect(endorsed.candidates[canonical(winner)].informers).toHaveLength(2);
    expect(resolve(endorsed)).toEqual(winner);
  });
});

describe('canonical', () => {
  it('ignores key order and undefined fields', () => {
    expect(canonical({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe(
      canonical({ a: { c: 'x', d: [1, 2] }, b: 1, z: undefined }),
    );
  });
});
