import type { GcasStore } from '../lib/registry/gcas.store';

/**
 * The contract of a registry node's GCAS persistence (`GcasStore` of `@hoot/mongo`), run against the
 * registry's in-memory fake (unit spec) and `MongoGcasStore` (`libs/mongo/test`). Each `make` gives a fresh,
 * empty world as `node(registryId)`: stores of one id are replicas of that registry node sharing its data,
 * another id is another node.
 */
export function describeGcasStoreContract(
  name: string,
  make: () => Promise<(registryId: string) => GcasStore>,
): void {
  describe(`GcasStore contract: ${name}`, () => {
    let node: (registryId: string) => GcasStore;
    beforeEach(async () => {
      node = await make();
    });

    it('starts empty, and stores entries with compare-and-set from revision 0 (not stored yet)', async () => {
      const a = node('reg-c1-1');
      expect(await a.loadAll()).toEqual([]);
      expect(await a.compareAndSet('reg-c1-1', '{"meta":1}', 0)).toBe(true);
      expect(await a.compareAndSet('reg-c1-1/coremx-1', '{"v":1}', 0)).toBe(true);
      expect(await a.compareAndSet('reg-c1-1/coremx-1', '{"v":2}', 1)).toBe(true);
      const all = await a.loadAll();
      expect([...all].sort((x, y) => (x.key < y.key ? -1 : 1))).toEqual([
        { key: 'reg-c1-1', value: '{"meta":1}', rev: 1 },
        { key: 'reg-c1-1/coremx-1', value: '{"v":2}', rev: 2 },
      ]);
    });

    it('refuses a write whose expected revision is not the stored one, so a replica that lost a race learns it', async () => {
      const a = node('reg-c1-1');
      const b = node('reg-c1-1');
      expect(await a.compareAndSet('reg-c1-1/coremx-1', '{"v":1}', 0)).toBe(true);
      expect(await b.compareAndSet('reg-c1-1/coremx-1', '{"v":2}', 0)).toBe(false);
      expect(await b.compareAndSet('reg-c1-1/coremx-1', '{"v":2}', 1)).toBe(true);
      expect(await a.compareAndSet('reg-c1-1/coremx-1', '{"v":3}', 1)).toBe(false);
      expect(await a.compareAndSet('reg-c1-1/coremx-1', '{"v":3}', 5)).toBe(false);
      expect(await a.compareAndSet('reg-c1-1/coremx-9', '{"v":1}', 1)).toBe(false);
      expect(await a.loadAll()).toEqual([{ key: 'reg-c1-1/coremx-1', value: '{"v":2}', rev: 2 }]);
      expect(await b.loadAll()).toEqual([{ key: 'reg-c1-1/coremx-1', value: '{"v":2}', rev: 2 }]);
    });

    it('keeps values as exact text, candidate keys with dots and dollars included', async () => {
      const a = node('reg-c1-1');
      const value = JSON.stringify({ candidates: { 'a.b': 1, $c: [2] } });
      expect(await a.compareAndSet('reg-c1-1/coremx.$x', value, 0)).toBe(true);
      expect(await a.loadAll()).toEqual([{ key: 'reg-c1-1/coremx.$x', value, rev: 1 }]);
    });

    it("shares one heartbeat counter between a node's replicas; another node counts on its own", async () => {
      const a = node('reg-c3-1');
      const b = node('reg-c3-1');
      expect(await a.nextHeartbeat('reg-c3-1')).toEqual({ incarnation: 1, seq: 1 });
      expect(await b.nextHeartbeat('reg-c3-1')).toEqual({ incarnation: 1, seq: 2 });
      expect(await a.nextHeartbeat('reg-c3-1')).toEqual({ incarnation: 1, seq: 3 });
      const other = node('reg-c4-1');
      expect(await other.nextHeartbeat('reg-c4-1')).toEqual({ incarnation: 1, seq: 1 });
      expect(await b.nextHeartbeat('reg-c3-1')).toEqual({ incarnation: 1, seq: 4 });
    });

    it("keeps another node's entries apart, and answers a ping", async () => {
      const a = node('reg-c1-1');
      expect(await a.compareAndSet('reg-c1-1/coremx-1', '{"v":1}', 0)).toBe(true);
      const other = node('reg-c2-1');
      expect(await other.loadAll()).toEqual([]);
      expect(await other.compareAndSet('reg-c1-1/coremx-1', '{"v":7}', 0)).toBe(true);
      expect(await a.loadAll()).toEqual([{ key: 'reg-c1-1/coremx-1', value: '{"v":1}', rev: 1 }]);
      await expect(a.ping()).resolves.toBeUndefined();
    });
  });
}
