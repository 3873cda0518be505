import fc from 'fast-check';
import {
  deltaFor,
  digestOf,
  mergeGcas,
  sameGcas,
  type CoreMxEntry,
  type Gcas,
  type RegistryMeta,
} from './gcas';
import { report, resolve } from './versioned';

const registries = ['reg-c1-1', 'reg-c1-2', 'reg-c2-1'];
const coremxIds = ['coremx-1', 'coremx-2', 'coremx-3'];

const meta = (registryId: string): RegistryMeta => ({
  registryId,
  cloud: registryId.split('-')[1],
  priority: Number(registryId.split('-')[2]),
  url: `https://${registryId}.hoot.mx`,
  region: 'r1',
  latitude: 0,
  longitude: 0,
});
const entry = (coremxId: string, state: CoreMxEntry['state'], load: number): CoreMxEntry => ({
  coremxId,
  address: `${coremxId}.c1.hoot.mx`,
  signalingUrl: `wss://${coremxId}.c1.hoot.mx/signal`,
  state,
  load,
  rooms: 0,
  participants: 0,
  capacity: 100,
});

/** One CoreMX change as its origin registry records it. */
const change = fc.record({
  registry: fc.constantFrom(...registries),
  coremx: fc.constantFrom(...coremxIds),
  incarnation: fc.integer({ min: 1, max: 2 }),
  seq: fc.integer({ min: 0, max: 5 }),
  state: fc.constantFrom<CoreMxEntry['state']>('active', 'draining', 'overloaded'),
  load: fc.integer({ min: 0, max: 10 }).map((n) => n / 10),
});
type Change = typeof change extends fc.Arbitrary<infer C> ? C : never;

const gcasOf = (c: Change): Gcas => ({
  [c.registry]: {
    meta: report(meta(c.registry), { incarnation: 1, seq: 0 }, c.registry),
    coremx: {
      [c.coremx]: report(
        entry(c.coremx, c.state, c.load),
        { incarnation: c.incarnation, seq: c.seq },
        c.registry,
      ),
    },
  },
});

describe('GCAS merge and exchange', () => {
  it('merges per key: the higher version of a CoreMX wins, other keys are kept', () => {
    const a = gcasOf({
      registry: 'reg-c1-1',
      coremx: 'coremx-1',
      incarnation: 1,
      seq: 1,
      state: 'active',
      load: 0.1,
    });
    const b = gcasOf({
      registry: 'reg-c1-1',
      coremx: 'coremx-1',
      incarnation: 1,
      seq: 2,
      state: 'draining',
      load: 0.1,
    });
    const c = gcasOf({
      registry: 'reg-c2-1',
      coremx: 'coremx-2',
      incarnation: 1,
      seq: 0,
      state: 'active',
      load: 0.5,
    });
    const merged = mergeGcas(mergeGcas(b, c), a);
    expect(resolve(merged['reg-c1-1'].coremx['coremx-1']).state).toBe('draining');
    expect(resolve(merged['reg-c2-1'].coremx['coremx-2']).load).toBe(0.5);
  });

  it('sends nothing to a peer that has everything, and only what it lacks otherwise', () => {
    const a = gcasOf({
      registry: 'reg-c1-1',
      coremx: 'coremx-1',
      incarnation: 1,
      seq: 1,
      state: 'active',
      load: 0.1,
    });
    const b = gcasOf({
      registry: 'reg-c2-1',
      coremx: 'coremx-2',
      incarnation: 1,
      seq: 0,
      state: 'active',
      load: 0.5,
    });
    const both = mergeGcas(a, b);
    expect(deltaFor(both, digestOf(both))).toEqual({});
    expect(Object.keys(deltaFor(both, digestOf(a)))).toEqual(['reg-c2-1']);
  });

  it('converges: registries that swap digests and deltas in any order end with identical maps', () => {
    fc.assert(
      fc.property(
        fc.array(change, { minLength: 1, maxLength: 12 }),
        fc.array(fc.tuple(fc.nat(2), fc.nat(2)), { minLength: 0, maxLength: 20 }),
        (changes, schedule) => {
          // Each change lands at its origin registry; then a random schedule of pairwise exchanges runs,
          // then one full round so every pair has talked at least once after the last change.
          const maps: Gcas[] = registries.map((r) =>
            changes
              .filter((c) => c.registry === r)
              .map(gcasOf)
              .reduce(mergeGcas, {} as Gcas),
          );
          const exchange = (i: number, j: number) => {
            const toJ = deltaFor(maps[i], digestOf(maps[j]));
            const toI = deltaFor(maps[j], digestOf(maps[i]));
            maps[j] = mergeGcas(maps[j], toJ);
            maps[i] = mergeGcas(maps[i], toI);
          };
          for (const [i, j] of schedule) exchange(i, j);
          for (let i = 0; i < maps.length; i++) for (let j = 0; j < maps.length; j++) exchange(i, j);
          const everything = changes.map(gcasOf).reduce(mergeGcas, {} as Gcas);
          return maps.every((m) => sameGcas(m, everything));
        },
      ),
      { numRuns: 1_000 },
    );
  });
});

describe('sameGcas', () => {
  it('is exact: another version, another informer or another value makes maps differ', () => {
    const base = (informer: string, seq: number, load: number): Gcas => ({
      'reg-c1-1': {
        meta: report(meta('reg-c1-1'), { incarnation: 1, seq: 1 }, 'reg-c1-1'),
        coremx: { 'coremx-1': report(entry('coremx-1', 'active', load), { incarnation: 1, seq }, informer) },
      },
    });
    expect(sameGcas(base('reg-c1-1', 1, 0.5), base('reg-c1-1', 1, 0.5))).toBe(true);
    expect(sameGcas(base('reg-c1-1', 1, 0.5), base('reg-c1-2', 1, 0.5))).toBe(false);
    expect(sameGcas(base('reg-c1-1', 1, 0.5), base('reg-c1-1', 2, 0.5))).toBe(false);
    expect(sameGcas(base('reg-c1-1', 1, 0.5), base('reg-c1-1', 1, 0.6))).toBe(false);
    expect(sameGcas(base('reg-c1-1', 1, 0.5), {})).toBe(false);
  });
});
