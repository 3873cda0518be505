/**
 * The registry's webhook outbox as a port (MongoDB in `MongoWebhookStore`, an in-memory twin in the
 * registry's unit tests): each account's webhook, the owner of each conference, and one delivery record per
 * (account, event) that the dispatcher works off per conference queue. Only compare-and-set updates on
 * single documents: no transactions, change streams or TTL indexes (FerretDB has none of them).
 */
export interface WebhookRecord {
  accountId: string;
  url: string;
  /** The secret is derived from (signing key, account, generation) and never stored; rotation bumps this. */
  generation: number;
  createdAt: Date;
  updatedAt: Date;
}

/** `pending` waits in its conference's queue; `dead` ran out of attempts (a dead letter). Delivered ones are removed. */
export type WebhookDeliveryState = 'pending' | 'dead';

/** One conference's queue of one account (a conference has one owner, so in practice: one conference). */
export interface WebhookQueueKey {
  accountId: string;
  conferenceId: string;
}

export interface NewWebhookDelivery extends WebhookQueueKey {
  /** The CCES event id (unique): with the account, the delivery's identity. */
  eventId: string;
  eventType: string;
  /** Order in the conference's queue (from `claimPosition`): the oldest pending one is sent first. */
  position: number;
  /** The exact request body (the CCES envelope as JSON). */
  body: string;
  createdAt: Date;
}

export interface WebhookDelivery extends NewWebhookDelivery {
  state: WebhookDeliveryState;
  /** Attempts made so far. */
  attempts: number;
  /** Not attempted before this. */
  nextAttemptAt: Date;
  /** While set and in the future, one dispatcher holds the current attempt. */
  leaseUntil: Date | null;
  lastStatus: number | null;
  lastError: string | null;
  lastUrl: string | null;
  lastAttemptAt: Date | null;
  deadAt: Date | null;
  /** Paging key of a dead letter: `<deadAt ISO>/<eventId>` (orders dead letters by when they died). */
  deadKey: string | null;
}

/** What one failed attempt left behind. */
export interface WebhookAttemptOutcome {
  /** Attempts made, this one included. */
  attempts: number;
  /** The receiver's HTTP status, or null when there was none (timeout, refused, DNS). */
  status: number | null;
  error: string | null;
  url: string;
  at: Date;
}

export interface WebhookStore {
  getWebhook(accountId: string): Promise<WebhookRecord | undefined>;
  /** Creates the account's webhook with `generation`, or changes its URL (generation and createdAt kept). */
  putWebhook(accountId: string, url: string, generation: number, now: Date): Promise<WebhookRecord>;
  /** Bumps the secret generation; undefined when the account has no webhook. */
  rotateWebhookSecret(accountId: string, now: Date): Promise<WebhookRecord | undefined>;
  /** Removes the webhook and every delivery of the account, pending and dead; false when there was none. */
  deleteWebhook(accountId: string): Promise<boolean>;

  /**
   * The owner of `conferenceId` and the next position in its queue. `owner` (from the conference's
   * `room.reserved`) records or replaces the owner; without it an unknown conference gives undefined.
   */
  claimPosition(
    conferenceId: string,
    owner?: string,
  ): Promise<{ accountId: string; position: number } | undefined>;

  /** Adds a pending delivery due at once; idempotent per (account, event): false when it was there already. */
  enqueue(delivery: NewWebhookDelivery): Promise<boolean>;
  /** Queues holding a pending delivery that is due and not leased at `now` (their head may still wait). */
  dueQueues(now: Date, limit: number): Promise<WebhookQueueKey[]>;
  /** The oldest pending delivery of a queue (lowest position). */
  queueHead(queue: WebhookQueueKey): Promise<WebhookDelivery | undefined>;
  /**
   * Takes the next attempt of a delivery (compare-and-set): only if it is pending, has made exactly
   * `expectedAttempts`, is due and is not leased at `now`. False when another dispatcher got there first.
   */
  lease(
    accountId: string,
    eventId: string,
    expectedAttempts: number,
    token: string,
    leaseUntil: Date,
    now: Date,
  ): Promise<boolean>;
  /** Delivered (or nothing left to deliver it to): removes it, if `token` still holds the lease. */
  complete(accountId: string, eventId: string, token: string): Promise<boolean>;
  /** A failed attempt with attempts left: records it, releases the lease, due again at `nextAttemptAt`. */
  retryLater(
    accountId: string,
    eventId: string,
    token: string,
    outcome: WebhookAttemptOutcome,
    nextAttemptAt: Date,
  ): Promise<boolean>;
  /** The last attempt failed: becomes a dead letter (out of its queue, kept until redelivered or deleted). */
  deadLetter(
    accountId: string,
    eventId: string,
    token: string,
    outcome: WebhookAttemptOutcome,
  ): Promise<boolean>;
  /** The account's dead letters, oldest first, after the `deadKey` `after`. */
  listDeadLetters(accountId: string, limit: number, after?: string): Promise<WebhookDelivery[]>;
  /** Puts a dead letter back at the head of its queue with a fresh attempt budget; false when there is none. */
  redeliver(accountId: string, eventId: string, now: Date): Promise<boolean>;
  countPending(): Promise<number>;
}

/** `<deadAt ISO>/<eventId>`: sorts dead letters by time, unique per account. */
export const webhookDeadKey = (deadAt: Date, eventId: string): string => `${deadAt.toISOString()}/${eventId}`;
