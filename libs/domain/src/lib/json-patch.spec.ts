import fc from 'fast-check';
import {
  JsonPatchError,
  applyPatches,
  diffJson,
  jsonEqual,
  type JsonValue,
  type PatchOp,
} from './json-patch';
import { deepFreeze } from './room.fixture';

const RUNS = { numRuns: 1_000 };
/** fast-check's JSON values, typed as ours. */
const json = (maxDepth?: number) =>
  fc.jsonValue(maxDepth === undefined ? {} : { maxDepth }) as unknown as fc.Arbitrary<JsonValue>;

/** Pairs of JSON values that are often close to each other (an edit of the first), sometimes unrelated. */
const edited: fc.Arbitrary<[JsonValue, JsonValue]> = fc.oneof(
  fc.tuple(json(), json()),
  fc
    .tuple(
      fc.dictionary(fc.string({ maxLength: 3 }), json(2)),
      fc.dictionary(fc.string({ maxLength: 3 }), json(2)),
      fc.array(fc.string({ maxLength: 3 })),
    )
    .map(([base, patch, drop]): [JsonValue, JsonValue] => {
      const next: Record<string, JsonValue> = { ...base, ...patch };
      for (const key of drop) delete next[key];
      return [base as JsonValue, next];
    }),
  fc
    .tuple(fc.array(json(1), { maxLength: 12 }), fc.nat(12), fc.array(json(1)))
    .map(([list, drop, add]): [JsonValue, JsonValue] => [list, [...list.slice(drop), ...add]]),
);

describe('diffJson and applyPatches', () => {
  it('turn a into b: applyPatches(a, diffJson(a, b)) equals b, and a is untouched', () => {
    fc.assert(
      fc.property(edited, ([a, b]) => {
        const before = JSON.stringify(a);
        const result = applyPatches(deepFreeze(a), diffJson(a, b));
        expect(result).toEqual(b);
        expect(jsonEqual(result, b)).toBe(true);
        expect(JSON.stringify(a)).toBe(before);
      }),
      RUNS,
    );
  });

  it('produce no ops for equal values', () => {
    fc.assert(
      fc.property(json(), (a) => {
        expect(diffJson(a, structuredClone(a))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('survive a JSON round trip of the ops (they are plain data)', () => {
    fc.assert(
      fc.property(edited, ([a, b]) => {
        const ops = JSON.parse(JSON.stringify(diffJson(a, b))) as PatchOp[];
        // JSON itself cannot carry -0, so compare through JSON as well.
        const viaJson = (v: JsonValue) => JSON.parse(JSON.stringify(v)) as JsonValue;
        expect(viaJson(applyPatches(a, ops))).toEqual(viaJson(b));
      }),
      RUNS,
    );
  });

  it('make small patches: one changed member is one op', () => {
    const a = { p: { x: { role: 'viewer', streams: [] } }, n: 1 };
    const b = { p: { x: { role: 'publisher', streams: [] } }, n: 1 };
    expect(diffJson(a, b)).toEqual([{ op: 'replace', path: '/p/x/role', value: 'publisher' }]);
  });

  it('slide a window: drop the oldest and append as removes at the front and adds', () => {
    const a = { c: [1, 2, 3, 4, 5] };
    const b = { c: [3, 4, 5, 6] };
    expect(diffJson(a, b)).toEqual([
      { op: 'remove', path: '/c/0' },
      { op: 'remove', path: '/c/0' },
      { op: 'add', path: '/c/3', value: 6 },
    ]);
    expect(applyPatches(a, diffJson(a, b))).toEqual(b);
  });

  it('escape keys with "/" and "~", and keep "__proto__" a plain member', () => {
    const a = { 'a/b': 1, '~c': 2 } as JsonValue;
    const b = JSON.parse('{"a/b": 3, "__proto__": {"x": 1}}') as JsonValue;
    const ops = diffJson(a, b);
    expect(ops).toEqual(
      expect.arrayContaining([
        { op: 'remove', path: '/~0c' },
        { op: 'replace', path: '/a~1b', value: 3 },
      ]),
    );
    const result = applyPatches(a, ops) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result).sort()).toEqual(['__proto__', 'a/b']);
    expect(jsonEqual(result as JsonValue, b)).toBe(true);
  });

  it('tell 0 from -0 and replace the root when the types differ', () => {
    expect(diffJson(0, -0)).toEqual([{ op: 'replace', path: '', value: -0 }]);
    expect(diffJson([1], { a: 1 })).toEqual([{ op: 'replace', path: '', value: { a: 1 } }]);
    expect(applyPatches({ a: 1 }, [{ op: 'replace', path: '', value: [1] }])).toEqual([1]);
  });

  it('append with "-"', () => {
    expect(applyPatches([1], [{ op: 'add', path: '/-', value: 2 }])).toEqual([1, 2]);
  });

  it.each<[string, JsonValue, unknown]>([
    ['a remove of the root', { a: 1 }, [{ op: 'remove', path: '' }]],
    ['a path without a leading slash', { a: 1 }, [{ op: 'replace', path: 'a', value: 2 }]],
    ['a missing member', { a: 1 }, [{ op: 'replace', path: '/b', value: 2 }]],
    ['a missing parent', { a: 1 }, [{ op: 'add', path: '/b/c', value: 2 }]],
    ['an index out of range', [1], [{ op: 'replace', path: '/1', value: 2 }]],
    ['an add past the end', [1], [{ op: 'add', path: '/2', value: 2 }]],
    ['a bad index', [1], [{ op: 'remove', path: '/01' }]],
    ['"-" for remove', [1], [{ op: 'remove', path: '/-' }]],
    ['a scalar parent', { a: 1 }, [{ op: 'add', path: '/a/b', value: 2 }]],
    ['an unknown op', { a: 1 }, [{ op: 'move', path: '/a', from: '/b' }]],
    ['an add without a value', { a: 1 }, [{ op: 'add', path: '/b' }]],
    ['a path that is not a string', { a: 1 }, [{ op: 'remove', path: 3 }]],
    ['ops that are not a list', { a: 1 }, { op: 'remove', path: '/a' }],
    ['an op that is not an object', { a: 1 }, ['remove']],
  ])('refuse %s with JsonPatchError', (_name, doc, ops) => {
    expect(() => applyPatches(doc, ops as PatchOp[])).toThrow(JsonPatchError);
    expect(() => applyPatches(doc, ops as PatchOp[])).toThrow(
      expect.objectContaining({ code: 'PATCH_INVALID' }),
    );
  });

  it('say which op failed and change nothing', () => {
    const doc = deepFreeze({ a: 1, b: 2 });
    const ops: PatchOp[] = [
      { op: 'replace', path: '/a', value: 5 },
      { op: 'remove', path: '/zzz' },
    ];
    expect(() => applyPatches(doc, ops)).toThrow(expect.objectContaining({ opIndex: 1 }));
    expect(doc).toEqual({ a: 1, b: 2 });
  });
});
