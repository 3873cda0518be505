import fc from 'fast-check';
import { digestOf, mergeGcas, type CoreMxEntry, type Gcas } from './gcas';
import { parseGossipMessage } from './gossip-message';
import { report } from './versioned';

const entry: CoreMxEntry = {
  coremxId: 'coremx-1',
  address: 'coremx-1.c1.hoot.mx',
  signalingUrl: 'wss://coremx-1.c1.hoot.mx/signal',
  state: 'active',
  load: 0.25,
  rooms: 2,
  participants: 7,
  capacity: 100,
};
const gcas: Gcas = {
  'reg-c1-1': {
    meta: report(
      {
        registryId: 'reg-c1-1',
        cloud: 'c1',
        priority: 1,
        url: 'https://reg-c1-1.hoot.mx',
        region: 'c1',
        latitude: 0,
        longitude: 0,
      },
      { incarnation: 1, seq: 9 },
      'reg-c1-1',
    ),
    coremx: { 'coremx-1': report(entry, { incarnation: 3, seq: 41 }, 'reg-c1-1') },
  },
};
const delta = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ type: 'delta', from: 'reg-c2-1', gcas, ...overrides });

/** The delta with one CoreMX entry field replaced (a lying or broken peer). */
function withEntry(change: Partial<Record<keyof CoreMxEntry, unknown>>, keepKey = false): string {
  const bad = JSON.parse(delta());
  const candidates = bad.gcas['reg-c1-1'].coremx['coremx-1'].candidates;
  const [key] = Object.keys(candidates);
  const value = { ...candidates[key].value, ...change };
  delete candidates[key];
  const newKey = keepKey ? key : JSON.stringify(value, Object.keys(value).sort());
  candidates[newKey] = { value, informers: ['reg-c1-1'] };
  return JSON.stringify(bad);
}

describe('parseGossipMessage', () => {
  it("carries a CoreMX's optional service API URL and refuses one that is not http(s)", () => {
    const parsed = parseGossipMessage(withEntry({ apiUrl: 'http://coremx-1.internal:3300' }));
    if (!parsed.ok || parsed.message.type !== 'delta') throw new Error('expected a valid delta');
    const [candidate] = Object.values(parsed.message.gcas['reg-c1-1'].coremx['coremx-1'].candidates);
    expect(candidate.value.apiUrl).toBe('http://coremx-1.internal:3300');
    expect(parseGossipMessage(withEntry({ apiUrl: 'ftp://coremx-1.internal' }))).toMatchObject({ ok: false });
  });

  it('accepts a well-formed delta and digest and returns the same content', () => {
    const parsed = parseGossipMessage(delta());
    expect(parsed).toEqual({ ok: true, message: { type: 'delta', from: 'reg-c2-1', gcas } });
    const digest = parseGossipMessage(
      JSON.stringify({ type: 'digest', from: 'reg-c1-2', digest: digestOf(gcas) }),
    );
    expect(digest).toEqual({
      ok: true,
      message: { type: 'digest', from: 'reg-c1-2', digest: digestOf(gcas) },
    });
  });

  it('accepts what merging produces (several informers)', () => {
    const other: Gcas = {
      'reg-c1-1': {
        ...gcas['reg-c1-1'],
        coremx: { 'coremx-1': report(entry, { incarnation: 3, seq: 41 }, 'reg-c2-1') },
      },
    };
    const merged = mergeGcas(gcas, other);
    expect(parseGossipMessage(delta({ gcas: merged }))).toEqual({
      ok: true,
      message: { type: 'delta', from: 'reg-c2-1', gcas: merged },
    });
  });

  it.each([
    ['oversized', 'x'.repeat(2_000), /larger than 1000 bytes/],
    ['not JSON', '{"type":', /not JSON/],
    ['an unknown type', delta({ type: 'gossip' }), /message.type: must be "digest" or "delta"/],
    ['an unknown field', delta({ extra: 1 }), /message.extra: unknown field/],
    ['a bad sender id', delta({ from: 'registry-1' }), /message.from: is not valid/],
    [
      'a bad registry key',
      delta({ gcas: { 'reg-c1-0': gcas['reg-c1-1'] } }),
      /message.gcas key: is not valid/,
    ],
  ])('rejects %s', (_, raw, error) => {
    expect(parseGossipMessage(raw, 1_000)).toEqual({ ok: false, error: expect.stringMatching(error) });
  });

  it.each([
    ['a load above 1', { load: 3 }, /load: must be a number from 0 to 1/],
    ['an unknown state', { state: 'gone' }, /state: must be one of/],
    ['a negative room count', { rooms: -1 }, /rooms: must be an integer/],
    ['a malformed mixer address', { address: 'not an address' }, /address: is not valid/],
  ])('rejects an entry with %s', (_, change, error) => {
    expect(parseGossipMessage(withEntry(change))).toEqual({ ok: false, error: expect.stringMatching(error) });
  });

  it('rejects a candidate whose key is not its content (one value counted twice)', () => {
    expect(parseGossipMessage(withEntry({ load: 0.5 }, true))).toEqual({
      ok: false,
      error: expect.stringMatching(/key does not match its value/),
    });
  });

  it('rejects a version that is not a non-negative integer', () => {
    const bad = JSON.parse(delta());
    bad.gcas['reg-c1-1'].coremx['coremx-1'].version = { incarnation: 1.5, seq: 0 };
    expect(parseGossipMessage(JSON.stringify(bad))).toEqual({
      ok: false,
      error: expect.stringMatching(/version.incarnation/),
    });
  });

  it('rejects informers that are not registry ids', () => {
    const bad = JSON.parse(delta());
    const candidates = bad.gcas['reg-c1-1'].coremx['coremx-1'].candidates;
    candidates[Object.keys(candidates)[0]].informers = ['everyone'];
    expect(parseGossipMessage(JSON.stringify(bad))).toEqual({
      ok: false,
      error: expect.stringMatching(/informers\[\]: is not valid/),
    });
  });
});

describe('candidate keys', () => {
  it('accepts exactly the keys canonical() gives, for metas and entries with any numbers', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.nat(),
        fc.nat(999),
        (load, rooms, priority) => {
          const e: CoreMxEntry = { ...entry, load, rooms };
          const m = {
            registryId: 'reg-c1-1',
            cloud: 'c1',
            priority,
            url: 'https://reg-c1-1.hoot.mx',
            region: 'c1',
            latitude: 0,
            longitude: 0,
          };
          const g: Gcas = {
            'reg-c1-1': {
              meta: report(m, { incarnation: 1, seq: 1 }, 'reg-c1-1'),
              coremx: { 'coremx-1': report(e, { incarnation: 1, seq: 1 }, 'reg-c1-1') },
            },
          };
          expect(parseGossipMessage(JSON.stringify({ type: 'delta', from: 'reg-c1-1', gcas: g })).ok).toBe(
            true,
          );
        },
      ),
    );
  });
});
