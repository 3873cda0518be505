import type { ConferenceRecord } from '@hoot/domain';
import type { ConferenceStore } from '../lib/registry/conference.store';

/**
 * The contract of the registry's conference directory (`ConferenceStore` of `@hoot/mongo`), run against
 * the registry's in-memory fake (unit spec) and `MongoConferenceStore` (`libs/mongo/test`). Each `make`
 * gives a fresh, empty directory; `replica` (when given) another store over the same data, as a second
 * replica of the registry node sees it.
 */
export const contractConference = (id: string, over: Partial<ConferenceRecord> = {}): ConferenceRecord => ({
  conferenceId: id,
  owner: 'acc_alice',
  type: 'm2m',
  allowed: ['acc_bob'],
  public: false,
  maxParticipants: null,
  coremxId: 'coremx-1',
  mixerAddress: 'coremx-1.c1.hoot.mx',
  previousMixers: [],
  status: 'reserved',
  participants: 0,
  roster: [],
  returning: null,
  createdAt: '2026-11-23T10:00:00.000Z',
  updatedAt: '2026-11-23T10:00:00.000Z',
  endedAt: null,
  applied: { 'coremx-1': 3 },
  reservedEventId: null,
  rehomeLease: null,
  rev: 1,
  ...over,
});

const ids = (records: ConferenceRecord[]) => records.map((r) => r.conferenceId);

export function describeConferenceStoreContract(
  name: string,
  make: () => Promise<{ store: ConferenceStore; replica: () => ConferenceStore }>,
): void {
  describe(`ConferenceStore contract: ${name}`, () => {
    let store: ConferenceStore;
    let replica: () => ConferenceStore;
    beforeEach(async () => {
      ({ store, replica } = await make());
    });

    it('creates a record at revision 1 and gives it back as written; an unknown one is undefined', async () => {
      const roster = [
        { participantId: 'p-1', identity: 'acc_bob', role: 'publisher' as const, joinOrder: 1 },
      ];
      const returning = {
        closedAt: '2026-11-23T10:05:00.000Z',
        participants: [{ identity: 'acc_bob', role: 'viewer' as const }],
      };
      const written = contractConference('standup', {
        roster,
        returning,
        rehomeLease: { holder: 'a', until: 9 },
      });
      expect(await store.compareAndSet(written)).toBe(true);
      expect(await store.get('standup')).toEqual(written);
      expect(await replica().get('standup')).toEqual(written);
      expect(await store.get('nothing')).toBeUndefined();
    });

    it('writes revision n only over revision n - 1: a second create, a stale writer and a gap all lose', async () => {
      expect(await store.compareAndSet(contractConference('standup'))).toBe(true);
      expect(await replica().compareAndSet(contractConference('standup', { public: true }))).toBe(false);
      expect(await store.compareAndSet(contractConference('standup', { rev: 3, participants: 3 }))).toBe(
        false,
      );
      expect(await store.compareAndSet(contractConference('standup', { rev: 2, participants: 2 }))).toBe(
        true,
      );
      expect(await replica().compareAndSet(contractConference('standup', { rev: 2, participants: 9 }))).toBe(
        false,
      );
      expect(await store.get('standup')).toEqual(contractConference('standup', { rev: 2, participants: 2 }));
    });

    it('refuses a writer whose base revision is many revisions old', async () => {
      for (let rev = 1; rev <= 12; rev++)
        expect([
          rev,
          await store.compareAndSet(contractConference('busy', { rev, participants: rev })),
        ]).toEqual([rev, true]);
      for (const stale of [1, 2, 5, 11, 12])
        expect([stale, await replica().compareAndSet(contractConference('busy', { rev: stale }))]).toEqual([
          stale,
          false,
        ]);
      expect(await store.get('busy')).toEqual(contractConference('busy', { rev: 12, participants: 12 }));
      expect(await store.compareAndSet(contractConference('busy', { rev: 13, status: 'ended' }))).toBe(true);
      expect(await replica().get('busy')).toEqual(contractConference('busy', { rev: 13, status: 'ended' }));
    });

    it('of concurrent writers of one revision exactly one wins, and every replica reads the winner', async () => {
      const stores = [store, replica(), replica()];
      for (let rev = 1; rev <= 3; rev++) {
        const wins = await Promise.all(
          stores.map((s, i) => s.compareAndSet(contractConference('raced', { rev, participants: i }))),
        );
        expect([rev, wins.filter(Boolean).length]).toEqual([rev, 1]);
        for (const s of stores)
          expect(await s.get('raced')).toEqual(
            contractConference('raced', { rev, participants: wins.indexOf(true) }),
          );
      }
    });

    it("lists an owner's conferences in id order after a cursor, and counts the ones not ended", async () => {
      await store.compareAndSet(contractConference('bbb'));
      await store.compareAndSet(contractConference('aaa', { coremxId: 'coremx-2' }));
      await store.compareAndSet(contractConference('ddd', { status: 'idle' }));
      await store.compareAndSet(contractConference('ccc', { status: 'ended' }));
      await store.compareAndSet(contractConference('zzz', { owner: 'acc_bob' }));
      await store.compareAndSet(contractConference('nobody', { owner: null }));
      expect(ids(await store.listByOwner('acc_alice', 2))).toEqual(['aaa', 'bbb']);
      expect(await store.listByOwner('acc_alice', 2, 'bbb')).toEqual([
        contractConference('ccc', { status: 'ended' }),
        contractConference('ddd', { status: 'idle' }),
      ]);
      expect(ids(await store.listByOwner('acc_alice', 10, 'ddd'))).toEqual([]);
      expect(ids(await store.listByOwner('acc_carol', 10))).toEqual([]);
      // Idle ones still exist: they count.
      expect(await store.countOpenByOwner('acc_alice')).toBe(3);
      expect(await store.countOpenByOwner('acc_bob')).toBe(1);
      expect(await store.countOpenByOwner('acc_carol')).toBe(0);
      // The latest revision is what is listed and counted.
      await store.compareAndSet(contractConference('aaa', { coremxId: 'coremx-2', status: 'ended', rev: 2 }));
      expect(await store.countOpenByOwner('acc_alice')).toBe(2);
      expect(await store.listByOwner('acc_alice', 1)).toEqual([
        contractConference('aaa', { coremxId: 'coremx-2', status: 'ended', rev: 2 }),
      ]);
    });

    it('lists the conferences with a room (reserved or active) on any of the given CoreMX, in id order', async () => {
      await store.compareAndSet(contractConference('r-2'));
      await store.compareAndSet(contractConference('a-1', { status: 'active' }));
      await store.compareAndSet(contractConference('i-1', { status: 'idle' }));
      await store.compareAndSet(contractConference('e-1', { status: 'ended' }));
      await store.compareAndSet(contractConference('other', { coremxId: 'coremx-3', status: 'active' }));
      await store.compareAndSet(contractConference('b-2', { coremxId: 'coremx-2', owner: null }));
      expect(ids(await store.listOpenOn(['coremx-1'], 10))).toEqual(['a-1', 'r-2']);
      expect(ids(await store.listOpenOn(['coremx-2', 'coremx-1'], 10))).toEqual(['a-1', 'b-2', 'r-2']);
      expect(await store.listOpenOn(['coremx-2', 'coremx-1'], 2)).toEqual([
        contractConference('a-1', { status: 'active' }),
        contractConference('b-2', { coremxId: 'coremx-2', owner: null }),
      ]);
      expect(await store.listOpenOn([], 10)).toEqual([]);
      await store.compareAndSet(contractConference('r-2', { status: 'idle', rev: 2 }));
      expect(ids(await store.listOpenOn(['coremx-1'], 10))).toEqual(['a-1']);
    });

    it('answers a ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
