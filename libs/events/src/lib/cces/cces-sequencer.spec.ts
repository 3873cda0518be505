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

describe('CcesSequencer memory (live conferences and the last maxEnded ends)', () => {
  it('forgets the oldest ended conferences: memory and snapshot stay small however many come and go', () => {
    const sequencer = new CcesSequencer({}, { maxEnded: 100 });
    for (let i = 0; i < 20_000; i += 1) {
      const id = `conf-${i}`;
      for (let k = 0; k < 3; k += 1) sequencer.next(id);
      sequencer.end(id);
    }
    sequencer.next('still-open');
    expect(sequencer.size).toBe(101);
    const snapshot = sequencer.snapshot();
    expect(Object.keys(snapshot)).toHaveLength(102);
    // A conference it does not remember starts above every forgotten seq.
    const floor = snapshot['*'];
    expect(floor).toBeGreaterThan(0);
    expect(snapshot['still-open']).toBe(floor + 1);
    expect(snapshot['~conf-19999']).toBeGreaterThan(floor);
    expect(snapshot['~conf-19899']).toBeUndefined();
    expect(JSON.stringify(snapshot).length).toBeLessThan(2_000);
  });

  it('continues a reopened conference without a gap while it is remembered, above every forgotten seq after', () => {
    const sequencer = new CcesSequencer({}, { maxEnded: 1 });
    expect([sequencer.next('a'), sequencer.next('a')]).toEqual([1, 2]);
    sequencer.end('a');
    expect(sequencer.next('a')).toBe(3);
    sequencer.end('a');
    for (let k = 0; k < 7; k += 1) sequencer.next('b');
    sequencer.end('b'); // a is forgotten: the floor is its last seq, 3
    expect(sequencer.current('a')).toBe(3);
    expect(sequencer.next('a')).toBe(4);
    sequencer.end('a'); // b is forgotten: floor 7
    sequencer.next('c');
    sequencer.end('c'); // a is forgotten again at 4, floor stays 7
    expect(sequencer.next('a')).toBe(8);
    expect(sequencer.next('new')).toBe(8);
  });

  it('never hands out a seq twice for a conference, and is gap-free until it ends (any interleaving)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.array(fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e'), end: fc.boolean() }), {
          maxLength: 300,
        }),
        (maxEnded, ops) => {
          const sequencer = new CcesSequencer({}, { maxEnded });
          const last = new Map<string, { seq: number; ended: boolean }>();
          const repeated: string[] = [];
          const gaps: string[] = [];
          for (const { id, end } of ops) {
            const seq = sequencer.next(id);
            const before = last.get(id);
            if (before && seq <= before.seq) repeated.push(`${id}: ${seq} after ${before.seq}`);
            if (before && !before.ended && seq !== before.seq + 1)
              gaps.push(`${id}: ${seq} after ${before.seq}`);
            last.set(id, { seq, ended: end });
            if (end) sequencer.end(id);
          }
          expect(repeated).toEqual([]);
          expect(gaps).toEqual([]);
          expect(sequencer.size).toBeLessThanOrEqual(5);
        },
      ),
    );
  });

  it('replays a journal from any compaction point: accepts what was numbered, then never repeats a seq', () => {
    // The journal's side (cces-journal.ts): it observes every appended event, compacts to one state line
    // (its snapshot, each conference with unacknowledged events rewound to just before the first of them)
    // plus those events, and a restart replays the state line and every event after it.
    const op = fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), end: fc.boolean() });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.array(op, { maxLength: 120 }),
        fc.nat(),
        fc.nat(),
        (maxEnded, ops, ackPick, compactPick) => {
          const producer = new CcesSequencer({}, { maxEnded });
          const journal = new CcesSequencer({}, { maxEnded });
          const entries = ops.map(({ id, end }) => {
            const seq = producer.next(id);
            journal.observe(id, seq);
            if (end) {
              producer.end(id);
              journal.end(id);
            }
            return { id, seq, end };
          });
          // Replay one prefix into the journal's second copy up to the compaction point.
          const compactAt = entries.length === 0 ? 0 : compactPick % (entries.length + 1);
          const acked = compactAt === 0 ? 0 : ackPick % (compactAt + 1);
          const atCompaction = new CcesSequencer({}, { maxEnded });
          for (const e of entries.slice(0, compactAt)) {
            atCompaction.observe(e.id, e.seq);
            if (e.end) atCompaction.end(e.id);
          }
          const state = atCompaction.snapshot();
          const seen = new Set<string>();
          for (const e of entries.slice(acked, compactAt)) {
            if (seen.has(e.id)) continue;
            seen.add(e.id);
            state[e.id] = e.seq - 1;
          }
          const replay = new CcesSequencer(state, { maxEnded });
          for (const e of entries.slice(acked)) {
            replay.observe(e.id, e.seq);
            if (e.end) replay.end(e.id);
          }
          const restarted = new CcesSequencer(replay.snapshot(), { maxEnded });
          for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) {
            const used = entries.filter((e) => e.id === id).map((e) => e.seq);
            expect(restarted.next(id)).toBeGreaterThan(Math.max(0, ...used));
          }
        },
      ),
    );
  });

  it('reads a snapshot of plain ids (before ends were forgotten) as live conferences', () => {
    const restored = new CcesSequencer({ a: 5, b: 2 });
    restored.end('a');
    expect(restored.snapshot()).toEqual({ b: 2, '~a': 5 });
    expect(() => new CcesSequencer({ '~a': -1 })).toThrow(RangeError);
  });
});
