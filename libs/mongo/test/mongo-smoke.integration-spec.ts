import { Schema, type Connection, type Model } from 'mongoose';
import { mongoUriFor } from '@hoot/testing';
import {
  connectMongo,
  DuplicateKeyError,
  PersistenceErrorCode,
  pingConnection,
  withMongoErrors,
} from '../src';

interface Account {
  username: string;
  plan: string;
  logins: number;
}

/** Proves the MongoDB-protocol server works with mongoose the way we rely on it. */
describe('MongoDB-protocol smoke (real FerretDB)', () => {
  let connection: Connection;

  beforeAll(async () => {
    connection = await connectMongo(mongoUriFor('smoke'));
  });

  afterAll(async () => {
    await connection?.close();
  });

  const model = (): Model<Account> => {
    const schema = new Schema<Account>({
      username: { type: String, required: true, unique: true },
      plan: { type: String, required: true },
      logins: { type: Number, default: 0 },
    });
    return (
      (connection.models['Account'] as Model<Account> | undefined) ??
      connection.model<Account>('Account', schema, 'accounts')
    );
  };

  it('answers a ping', async () => {
    await expect(pingConnection(connection)).resolves.toBeUndefined();
  });

  it('creates documents and maps a unique-index violation to a clear error', async () => {
    const Accounts = model();
    await Accounts.init();
    await Accounts.create({ username: 'alice', plan: 'pro' });
    const failure = await withMongoErrors(() => Accounts.create({ username: 'alice', plan: 'free' })).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(DuplicateKeyError);
    // FerretDB names the collection but not the key; real MongoDB names both.
    expect((failure as DuplicateKeyError).code).toBe(PersistenceErrorCode.Duplicate);
    expect((failure as DuplicateKeyError).collection).toBe('accounts');
    expect((failure as Error).message).toMatch(/^duplicate (username|key) in accounts: .* already exists$/);
    expect(await Accounts.countDocuments({ username: 'alice' })).toBe(1);
    expect((await Accounts.findOne({ username: 'alice' }).lean())?.plan).toBe('pro');
  });

  it('upserts with findOneAndUpdate and updates in place the second time', async () => {
    const Accounts = model();
    const first = await Accounts.findOneAndUpdate(
      { username: 'bob' },
      { $setOnInsert: { plan: 'free' }, $inc: { logins: 1 } },
      { upsert: true, new: true },
    ).lean();
    expect(first).toMatchObject({ username: 'bob', plan: 'free', logins: 1 });
    const second = await Accounts.findOneAndUpdate(
      { username: 'bob' },
      { $setOnInsert: { plan: 'pro' }, $inc: { logins: 1 } },
      { upsert: true, new: true },
    ).lean();
    expect(second).toMatchObject({ username: 'bob', plan: 'free', logins: 2 });
    expect(String(second?._id)).toBe(String(first?._id));
  });

  it('runs a simple aggregate', async () => {
    const Accounts = model();
    await Accounts.create([
      { username: 'carol', plan: 'pro', logins: 3 },
      { username: 'dave', plan: 'free', logins: 5 },
    ]);
    // One accumulator per $group: FerretDB 1.x returns 0 for every accumulator after the first.
    const byPlan = await Accounts.aggregate<{ _id: string; logins: number }>([
      { $match: { username: { $in: ['alice', 'bob', 'carol', 'dave'] } } },
      { $group: { _id: '$plan', logins: { $sum: '$logins' } } },
      { $sort: { _id: 1 } },
    ]);
    expect(byPlan).toEqual([
      { _id: 'free', logins: 7 },
      { _id: 'pro', logins: 3 },
    ]);
  });
});
