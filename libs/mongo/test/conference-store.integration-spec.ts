import { mongoUriFor } from '@hoot/testing';
import type { Connection } from 'mongoose';
import { MongoConferenceStore, connectMongo } from '../src';
import { contractConference, describeConferenceStoreContract } from '../src/testing';
import { freshDatabases } from './fresh-databases';

/** A conference record as the contract suite makes them. */
const record = contractConference;

describe('MongoConferenceStore (real MongoDB protocol)', () => {
  let connection: Connection;
  let uri = '';
  beforeAll(async () => {
    uri = mongoUriFor('conferencestore');
    connection = await connectMongo(uri);
  });
  afterAll(async () => {
    await connection.close();
  });

  it('writes with compare-and-set, so of two replicas racing exactly one wins', async () => {
    const a = new MongoConferenceStore(connection, 'reg-c1-1');
    const b = new MongoConferenceStore(connection, 'reg-c1-1');
    expect(await a.compareAndSet(record('standup'))).toBe(true);
    expect(await b.compareAndSet(record('standup', { public: true }))).toBe(false);
    const results = await Promise.all([
      a.compareAndSet(record('standup', { rev: 2, rehomeLease: { holder: 'a', until: 1 } })),
      b.compareAndSet(record('standup', { rev: 2, rehomeLease: { holder: 'b', until: 1 } })),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const stored = await a.get('standup');
    expect(stored).toEqual(record('standup', { rev: 2, rehomeLease: stored!.rehomeLease }));
    expect(['a', 'b']).toContain(stored!.rehomeLease!.holder);
    expect(await a.get('nothing')).toBeUndefined();
    // Another registry node's directory lives apart.
    expect(await new MongoConferenceStore(connection, 'reg-c2-1').get('standup')).toBeUndefined();
  });

  it('compare-and-set holds under concurrency: of six writers of one revision exactly one wins, every round', async () => {
    const stores = [0, 1, 2].map(() => new MongoConferenceStore(connection, 'reg-c4-1'));
    const other = await connectMongo(uri);
    try {
      stores.push(...[0, 1, 2].map(() => new MongoConferenceStore(other, 'reg-c4-1')));
      for (let rev = 1; rev <= 15; rev++) {
        const wins = await Promise.all(
          stores.map((s, i) => s.compareAndSet(record('raced', { rev, participants: i }))),
        );
        expect([rev, wins.filter(Boolean).length]).toEqual([rev, 1]);
        const winner = wins.indexOf(true);
        // Every replica reads the winner's revision, whether or not the head has caught up.
        for (const s of stores) expect(await s.get('raced')).toMatchObject({ rev, participants: winner });
      }
    } finally {
      await other.close();
    }
  });

  it('lists by owner in id order with a cursor, counts open ones, and finds the open ones of CoreMX', async () => {
    const s = new MongoConferenceStore(connection, 'reg-c3-1');
    await s.compareAndSet(record('bbb'));
    await s.compareAndSet(record('aaa', { coremxId: 'coremx-2' }));
    await s.compareAndSet(record('ccc', { status: 'ended' }));
    await s.compareAndSet(record('zzz', { owner: 'acc_bob' }));
    expect((await s.listByOwner('acc_alice', 2)).map((r) => r.conferenceId)).toEqual(['aaa', 'bbb']);
    expect((await s.listByOwner('acc_alice', 2, 'bbb')).map((r) => r.conferenceId)).toEqual(['ccc']);
    expect(await s.countOpenByOwner('acc_alice')).toBe(2);
    expect((await s.listOpenOn(['coremx-1'], 10)).map((r) => r.conferenceId).sort()).toEqual(['bbb', 'zzz']);
    expect(await s.listOpenOn([], 10)).toEqual([]);
    await expect(s.ping()).resolves.toBeUndefined();
  });
  it('persists the roster, and reads a record stored before the roster existed as an empty one', async () => {
    const s = new MongoConferenceStore(connection, 'reg-c7-1');
    const roster = [{ participantId: 'p-1', identity: 'acc_bob', role: 'publisher' as const, joinOrder: 1 }];
    expect(await s.compareAndSet(record('withroster', { roster }))).toBe(true);
    expect((await s.get('withroster'))?.roster).toEqual(roster);
    const returning = {
      closedAt: '2026-11-23T10:05:00.000Z',
      participants: [{ identity: 'acc_bob', role: 'publisher' as const }],
    };
    expect(await s.compareAndSet(record('drained', { status: 'idle', returning }))).toBe(true);
    expect((await s.get('drained'))?.returning).toEqual(returning);
    // Stored before the roster and the returning roster existed: neither in its JSON.
    const { roster: _, returning: _returning, ...old } = record('old');
    await connection.collection('conferences_reg_c7_1').insertOne({
      _id: 'old' as never,
      owner: old.owner,
      status: old.status,
      coremxId: old.coremxId,
      rev: 1,
      record: JSON.stringify(old),
    });
    expect(await s.get('old')).toEqual(record('old', { roster: [] }));
    expect((await s.listOpenOn(['coremx-1'], 10)).find((r) => r.conferenceId === 'old')?.roster).toEqual([]);
    // A newer revision written before the roster existed reads the same way.
    await connection
      .collection('conference_revisions_reg_c7_1')
      .insertOne({ _id: 'old#000000000002' as never, record: JSON.stringify({ ...old, rev: 2 }) });
    expect(await s.get('old')).toEqual(record('old', { roster: [], rev: 2 }));
  });
});

// The same contract as the registry's in-memory fake (apps/registry/src/testing); replicas on two connections.
describe('MongoConferenceStore contract (real MongoDB protocol)', () => {
  const dbs = freshDatabases('conferencecontract');
  describeConferenceStoreContract('MongoDB', async () => {
    const { first, second } = dbs.next();
    return {
      store: new MongoConferenceStore(first, 'reg-c1-1'),
      replica: () => new MongoConferenceStore(second, 'reg-c1-1'),
    };
  });
});
