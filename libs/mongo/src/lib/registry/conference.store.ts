import type { ConferenceRecord } from '@hoot/domain';
import { Schema, type Connection, type Model } from 'mongoose';
import { DuplicateKeyError, withMongoErrors } from '../mongo-errors';

/**
 * A registry node's conference directory (shared by its replicas): one document per conference with
 * the fields queries need (owner, status, CoreMX) beside the whole record as JSON text, and the record's
 * revision for compare-and-set writes. No transactions, change streams or TTL indexes (FerretDB).
 */
export interface ConferenceStore {
  get(conferenceId: string): Promise<ConferenceRecord | undefined>;
  /** Writes `next` if the stored revision is still `next.rev - 1` (`next.rev === 1`: not stored yet). */
  compareAndSet(next: ConferenceRecord): Promise<boolean>;
  /** The owner's conferences by id, after `after`, at most `limit`. */
  listByOwner(owner: string, limit: number, after?: string): Promise<ConferenceRecord[]>;
  /** How many of the owner's conferences have not ended. */
  countOpenByOwner(owner: string): Promise<number>;
  /** Conferences that have not ended on any of these CoreMX. */
  listOpenOn(coremxIds: readonly string[], limit: number): Promise<ConferenceRecord[]>;
  ping(): Promise<void>;
}

interface ConferenceDoc {
  _id: string;
  owner: string | null;
  status: string;
  coremxId: string;
  rev: number;
  record: string;
}

const schema = new Schema(
  {
    _id: { type: String, required: true },
    owner: { type: String, default: null },
    status: { type: String, required: true },
    coremxId: { type: String, required: true },
    rev: { type: Number, required: true },
    record: { type: String, required: true },
  },
  { versionKey: false, strict: 'throw' },
);
schema.index({ owner: 1, _id: 1 });
schema.index({ coremxId: 1, status: 1 });

const docOf = (r: ConferenceRecord): ConferenceDoc => ({
  _id: r.conferenceId,
  owner: r.owner,
  status: r.status,
  coremxId: r.coremxId,
  rev: r.rev,
  record: JSON.stringify(r),
});
const recordOf = (d: ConferenceDoc): ConferenceRecord => ({ ...JSON.parse(d.record), rev: d.rev });

export class MongoConferenceStore implements ConferenceStore {
  private readonly docs: Model<ConferenceDoc>;

  /** `registryId` names the collection, so replicas of one node share it and other nodes never do. */
  constructor(
    private readonly connection: Connection,
    registryId: string,
  ) {
    this.docs = connection.model<ConferenceDoc>(
      `Conference_${registryId}`,
      schema,
      `conferences_${registryId.replace(/-/g, '_')}`,
    );
  }

  async get(conferenceId: string): Promise<ConferenceRecord | undefined> {
    const doc = await withMongoErrors(() => this.docs.findById(conferenceId).lean().exec());
    return doc ? recordOf(doc) : undefined;
  }

  async compareAndSet(next: ConferenceRecord): Promise<boolean> {
    if (next.rev === 1) {
      try {
        await withMongoErrors(() => this.docs.create(docOf(next)));
        return true;
      } catch (error) {
        if (error instanceof DuplicateKeyError) return false;
        throw error;
      }
    }
    const { _id, ...fields } = docOf(next);
    const result = await withMongoErrors(() =>
      this.docs.updateOne({ _id, rev: next.rev - 1 }, { $set: fields }).exec(),
    );
    return result.modifiedCount === 1;
  }

  async listByOwner(owner: string, limit: number, after?: string): Promise<ConferenceRecord[]> {
    const filter = after === undefined ? { owner } : { owner, _id: { $gt: after } };
    const docs = await withMongoErrors(() =>
      this.docs.find(filter).sort({ _id: 1 }).limit(limit).lean().exec(),
    );
    return docs.map(recordOf);
  }

  async countOpenByOwner(owner: string): Promise<number> {
    return withMongoErrors(() => this.docs.countDocuments({ owner, status: { $ne: 'ended' } }).exec());
  }

  async listOpenOn(coremxIds: readonly string[], limit: number): Promise<ConferenceRecord[]> {
    if (!coremxIds.length) return [];
    const docs = await withMongoErrors(() =>
      this.docs
        .find({ coremxId: { $in: [...coremxIds] }, status: { $ne: 'ended' } })
        .sort({ _id: 1 })
        .limit(limit)
        .lean()
        .exec(),
    );
    return docs.map(recordOf);
  }

  async ping(): Promise<void> {
    const db = this.connection.db;
    if (!db) throw new Error('mongo connection is not open');
    await db.admin().command({ ping: 1 });
  }
}
