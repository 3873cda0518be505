import {
  webhookDeadKey,
  type NewWebhookDelivery,
  type WebhookAttemptOutcome,
  type WebhookDelivery,
  type WebhookQueueKey,
  type WebhookRecord,
  type WebhookStore,
} from '@hoot/mongo';

type Row = WebhookDelivery & { leaseToken: string | null };

/**
 * `WebhookStore` in memory, with the same compare-and-set semantics as `MongoWebhookStore`: for the unit
 * tests of the dispatcher, the intake and the API (several dispatchers may share one, like replicas).
 */
export class InMemoryWebhookStore implements WebhookStore {
  readonly webhooks = new Map<string, WebhookRecord>();
  readonly conferences = new Map<string, { accountId: string; position: number }>();
  readonly deliveries = new Map<string, Row>();

  private static key(accountId: string, eventId: string): string {
    return `${accountId}/${eventId}`;
  }

  private row(accountId: string, eventId: string): Row | undefined {
    return this.deliveries.get(InMemoryWebhookStore.key(accountId, eventId));
  }

  private static copy(row: Row): WebhookDelivery {
    const { leaseToken: _token, ...delivery } = row;
    return structuredClone(delivery);
  }

  async getWebhook(accountId: string): Promise<WebhookRecord | undefined> {
    const hook = this.webhooks.get(accountId);
    return hook && { ...hook };
  }

  async putWebhook(accountId: string, url: string, generation: number, now: Date): Promise<WebhookRecord> {
    const current = this.webhooks.get(accountId);
    const hook = current
      ? { ...current, url, updatedAt: now }
      : { accountId, url, generation, createdAt: now, updatedAt: now };
    this.webhooks.set(accountId, hook);
    return { ...hook };
  }

  async rotateWebhookSecret(accountId: string, now: Date): Promise<WebhookRecord | undefined> {
    const current = this.webhooks.get(accountId);
    if (!current) return undefined;
    const hook = { ...current, generation: current.generation + 1, updatedAt: now };
    this.webhooks.set(accountId, hook);
    return { ...hook };
  }

  async deleteWebhook(accountId: string): Promise<boolean> {
    for (const [id, row] of this.deliveries) if (row.accountId === accountId) this.deliveries.delete(id);
    return this.webhooks.delete(accountId);
  }

  async claimPosition(
    conferenceId: string,
    owner?: string,
  ): Promise<{ accountId: string; position: number } | undefined> {
    const current = this.conferences.get(conferenceId);
    if (!current && owner === undefined) return undefined;
    const next = { accountId: owner ?? current!.accountId, position: (current?.position ?? 0) + 1 };
    this.conferences.set(conferenceId, next);
    return { ...next };
  }

  async enqueue(delivery: NewWebhookDelivery): Promise<boolean> {
    const key = InMemoryWebhookStore.key(delivery.accountId, delivery.eventId);
    if (this.deliveries.has(key)) return false;
    this.deliveries.set(key, {
      ...delivery,
      state: 'pending',
      attempts: 0,
      nextAttemptAt: delivery.createdAt,
      leaseUntil: null,
      leaseToken: null,
      lastStatus: null,
      lastError: null,
      lastUrl: null,
      lastAttemptAt: null,
      deadAt: null,
      deadKey: null,
    });
    return true;
  }

  private static available(row: Row, now: Date): boolean {
    return (
      row.state === 'pending' &&
      row.nextAttemptAt <= now &&
      (row.leaseUntil === null || row.leaseUntil <= now)
    );
  }

  async dueQueues(now: Date, limit: number): Promise<WebhookQueueKey[]> {
    const queues = new Map<string, WebhookQueueKey>();
    for (const row of this.deliveries.values())
      if (InMemoryWebhookStore.available(row, now))
        queues.set(`${row.accountId}/${row.conferenceId}`, {
          accountId: row.accountId,
          conferenceId: row.conferenceId,
        });
    return [...queues.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .slice(0, limit)
      .map(([, queue]) => queue);
  }

  async queueHead(queue: WebhookQueueKey): Promise<WebhookDelivery | undefined> {
    let head: Row | undefined;
    for (const row of this.deliveries.values())
      if (
        row.state === 'pending' &&
        row.accountId === queue.accountId &&
        row.conferenceId === queue.conferenceId &&
        (!head || row.position < head.position)
      )
        head = row;
    return head && InMemoryWebhookStore.copy(head);
  }

  async lease(
    accountId: string,
    eventId: string,
    expectedAttempts: number,
    token: string,
    leaseUntil: Date,
    now: Date,
  ): Promise<boolean> {
    const row = this.row(accountId, eventId);
    if (!row || row.attempts !== expectedAttempts || !InMemoryWebhookStore.available(row, now)) return false;
    row.leaseUntil = leaseUntil;
    row.leaseToken = token;
    return true;
  }

  async complete(accountId: string, eventId: string, token: string): Promise<boolean> {
    const row = this.row(accountId, eventId);
    if (!row || row.leaseToken !== token) return false;
    return this.deliveries.delete(InMemoryWebhookStore.key(accountId, eventId));
  }

  private finish(
    accountId: string,
    eventId: string,
    token: string,
    outcome: WebhookAttemptOutcome,
    extra: Partial<Row>,
  ): boolean {
    const row = this.row(accountId, eventId);
    if (!row || row.state !== 'pending' || row.leaseToken !== token) return false;
    Object.assign(row, {
      attempts: outcome.attempts,
      lastStatus: outcome.status,
      lastError: outcome.error,
      lastUrl: outcome.url,
      lastAttemptAt: outcome.at,
      leaseUntil: null,
      leaseToken: null,
      ...extra,
    });
    return true;
  }

  async retryLater(
    accountId: string,
    eventId: string,
    token: string,
    outcome: WebhookAttemptOutcome,
    nextAttemptAt: Date,
  ): Promise<boolean> {
    return this.finish(accountId, eventId, token, outcome, { nextAttemptAt });
  }

  async deadLetter(
    accountId: string,
    eventId: string,
    token: string,
    outcome: WebhookAttemptOutcome,
  ): Promise<boolean> {
    return this.finish(accountId, eventId, token, outcome, {
      state: 'dead',
      deadAt: outcome.at,
      deadKey: webhookDeadKey(outcome.at, eventId),
    });
  }

  async listDeadLetters(accountId: string, limit: number, after?: string): Promise<WebhookDelivery[]> {
    return [...this.deliveries.values()]
      .filter((row) => row.accountId === accountId && row.state === 'dead')
      .filter((row) => after === undefined || row.deadKey! > after)
      .sort((a, b) => (a.deadKey! < b.deadKey! ? -1 : 1))
      .slice(0, limit)
      .map(InMemoryWebhookStore.copy);
  }

  async redeliver(accountId: string, eventId: string, now: Date): Promise<boolean> {
    const row = this.row(accountId, eventId);
    if (!row || row.state !== 'dead') return false;
    Object.assign(row, {
      state: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      leaseUntil: null,
      leaseToken: null,
      deadAt: null,
      deadKey: null,
    });
    return true;
  }

  async countPending(): Promise<number> {
    return [...this.deliveries.values()].filter((row) => row.state === 'pending').length;
  }
}
