import type { Connection, Model, Schema } from 'mongoose';
import type {
  AccountPage,
  AccountRecord,
  AccountStore,
  ApiKeyRecord,
  ApiKeyStore,
  RevocationRecord,
  RevocationStore,
  TicketKeyRecord,
  TicketKeyStore,
} from '@hoot/domain';
import { DuplicateKeyError, withMongoErrors } from '../mongo-errors';
import { accountSchema, apiKeySchema, revocationSchema, ticketKeySchema } from './auth.schemas';

type WithId<T extends { id: string }> = Omit<T, 'id'> & { _id: string };

/** The connection's model of that name (created once per connection). */
function modelOn(connection: Connection, name: string, schema: Schema): DocModel {
  return (
    (connection.models[name] as DocModel | undefined) ??
    (connection.model(name, schema) as unknown as DocModel)
  );
}

/** Deliberately loose document type: mongoose's inferred generics are costly to type-check; records are mapped by hand. */
type DocModel = Model<Record<string, unknown>>;

function toDoc<T extends { id: string }>(record: T): WithId<T> {
  const { id, ...rest } = record;
  return { _id: id, ...rest } as WithId<T>;
}

function fromDoc<T extends { id: string }>(doc: unknown): T {
  const { _id, ...rest } = doc as WithId<T>;
  // Optional fields come back as null from some servers; drop them so records compare cleanly.
  for (const key of Object.keys(rest))
    if ((rest as Record<string, unknown>)[key] === null) delete (rest as Record<string, unknown>)[key];
  return { id: _id, ...rest } as unknown as T;
}

export class MongoAccountStore implements AccountStore {
  private readonly model: DocModel;

  constructor(connection: Connection) {
    this.model = modelOn(connection, 'Account', accountSchema);
  }

  async init(): Promise<void> {
    await withMongoErrors(() => this.model.init());
  }

  async create(account: AccountRecord): Promise<void> {
    await withMongoErrors(() => this.model.create(toDoc(account)));
  }

  async findById(id: string): Promise<AccountRecord | undefined> {
    const doc = await withMongoErrors(() => this.model.findById(id).lean().exec());
    return doc ? fromDoc<AccountRecord>(doc) : undefined;
  }

  async findByUsername(username: string): Promise<AccountRecord | undefined> {
    const doc = await withMongoErrors(() => this.model.findOne({ username }).lean().exec());
    return doc ? fromDoc<AccountRecord>(doc) : undefined;
  }

  /** One query for all of them (auth's resolve endpoint); absent usernames are simply not in the answer. */
  async findByUsernames(usernames: readonly string[]): Promise<AccountRecord[]> {
    if (usernames.length === 0) return [];
    const docs = await withMongoErrors(() =>
      this.model
        .find({ username: { $in: [...new Set(usernames)] } })
        .lean()
        .exec(),
    );
    return docs.map((d) => fromDoc<AccountRecord>(d));
  }

  /** One query for all of them; absent ids are simply not in the answer. */
  async findByIds(ids: readonly string[]): Promise<AccountRecord[]> {
    if (ids.length === 0) return [];
    const docs = await withMongoErrors(() =>
      this.model
        .find({ _id: { $in: [...new Set(ids)] } })
        .lean()
        .exec(),
    );
    return docs.map((d) => fromDoc<AccountRecord>(d));
  }

  async list(limit: number, after?: string): Promise<AccountPage> {
    const filter = after ? { _id: { $gt: after } } : {};
    const docs = await withMongoErrors(() =>
      this.model
        .find(filter)
        .sort({ _id: 1 })
        .limit(limit + 1)
        .lean()
        .exec(),
    );
    const items = docs.slice(0, limit).map((d) => fromDoc<AccountRecord>(d));
    return docs.length > limit ? { items, next: items[items.length - 1].id } : { items };
  }

  async setDisabled(id: string, disabled: boolean): Promise<AccountRecord | undefined> {
    const doc = await withMongoErrors(() =>
      this.model.findByIdAndUpdate(id, { $set: { disabled } }, { new: true }).lean().exec(),
    );
    return doc ? fromDoc<AccountRecord>(doc) : undefined;
  }

  async raiseTokensNotBefore(id: string, beforeMs: number): Promise<void> {
    // Two steps instead of $max so it works on every MongoDB-protocol server; the filter keeps it monotonic.
    await withMongoErrors(() =>
      this.model
        .updateOne(
          {
            _id: id,
            $or: [
              { tokensNotBeforeMs: { $exists: false } },
              { tokensNotBeforeMs: null },
              { tokensNotBeforeMs: { $lt: beforeMs } },
            ],
          },
          { $set: { tokensNotBeforeMs: beforeMs } },
        )
        .exec(),
    );
  }
}

export class MongoApiKeyStore implements ApiKeyStore {
  private readonly model: DocModel;

  constructor(connection: Connection) {
    this.model = modelOn(connection, 'ApiKey', apiKeySchema);
  }

  async init(): Promise<void> {
    await withMongoErrors(() => this.model.init());
  }

  async create(key: ApiKeyRecord): Promise<void> {
    await withMongoErrors(() => this.model.create(toDoc(key)));
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const doc = await withMongoErrors(() => this.model.findById(id).lean().exec());
    return doc ? fromDoc<ApiKeyRecord>(doc) : undefined;
  }
}

export class MongoRevocationStore implements RevocationStore {
  private readonly model: DocModel;

  constructor(connection: Connection) {
    this.model = modelOn(connection, 'Revocation', revocationSchema);
  }

  async init(): Promise<void> {
    await withMongoErrors(() => this.model.init());
  }

  async create(record: RevocationRecord): Promise<void> {
    await withMongoErrors(() => this.model.create(toDoc(record)));
  }

  async isTokenRevoked(jti: string): Promise<boolean> {
    const found = await withMongoErrors(() => this.model.exists({ jti, type: 'token.revoked' }).exec());
    return found !== null;
  }

  async markPublished(id: string): Promise<void> {
    await withMongoErrors(() => this.model.updateOne({ _id: id }, { $set: { published: true } }).exec());
  }

  async listUnpublished(limit: number): Promise<RevocationRecord[]> {
    const docs = await withMongoErrors(() =>
      this.model.find({ published: false }).sort({ createdAt: 1 }).limit(limit).lean().exec(),
    );
    return docs.map((d) => fromDoc<RevocationRecord>(d));
  }

  async pruneExpired(nowMs: number): Promise<number> {
    const result = await withMongoErrors(() =>
      this.model.deleteMany({ type: 'token.revoked', published: true, expiresAtMs: { $lt: nowMs } }).exec(),
    );
    return result.deletedCount ?? 0;
  }
}

export class MongoTicketKeyStore implements TicketKeyStore {
  private readonly model: DocModel;

  constructor(connection: Connection) {
    this.model = modelOn(connection, 'TicketKey', ticketKeySchema);
  }

  async init(): Promise<void> {
    await withMongoErrors(() => this.model.init());
  }

  async put(record: TicketKeyRecord): Promise<'created' | 'exists'> {
    const { kid, ...rest } = record;
    try {
      await withMongoErrors(() => this.model.create({ _id: kid, ...rest }));
      return 'created';
    } catch (error) {
      if (error instanceof DuplicateKeyError) return 'exists';
      throw error;
    }
  }

  async listLive(nowMs: number, limit: number): Promise<TicketKeyRecord[]> {
    const docs = await withMongoErrors(() =>
      this.model
        .find({ expiresAtMs: { $gt: nowMs } })
        .sort({ createdAt: -1 })
        .limit(limit)
        .lean()
        .exec(),
    );
    return docs.map((d) => {
      const { _id, ...rest } = d as unknown as { _id: string } & Omit<TicketKeyRecord, 'kid'>;
      return { kid: _id, ...rest };
    });
  }

  async prune(registry: string, keep: number, nowMs: number): Promise<number> {
    const expired = await withMongoErrors(() =>
      this.model.deleteMany({ expiresAtMs: { $lte: nowMs } }).exec(),
    );
    const surplus = await withMongoErrors(() =>
      this.model.find({ registry }).sort({ createdAt: -1 }).skip(keep).select({ _id: 1 }).lean().exec(),
    );
    let removed = expired.deletedCount ?? 0;
    if (surplus.length) {
      const gone = await withMongoErrors(() =>
        this.model.deleteMany({ _id: { $in: surplus.map((d) => (d as { _id: string })._id) } }).exec(),
      );
      removed += gone.deletedCount ?? 0;
    }
    return removed;
  }
}

/** The auth service's stores on one connection, with their indexes built. */
export async function createAuthStores(connection: Connection): Promise<{
  accounts: MongoAccountStore;
  apiKeys: MongoApiKeyStore;
  revocations: MongoRevocationStore;
  ticketKeys: MongoTicketKeyStore;
}> {
  const stores = {
    accounts: new MongoAccountStore(connection),
    apiKeys: new MongoApiKeyStore(connection),
    revocations: new MongoRevocationStore(connection),
    ticketKeys: new MongoTicketKeyStore(connection),
  };
  await Promise.all([
    stores.accounts.init(),
    stores.apiKeys.init(),
    stores.revocations.init(),
    stores.ticketKeys.init(),
  ]);
  return stores;
}
