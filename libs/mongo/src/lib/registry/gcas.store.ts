import { Schema, type Connection, type Model } from 'mongoose';
import { withMongoErrors, DuplicateKeyError } from '../mongo-errors';

/**
 * Persistence of one registry node's GCAS view, shared by all replicas of that node: one document per
 * GCAS entry (a registry's meta or one CoreMX), holding the versioned value as JSON text (candidate keys
 * are JSON and may contain `.` and `$`, which MongoDB field names may not) and a revision for
 * compare-and-set writes; plus one document per registry node with its shared heartbeat counter.
 */
export interface StoredGcasEntry {
  /** `<registryId>` for a meta, `<registryId>/<coremxId>` for a CoreMX. */
  readonly key: string;
  readonly value: string;
  readonly rev: number;
}

export interface GcasStore {
  /** Every entry this registry node has stored. */
  loadAll(): Promise<StoredGcasEntry[]>;
  /**
   * Writes `value` for `key` if the stored revision is still `expectedRev` (0 = not stored yet).
   * Returns false when another replica wrote first (the caller merges and retries next cycle).
   */
  compareAndSet(key: string, value: string, expectedRev: number): Promise<boolean>;
  /** Advances and returns this node's heartbeat counter (shared by its replicas), with its incarnation. */
  nextHeartbeat(registryId: string): Promise<{ incarnation: number; seq: number }>;
  ping(): Promise<void>;
}

const entrySchema = new Schema(
  {
    _id: { type: String, required: true },
    value: { type: String, required: true },
    rev: { type: Number, required: true },
  },
  { versionKey: false, strict: 'throw' },
);

const nodeSchema = new Schema(
  {
    _id: { type: String, required: true },
    incarnation: { type: Number, required: true },
    heartbeatSeq: { type: Number, required: true },
  },
  { collection: 'registry_nodes', versionKey: false, strict: 'throw' },
);

interface EntryDoc {
  _id: string;
  value: string;
  rev: number;
}
interface NodeDoc {
  _id: string;
  incarnation: number;
  heartbeatSeq: number;
}

export class MongoGcasStore implements GcasStore {
  private readonly entries: Model<EntryDoc>;
  private readonly nodes: Model<NodeDoc>;

  /** `registryId` names the collection, so replicas of one node share it and other nodes never do. */
  constructor(
    private readonly connection: Connection,
    registryId: string,
  ) {
    this.entries = connection.model<EntryDoc>(
      `GcasEntry_${registryId}`,
      entrySchema,
      `gcas_${registryId.replace(/-/g, '_')}`,
    );
    this.nodes = connection.model<NodeDoc>('RegistryNode', nodeSchema);
  }

  async loadAll(): Promise<StoredGcasEntry[]> {
    const docs = await withMongoErrors(() => this.entries.find({}).lean().exec());
    return docs.map((d) => ({ key: d._id, value: d.value, rev: d.rev }));
  }

  async compareAndSet(key: string, value: string, expectedRev: number): Promise<boolean> {
    if (expectedRev === 0) {
      try {
        await withMongoErrors(() => this.entries.create({ _id: key, value, rev: 1 }));
        return true;
      } catch (error) {
        if (error instanceof DuplicateKeyError) return false;
        throw error;
      }
    }
    const result = await withMongoErrors(() =>
      this.entries
        .updateOne({ _id: key, rev: expectedRev }, { $set: { value, rev: expectedRev + 1 } })
        .exec(),
    );
    return result.modifiedCount === 1;
  }

  async nextHeartbeat(registryId: string): Promise<{ incarnation: number; seq: number }> {
    // Two replicas starting together may both try to create the counter: the loser retries, and then
    // the document exists.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.advanceHeartbeat(registryId);
      } catch (error) {
        if (!(error instanceof DuplicateKeyError) || attempt >= 3) throw error;
      }
    }
  }

  private async advanceHeartbeat(registryId: string): Promise<{ incarnation: number; seq: number }> {
    const doc = await withMongoErrors(() =>
      this.nodes
        .findOneAndUpdate(
          { _id: registryId },
          { $inc: { heartbeatSeq: 1 }, $setOnInsert: { incarnation: 1 } },
          { upsert: true, new: true },
        )
        .lean()
        .exec(),
    );
    if (!doc) throw new Error(`registry node ${registryId} vanished during its heartbeat`);
    return { incarnation: doc.incarnation, seq: doc.heartbeatSeq };
  }

  async ping(): Promise<void> {
    const db = this.connection.db;
    if (!db) throw new Error('mongo connection is not open');
    await db.admin().command({ ping: 1 });
  }
}
