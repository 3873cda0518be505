import { mongoUriFor } from '@hoot/testing';
import type { Connection } from 'mongoose';
import { MongoGcasStore, connectMongo } from '../src';
import { describeGcasStoreContract } from '../src/testing';
import { freshDatabases } from './fresh-databases';

describe('MongoGcasStore (real MongoDB protocol)', () => {
  let connection: Connection;
  beforeAll(async () => {
    connection = await connectMongo(mongoUriFor('gcasstore'));
  });
  afterAll(async () => {
    await connection.close();
  });

  it('stores entries with compare-and-set, so a replica that lost a race learns it', async () => {
    const a = new MongoGcasStore(connection, 'reg-c1-1');
    const b = new MongoGcasStore(connection, 'reg-c1-1');
    expect(await a.compareAndSet('reg-c1-1/coremx-1', '{"v":1}', 0)).toBe(true);
    expect(await b.compareAndSet('reg-c1-1/coremx-1', '{"v":2}', 0)).toBe(false);
    expect(await b.compareAndSet('reg-c1-1/coremx-1', '{"v":2}', 1)).toBe(true);
    expect(await a.compareAndSet('reg-c1-1/coremx-1', '{"v":3}', 1)).toBe(false);
    expect(await a.loadAll()).toEqual([{ key: 'reg-c1-1/coremx-1', value: '{"v":2}', rev: 2 }]);
    // Another registry node's entries live apart.
    expect(await new MongoGcasStore(connection, 'reg-c2-1').loadAll()).toEqual([]);
  });

  it('shares one heartbeat counter between the replicas of a node', async () => {
    const a = new MongoGcasStore(connection, 'reg-c3-1');
    const b = new MongoGcasStore(connection, 'reg-c3-1');
    expect(await a.nextHeartbeat('reg-c3-1')).toEqual({ incarnation: 1, seq: 1 });
    expect(await b.nextHeartbeat('reg-c3-1')).toEqual({ incarnation: 1, seq: 2 });
    await expect(a.ping()).resolves.toBeUndefined();
  });
});

// The same contract as the registry's in-memory fake (apps/registry/src/testing).
describe('MongoGcasStore contract (real MongoDB protocol)', () => {
  const dbs = freshDatabases('gcascontract');
  describeGcasStoreContract('MongoDB', async () => {
    const db = dbs.next().first;
    return (registryId) => new MongoGcasStore(db, registryId);
  });
});
