import fc from 'fast-check';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { keyCachingPartitioner } from './kafka-cces-sender';

const metadata = (count: number, leader = 1) =>
  Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader,
    replicas: [leader],
    isr: [leader],
    partitionErrorCode: 0,
  }));
const args = (key: string | null, count: number, partition?: number): PartitionerArgs => ({
  topic: 'hoot.coremx.coremx-1.events',
  partitionMetadata: metadata(count),
  message: { key, value: '{}', ...(partition === undefined ? {} : { partition }) },
});

describe('keyCachingPartitioner', () => {
  it("gives every key kafkajs's DefaultPartitioner's partition, for any partition count, cached or not", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 64 })), {
          minLength: 1,
          maxLength: 60,
        }),
        (calls) => {
          const cached = keyCachingPartitioner();
          const plain = Partitioners.DefaultPartitioner();
          // Each key twice: the second answer comes from the cache.
          for (const [key, count] of [...calls, ...calls]) {
            expect(cached(args(key, count))).toBe(plain(args(key, count)));
          }
        },
      ),
    );
  });

  it('follows a change of the partition count instead of keeping the old answer', () => {
    const cached = keyCachingPartitioner();
    const plain = Partitioners.DefaultPartitioner();
    const key = 'conf-0001';
    const before = cached(args(key, 3));
    expect(before).toBe(plain(args(key, 3)));
    for (const count of [7, 3, 12]) expect(cached(args(key, count))).toBe(plain(args(key, count)));
  });

  it('keeps an explicit partition, and spreads messages without a key as kafkajs does', () => {
    const cached = keyCachingPartitioner();
    expect(cached(args('conf-0001', 3, 2))).toBe(2);
    const spread = new Set(Array.from({ length: 30 }, () => cached(args(null, 3))));
    expect(spread.size).toBeGreaterThan(1);
  });
});
