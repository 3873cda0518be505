import { randomUUID } from 'node:crypto';
import { systemClock, type Clock, type TimerHandle } from '@hoot/domain';
import type { WebhookDelivery, WebhookQueueKey, WebhookStore } from '@hoot/mongo';
import {
  WEBHOOK_DEFAULTS,
  WEBHOOK_LEASE_MARGIN_MS,
  backoffDelayMs,
  type WebhookTunables,
} from './webhook-defaults';
import { webhookSignature } from './webhook-signature';

/** One POST to a receiver. */
export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}

/** The receiver's HTTP status, or why there was none (timeout, refused, DNS, refused address). */
export type WebhookResponse = { status: number } | { error: string };

/**
 * What users are told when an attempt got no HTTP answer, whatever the cause (refused, reset, timeout, DNS,
 * an internal address): one string, so dead letters never tell a closed port from a filtered one or an
 * address from another (no port scanning through webhooks). The cause goes to the operators' logs only.
 */
export const WEBHOOK_NO_ANSWER = 'no HTTP answer from the receiver';

/** The HTTP seam (`HttpWebhookSender`; a scripted fake in unit tests). Never throws. */
export interface WebhookSender {
  send(request: WebhookRequest): Promise<WebhookResponse>;
}

/** Structured log lines (a Nest/pino logger fits); never given the secret. */
export interface WebhookLog {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
}

export interface WebhookDispatcherOptions {
  store: WebhookStore;
  sender: WebhookSender;
  /** The account's current secret for a generation (`webhookSecret` bound to the signing key). */
  secretFor: (accountId: string, generation: number) => string;
  tunables?: Partial<WebhookTunables>;
  clock?: Clock;
  /** In [0, 1): backoff jitter. */
  random?: () => number;
  /** Lease tokens. */
  newToken?: () => string;
  log?: WebhookLog;
}

export interface WebhookDispatcherCounters {
  delivered: number;
  failedAttempts: number;
  deadLettered: number;
  /** A lease taken by another dispatcher (a replica) first. */
  leaseConflicts: number;
}

/** How far an attempt got: the queue may go on, waits until `at`, or another dispatcher holds it. */
type AttemptResult = { kind: 'done' } | { kind: 'retry'; at: number } | { kind: 'lost' };

const silent: WebhookLog = { info: () => undefined, warn: () => undefined };

/**
 * Works off the webhook outbox: per conference queue strictly one event at a time, oldest first (the next
 * waits until the previous was delivered or dead-lettered), several queues in parallel. Every attempt is
 * leased first with a compare-and-set on the delivery, so replicas sharing the store never send the same
 * attempt twice. 2xx = delivered; anything else (or no answer) is retried with backoff until the budget is
 * spent, then the delivery becomes a dead letter and its queue moves on.
 *
 * `runOnce` is one pass (what unit tests drive with a fake clock); `start` runs passes until `stop`: at
 * once after `wake`, at the next due retry, and at least every `pollIntervalMs`.
 */
export class WebhookDispatcher {
  readonly counters: WebhookDispatcherCounters = {
    delivered: 0,
    failedAttempts: 0,
    deadLettered: 0,
    leaseConflicts: 0,
  };
  readonly tunables: WebhookTunables;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly newToken: () => string;
  private readonly log: WebhookLog;
  private timer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private wakeAgain = false;
  private started = false;
  private stopped = false;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.tunables = { ...WEBHOOK_DEFAULTS, ...options.tunables };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.newToken = options.newToken ?? randomUUID;
    this.log = options.log ?? silent;
  }

  /**
   * One pass over every queue with due work, `concurrency` queues at a time, each worked until it is
   * empty or waits. Returns the time (epoch ms) the earliest waiting queue is due, or Infinity.
   */
  async runOnce(): Promise<number> {
    const queues = await this.options.store.dueQueues(new Date(this.clock.now()), 10_000);
    let nextDue = Infinity;
    let index = 0;
    const worker = async () => {
      while (index < queues.length && !this.stopped) {
        const queue = queues[index++];
        nextDue = Math.min(nextDue, await this.drain(queue));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.tunables.concurrency, queues.length) }, worker));
    return nextDue;
  }

  /** Starts the loop (first pass at once). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** New work was queued: run a pass now (or right after the current one). */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.running) {
      this.wakeAgain = true;
      return;
    }
    this.schedule(0);
  }

  /** Resolves once the pass in progress (if any) has finished. */
  async idle(): Promise<void> {
    await this.running;
  }

  /** Stops the loop; waits for the attempts in flight (at most one timeout) to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.running = this.pass().finally(() => {
        this.running = undefined;
        if (this.wakeAgain) {
          this.wakeAgain = false;
          this.schedule(0);
        }
      });
    }, delayMs);
  }

  private async pass(): Promise<void> {
    let nextDue = Infinity;
    try {
      nextDue = await this.runOnce();
    } catch (error) {
      this.log.warn({ err: errorText(error) }, 'webhook dispatch pass failed; retrying at the next poll');
    }
    if (this.wakeAgain) return;
    const wait = Math.min(this.tunables.pollIntervalMs, Math.max(0, nextDue - this.clock.now()));
    this.schedule(wait);
  }

  /** Delivers a queue's events in order until it is empty or its head has to wait; returns when it is due. */
  private async drain(queue: WebhookQueueKey): Promise<number> {
    for (;;) {
      if (this.stopped) return Infinity;
      const head = await this.options.store.queueHead(queue);
      if (!head) return Infinity;
      const now = this.clock.now();
      const dueAt = Math.max(head.nextAttemptAt.getTime(), head.leaseUntil?.getTime() ?? 0);
      if (dueAt > now) return dueAt;
      const result = await this.attempt(head);
      if (result.kind === 'retry') return result.at;
      if (result.kind === 'lost') return this.clock.now() + this.tunables.pollIntervalMs;
    }
  }

  private async attempt(delivery: WebhookDelivery): Promise<AttemptResult> {
    const { store, sender } = this.options;
    const { accountId, eventId } = delivery;
    const token = this.newToken();
    const leasedAt = this.clock.now();
    const leased = await store.lease(
      accountId,
      eventId,
      delivery.attempts,
      token,
      new Date(leasedAt + this.tunables.timeoutMs + WEBHOOK_LEASE_MARGIN_MS),
      new Date(leasedAt),
    );
    if (!leased) {
      this.counters.leaseConflicts += 1;
      return { kind: 'lost' };
    }
    const webhook = await store.getWebhook(accountId);
    if (!webhook) {
      // Deleted since the event was queued: the account asked for no more deliveries.
      await store.complete(accountId, eventId, token);
      return { kind: 'done' };
    }
    const attempt = delivery.attempts + 1;
    const secret = this.options.secretFor(accountId, webhook.generation);
    const response = await sender.send({
      url: webhook.url,
      body: delivery.body,
      headers: {
        'content-type': 'application/json',
        'hoot-event-id': eventId,
        'hoot-event-type': delivery.eventType,
        'hoot-delivery-attempt': String(attempt),
        'hoot-signature': webhookSignature(secret, Math.floor(this.clock.now() / 1000), delivery.body),
      },
      timeoutMs: this.tunables.timeoutMs,
    });
    const at = this.clock.now();
    const fields = { accountId, conferenceId: delivery.conferenceId, eventId, attempt };
    if ('status' in response && response.status >= 200 && response.status < 300) {
      if (!(await store.complete(accountId, eventId, token))) return this.leaseLost(fields);
      this.counters.delivered += 1;
      return { kind: 'done' };
    }
    this.counters.failedAttempts += 1;
    const cause = 'error' in response ? response.error.slice(0, 500) : null;
    const outcome = {
      attempts: attempt,
      status: 'status' in response ? response.status : null,
      error: 'error' in response ? WEBHOOK_NO_ANSWER : null,
      url: webhook.url,
      at: new Date(at),
    };
    if (attempt >= this.tunables.maxAttempts) {
      if (!(await store.deadLetter(accountId, eventId, token, outcome))) return this.leaseLost(fields);
      this.counters.deadLettered += 1;
      this.log.warn(
        { ...fields, status: outcome.status, error: cause },
        'webhook delivery dead-lettered after its last attempt',
      );
      return { kind: 'done' };
    }
    const next = at + backoffDelayMs(attempt, this.tunables, this.random);
    if (!(await store.retryLater(accountId, eventId, token, outcome, new Date(next))))
      return this.leaseLost(fields);
    this.log.info(
      { ...fields, status: outcome.status, error: cause, retryInMs: next - at },
      'webhook attempt failed; retrying',
    );
    return { kind: 'retry', at: next };
  }

  private leaseLost(fields: object): AttemptResult {
    this.counters.leaseConflicts += 1;
    this.log.warn(fields, 'webhook attempt outlived its lease; a sibling dispatcher owns the delivery now');
    return { kind: 'lost' };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
