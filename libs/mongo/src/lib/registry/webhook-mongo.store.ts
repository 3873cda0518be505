import { Schema, type Connection, type Model } from 'mongoose';
import { DuplicateKeyError, withMongoErrors } from '../mongo-errors';
import {
  webhookDeadKey,
  type NewWebhookDelivery,
  type WebhookAttemptOutcome,
  type WebhookDelivery,
  type WebhookQueueKey,
  type WebhookRecord,
  type WebhookStore,
} from './webhook.store';

interface WebhookDoc {
  _id: string;
  url: string;
  generation: number;
  createdAt: Date;
  updatedAt: Date;
}

interface ConferenceDoc {
  _id: string;
  accountId: string;
  position: number;
}

interface DeliveryDoc {
  /** `<accountId>/<eventId>` (neither contains a `/`). */
  _id: string;
  /** `<accountId>/<conferenceId>`: the queue, for `distinct`. */
  queue: string;
  accountId: string;
  conferenceId: string;
  eventId: string;
  eventType: string;
  position: number;
  body: string;
  createdAt: Date;
  state: 'pending' | 'dead';
  attempts: number;
  nextAttemptAt: Date;
  leaseUntil: Date | null;
  leaseToken: string | null;
  lastStatus: number | null;
  lastError: string | null;
  lastUrl: string | null;
  lastAttemptAt: Date | null;
  deadAt: Date | null;
  deadKey: string | null;
}

const webhookSchema = new Schema(
  {
    _id: { type: String, required: true },
    url: { type: String, required: true },
    generation: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'webhooks', versionKey: false, strict: 'throw' },
);

const conferenceSchema = new Schema(
  {
    _id: { type: String, required: true },
    accountId: { type: String, required: true },
    position: { type: Number, required: true },
  },
  { collection: 'webhook_conferences', versionKey: false, strict: 'throw' },
);

/**
 * One document per (delivery, attempt, takeover): FerretDB 1.x applies an update's filter and its change in
 * two steps, so two replicas could both "win" a compare-and-set update; an insert of the same `_id` can
 * only succeed once, so leases are inserts.
 */
interface LeaseDoc {
  /** `<accountId>/<eventId>/<attempt>/<takeover>`. */
  _id: string;
  accountId: string;
  deliveryId: string;
  attempt: number;
  /** 0, then +1 each time an expired lease of the same attempt is taken over. */
  takeover: number;
  until: Date;
}

const leaseSchema = new Schema(
  {
    _id: { type: String, required: true },
    accountId: { type: String, required: true },
    deliveryId: { type: String, required: true },
    attempt: { type: Number, required: true },
    takeover: { type: Number, required: true },
    until: { type: Date, required: true },
  },
  { collection: 'webhook_leases', versionKey: false, strict: 'throw' },
);
leaseSchema.index({ deliveryId: 1, attempt: 1, takeover: -1 });
leaseSchema.index({ accountId: 1 });

const nullable = <T>(type: T) => ({ type, default: null });
const deliverySchema = new Schema(
  {
    _id: { type: String, required: true },
    queue: { type: String, required: true },
    accountId: { type: String, required: true },
    conferenceId: { type: String, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    position: { type: Number, required: true },
    body: { type: String, required: true },
    createdAt: { type: Date, required: true },
    state: { type: String, required: true, enum: ['pending', 'dead'] },
    attempts: { type: Number, required: true },
    nextAttemptAt: { type: Date, required: true },
    leaseUntil: nullable(Date),
    leaseToken: nullable(String),
    lastStatus: nullable(Number),
    lastError: nullable(String),
    lastUrl: nullable(String),
    lastAttemptAt: nullable(Date),
    deadAt: nullable(Date),
    deadKey: nullable(String),
  },
  { collection: 'webhook_deliveries', versionKey: false, strict: 'throw' },
);
deliverySchema.index({ queue: 1, state: 1, position: 1 });
deliverySchema.index({ state: 1, nextAttemptAt: 1 });
deliverySchema.index({ accountId: 1, state: 1, deadKey: 1 });

const deliveryId = (accountId: string, eventId: string) => `${accountId}/${eventId}`;

const toWebhook = (doc: WebhookDoc): WebhookRecord => ({
  accountId: doc._id,
  url: doc.url,
  generation: doc.generation,
  createdAt: doc.createdAt,
  updatedAt: doc.updatedAt,
});

const toDelivery = (doc: DeliveryDoc): WebhookDelivery => ({
  accountId: doc.accountId,
  conferenceId: doc.conferenceId,
  eventId: doc.eventId,
  eventType: doc.eventType,
  position: doc.position,
  body: doc.body,
  createdAt: doc.createdAt,
  state: doc.state,
  attempts: doc.attempts,
  nextAttemptAt: doc.nextAttemptAt,
  leaseUntil: doc.leaseUntil ?? null,
  lastStatus: doc.lastStatus ?? null,
  lastError: doc.lastError ?? null,
  lastUrl: doc.lastUrl ?? null,
  lastAttemptAt: doc.lastAttemptAt ?? null,
  deadAt: doc.deadAt ?? null,
  deadKey: doc.deadKey ?? null,
});

/** The webhook outbox of one registry node, in that node's database (shared by its replicas). */
export class MongoWebhookStore implements WebhookStore {
  private readonly webhooks: Model<WebhookDoc>;
  private readonly conferences: Model<ConferenceDoc>;
  private readonly deliveries: Model<DeliveryDoc>;
  private readonly leases: Model<LeaseDoc>;

  constructor(connection: Connection) {
    this.webhooks = connection.model<WebhookDoc>('Webhook', webhookSchema);
    this.conferences = connection.model<ConferenceDoc>('WebhookConference', conferenceSchema);
    this.deliveries = connection.model<DeliveryDoc>('WebhookDelivery', deliverySchema);
    this.leases = connection.model<LeaseDoc>('WebhookLease', leaseSchema);
  }

  async getWebhook(accountId: string): Promise<WebhookRecord | undefined> {
    const doc = await withMongoErrors(() => this.webhooks.findById(accountId).lean<WebhookDoc>().exec());
    return doc ? toWebhook(doc) : undefined;
  }

  async putWebhook(accountId: string, url: string, generation: number, now: Date): Promise<WebhookRecord> {
    const doc = await withMongoErrors(() =>
      this.webhooks
        .findOneAndUpdate(
          { _id: accountId },
          { $set: { url, updatedAt: now }, $setOnInsert: { generation, createdAt: now } },
          { upsert: true, new: true },
        )
        .lean<WebhookDoc>()
        .exec(),
    );
    if (!doc) throw new Error(`webhook of ${accountId} vanished while it was written`);
    return toWebhook(doc);
  }

  async rotateWebhookSecret(accountId: string, now: Date): Promise<WebhookRecord | undefined> {
    const doc = await withMongoErrors(() =>
      this.webhooks
        .findOneAndUpdate(
          { _id: accountId },
          { $inc: { generation: 1 }, $set: { updatedAt: now } },
          { new: true },
        )
        .lean<WebhookDoc>()
        .exec(),
    );
    return doc ? toWebhook(doc) : undefined;
  }

  async deleteWebhook(accountId: string): Promise<boolean> {
    const removed = await withMongoErrors(() => this.webhooks.deleteOne({ _id: accountId }).exec());
    await withMongoErrors(() => this.deliveries.deleteMany({ accountId }).exec());
    await withMongoErrors(() => this.leases.deleteMany({ accountId }).exec());
    return removed.deletedCount === 1;
  }

  async claimPosition(
    conferenceId: string,
    owner?: string,
  ): Promise<{ accountId: string; position: number } | undefined> {
    const doc = await withMongoErrors(() =>
      (owner === undefined
        ? this.conferences.findOneAndUpdate({ _id: conferenceId }, { $inc: { position: 1 } }, { new: true })
        : this.conferences.findOneAndUpdate(
            { _id: conferenceId },
            { $set: { accountId: owner }, $inc: { position: 1 } },
            { upsert: true, new: true },
          )
      )
        .lean<ConferenceDoc>()
        .exec(),
    );
    return doc ? { accountId: doc.accountId, position: doc.position } : undefined;
  }

  async enqueue(delivery: NewWebhookDelivery): Promise<boolean> {
    try {
      await withMongoErrors(() =>
        this.deliveries.create({
          _id: deliveryId(delivery.accountId, delivery.eventId),
          queue: `${delivery.accountId}/${delivery.conferenceId}`,
          ...delivery,
          state: 'pending',
          attempts: 0,
          nextAttemptAt: delivery.createdAt,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof DuplicateKeyError) return false;
      throw error;
    }
  }

  async dueQueues(now: Date, limit: number): Promise<WebhookQueueKey[]> {
    const queues = (await withMongoErrors(() =>
      this.deliveries
        .distinct('queue', {
          state: 'pending',
          nextAttemptAt: { $lte: now },
          $or: [{ leaseUntil: null }, { leaseUntil: { $lte: now } }],
        })
        .exec(),
    )) as string[];
    return queues
      .sort()
      .slice(0, limit)
      .map((queue) => {
        const slash = queue.indexOf('/');
        return { accountId: queue.slice(0, slash), conferenceId: queue.slice(slash + 1) };
      });
  }

  async queueHead(queue: WebhookQueueKey): Promise<WebhookDelivery | undefined> {
    const doc = await withMongoErrors(() =>
      this.deliveries
        .findOne({ queue: `${queue.accountId}/${queue.conferenceId}`, state: 'pending' })
        .sort({ position: 1 })
        .lean<DeliveryDoc>()
        .exec(),
    );
    return doc ? toDelivery(doc) : undefined;
  }

  /**
   * 1. the delivery must be pending, at `expectedAttempts`, due and not leased; 2. the attempt's newest
   * lease, if any, must have run out; 3. insert the next lease of that attempt (only one replica can);
   * 4. read the delivery again: a sibling may have finished the attempt in between (then its lease blocked
   * step 3, or the delivery is gone or further along). Only then is the token set on the delivery.
   */
  async lease(
    accountId: string,
    eventId: string,
    expectedAttempts: number,
    token: string,
    leaseUntil: Date,
    now: Date,
  ): Promise<boolean> {
    const _id = deliveryId(accountId, eventId);
    const current = async () => {
      const doc = await withMongoErrors(() => this.deliveries.findById(_id).lean<DeliveryDoc>().exec());
      return doc && doc.state === 'pending' && doc.attempts === expectedAttempts ? doc : undefined;
    };
    const before = await current();
    if (!before || before.nextAttemptAt > now || (before.leaseUntil !== null && before.leaseUntil > now))
      return false;
    const attempt = expectedAttempts + 1;
    const newest = await withMongoErrors(() =>
      this.leases.findOne({ deliveryId: _id, attempt }).sort({ takeover: -1 }).lean<LeaseDoc>().exec(),
    );
    if (newest && newest.until > now) return false;
    const takeover = newest ? newest.takeover + 1 : 0;
    try {
      await withMongoErrors(() =>
        this.leases.create({
          _id: `${_id}/${attempt}/${takeover}`,
          accountId,
          deliveryId: _id,
          attempt,
          takeover,
          until: leaseUntil,
        }),
      );
    } catch (error) {
      if (error instanceof DuplicateKeyError) return false;
      throw error;
    }
    if (!(await current())) return false;
    await withMongoErrors(() =>
      this.deliveries.updateOne({ _id }, { $set: { leaseUntil, leaseToken: token } }).exec(),
    );
    return true;
  }

  async complete(accountId: string, eventId: string, token: string): Promise<boolean> {
    const _id = deliveryId(accountId, eventId);
    const result = await withMongoErrors(() => this.deliveries.deleteOne({ _id, leaseToken: token }).exec());
    if (result.deletedCount !== 1) return false;
    // Leases go after the delivery: a late sibling that wins a lease now finds no delivery (lease step 4).
    await withMongoErrors(() => this.leases.deleteMany({ deliveryId: _id }).exec());
    return true;
  }

  async retryLater(
    accountId: string,
    eventId: string,
    token: string,
    outcome: WebhookAttemptOutcome,
    nextAttemptAt: Date,
  ): Promise<boolean> {
    return this.finishAttempt(accountId, eventId, token, outcome, { nextAttemptAt });
  }

  async deadLetter(
    accountId: string,
    eventId: string,
    token: string,
    outcome: WebhookAttemptOutcome,
  ): Promise<boolean> {
    return this.finishAttempt(accountId, eventId, token, outcome, {
      state: 'dead',
      deadAt: outcome.at,
      deadKey: webhookDeadKey(outcome.at, eventId),
    });
  }

  private async finishAttempt(
    accountId: string,
    eventId: string,
    token: string,
    outcome: WebhookAttemptOutcome,
    extra: Partial<DeliveryDoc>,
  ): Promise<boolean> {
    const result = await withMongoErrors(() =>
      this.deliveries
        .updateOne(
          { _id: deliveryId(accountId, eventId), state: 'pending', leaseToken: token },
          {
            $set: {
              attempts: outcome.attempts,
              lastStatus: outcome.status,
              lastError: outcome.error,
              lastUrl: outcome.url,
              lastAttemptAt: outcome.at,
              leaseUntil: null,
              leaseToken: null,
              ...extra,
            },
          },
        )
        .exec(),
    );
    return result.modifiedCount === 1;
  }

  async listDeadLetters(accountId: string, limit: number, after?: string): Promise<WebhookDelivery[]> {
    const docs = await withMongoErrors(() =>
      this.deliveries
        .find({ accountId, state: 'dead', ...(after === undefined ? {} : { deadKey: { $gt: after } }) })
        .sort({ deadKey: 1 })
        .limit(limit)
        .lean<DeliveryDoc[]>()
        .exec(),
    );
    return docs.map(toDelivery);
  }

  async redeliver(accountId: string, eventId: string, now: Date): Promise<boolean> {
    const _id = deliveryId(accountId, eventId);
    const dead = await withMongoErrors(() => this.deliveries.exists({ _id, state: 'dead' }).exec());
    if (!dead) return false;
    // Nobody works on a dead letter: its old leases go, so its fresh attempts start unblocked.
    await withMongoErrors(() => this.leases.deleteMany({ deliveryId: _id }).exec());
    const result = await withMongoErrors(() =>
      this.deliveries
        .updateOne(
          { _id, state: 'dead' },
          {
            $set: {
              state: 'pending',
              attempts: 0,
              nextAttemptAt: now,
              leaseUntil: null,
              leaseToken: null,
              deadAt: null,
              deadKey: null,
            },
          },
        )
        .exec(),
    );
    return result.modifiedCount === 1;
  }

  async countPending(): Promise<number> {
    return withMongoErrors(() => this.deliveries.countDocuments({ state: 'pending' }).exec());
  }
}
