import type { ConferenceRecord } from '@hoot/domain';
import { Schema, type Connection, type Model } from 'mongoose';
import { DuplicateKeyError, withMongoErrors } from '../mongo-errors';

/**
 * A registry node's conference directory (shared by its replicas). No transactions, change streams or TTL
 * indexes (FerretDB), and FerretDB's conditional update (`updateOne({_id, rev})`) is not atomic under
 * concurrency, so compare-and-set is an *insert*: every revision of a record is a document
 * `<conferenceId>#<rev>` (a duplicate key means another writer took that revision). A head document per
 * conference (owner, status, CoreMX, latest record) serves queries and is the starting point of `get`,
 * which follows newer revisions a slower writer has not reflected in the head yet. Old revisions are pruned.
 */
export interface ConferenceStore {
  get(conferenceId: string): Promise<ConferenceRecord | undefined>;
  /** Writes `next` if the stored revision is still `next.rev - 1` (`next.rev === 1`: not stored yet). */
  compareAndSet(next: ConferenceRecord): Promise<boolean>;
  /** The owner's conferences by id, after `after`, at most `limit`. */
  listByOwner(owner: string, limit: number, after?: string): Promise<ConferenceRecord[]>;
  /** How many of the owner's conferences have not ended (idle ones count: they still exist). */
  countOpenByOwner(owner: string): Promise<number>;
  /** Conferences with a room (`reserved` or `active`) on any of these CoreMX: what re-homing moves. */
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
/**
 * A stored record (JSON) as the current shape: records written before the roster (or the returning roster)
 * existed have none.
 */
const parseRecord = (json: string, rev: number): ConferenceRecord => {
  const parsed = JSON.parse(json) as ConferenceRecord;
  return {
    ...parsed,
    roster: Array.isArray(parsed.roster) ? parsed.roster : [],
    returning: parsed.returning ?? null,
    rev,
  };
};
const recordOf = (d: ConferenceDoc): ConferenceRecord => parseRecord(d.record, d.rev);

interface RevisionDoc {
  _id: string;
  record: string;
}
const revisionSchema = new Schema(
  { _id: { type: String, required: true }, record: { type: String, required: true } },
  { versionKey: false, strict: 'throw' },
);
const revisionKey = (conferenceId: string, rev: number) => `${conferenceId}#${String(rev).padStart(12, '0')}`;
/** Revisions kept behind the latest (a head written late still finds its successors). */
const KEPT_REVISIONS = 8;

export class MongoConferenceStore implements ConferenceStore {
  private readonly docs: Model<ConferenceDoc>;
  private readonly revisions: Model<RevisionDoc>;

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
    this.revisions = connection.model<RevisionDoc>(
      `ConferenceRevision_${registryId}`,
      revisionSchema,
      `conference_revisions_${registryId.replace(/-/g, '_')}`,
    );
  }

  async get(conferenceId: string): Promise<ConferenceRecord | undefined> {
    const head = await withMongoErrors(() => this.docs.findById(conferenceId).lean().exec());
    let record = head ? recordOf(head) : undefined;
    // Follow revisions newer than the head (their writer has not updated it yet, or lost that race).
    for (let rev = (record?.rev ?? 0) + 1; ; rev++) {
      const newer = await withMongoErrors(() =>
        this.revisions.findById(revisionKey(conferenceId, rev)).lean().exec(),
      );
      if (!newer) return record;
      record = parseRecord(newer.record, rev);
    }
  }

  async compareAndSet(next: ConferenceRecord): Promise<boolean> {
    if (!(await this.buildsOnLatest(next))) return false;
    try {
      await withMongoErrors(() =>
        this.revisions.create({
          _id: revisionKey(next.conferenceId, next.rev),
          record: JSON.stringify(next),
        }),
      );
    } catch (error) {
      if (error instanceof DuplicateKeyError) return false;
      throw error;
    }
    const { _id, ...fields } = docOf(next);
    // The head only moves forward: a late writer of an older revision matches nothing, and its upsert
    // then collides with the existing head (ignored).
    try {
      await withMongoErrors(() =>
        this.docs.updateOne({ _id, rev: { $lt: next.rev } }, { $set: fields }, { upsert: true }).exec(),
      );
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
    }
    if (next.rev > KEPT_REVISIONS) {
      const old = revisionKey(next.conferenceId, next.rev - KEPT_REVISIONS);
      await withMongoErrors(() => this.revisions.deleteOne({ _id: old }).exec());
    }
    return true;
  }

  /**
   * Whether `next` builds on the latest revision, checked before its insert: the insert alone cannot tell,
   * since pruned revision keys are free again (a writer of revision 3 that slept through ten revisions, or
   * a second create of a busy conference, would insert a revision nobody reads and be told it won), and a
   * writer skipping a revision would insert past a gap. Revision `rev - 1` is still stored unless 8 newer
   * ones were written (then `rev` is taken, and the insert would fail anyway); records stored before
   * revisions existed have only their head. Revision 1 needs no head: a head is written before any prune.
   */
  private async buildsOnLatest(next: ConferenceRecord): Promise<boolean> {
    if (next.rev === 1) {
      return !(await withMongoErrors(() => this.docs.exists({ _id: next.conferenceId }).exec()));
    }
    const previous = revisionKey(next.conferenceId, next.rev - 1);
    if (await withMongoErrors(() => this.revisions.exists({ _id: previous }).exec())) return true;
    const head = await withMongoErrors(() =>
      this.docs.findById(next.conferenceId).select({ rev: 1 }).lean().exec(),
    );
    return head?.rev === next.rev - 1;
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
        .find({ coremxId: { $in: [...coremxIds] }, status: { $in: ['reserved', 'active'] } })
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
