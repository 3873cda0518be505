import fc from 'fast-check';
import { CcesError } from './cces-error-code';
import { CcesSequencer } from './cces-sequencer';

describe('CcesSequencer', () => {
  it('numbers each conference 1, 2, 3 … independently, whatever the interleaving', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 200 }), (keys) => {
        const sequencer = new CcesSequencer();
        const seen = new Map<string, number[]>();
        for (const key of keys) seen.set(key, [...(seen.get(key) ?? []), sequencer.next(key)]);
        for (const [key, seqs] of seen) {
          expect(seqs).toEqual(seqs.map((_, i) => i + 1));
          expect(sequencer.current(key)).toBe(seqs.length);
        }
      }),
    );
  });

  it('continues from a snapshot', () => {
    const restored = new CcesSequencer(new CcesSequencer({ a: 41 }).snapshot());
    expect(restored.next('a')).toBe(42);
    expect(restored.next('b')).toBe(1);
  });

  it('refuses a replayed seq that is not the next one', () => {
    const sequencer = new CcesSequencer({ a: 2 });
    sequencer.observe('a', 3);
    expect(() => sequencer.observe('a', 5)).toThrow(CcesError);
    expect(() => sequencer.observe('a', 3)).toThrow(CcesError);
    expect(() => new CcesSequencer({ a: -1 })).toThrow(RangeError);
  });
});
