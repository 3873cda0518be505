import { mongoUriFor } from '@hoot/testing';
import type { Connection } from 'mongoose';
import { connectMongo } from '../src';

/**
 * Two connections to the MongoDB-protocol server of the integration run (two replicas' worth) and a fresh
 * database per contract test on both: `next()` opens a new one on each. Every database
 * made is dropped at the end.
 */
export function freshDatabases(prefix: string): { next(): { first: Connection; second: Connection } } {
  let first: Connection;
  let second: Connection;
  let made: Connection[] = [];
  let counter = 0;
  beforeAll(async () => {
    first = await connectMongo(mongoUriFor(prefix));
    second = await connectMongo(mongoUriFor(prefix));
  });
  afterEach(async () => {
    await Promise.all(made.map((db) => db.dropDatabase()));
    made = [];
  });
  afterAll(async () => {
    await first.dropDatabase();
    await Promise.all([first.close(), second.close()]);
  });
  return {
    next() {
      counter += 1;
      const name = `${first.name}_${counter}`;
      const a = first.useDb(name, { useCache: false });
      made.push(a);
      return { first: a, second: second.useDb(name, { useCache: false }) };
    },
  };
}
