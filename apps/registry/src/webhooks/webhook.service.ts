import { randomInt } from 'node:crypto';
import { systemClock, WebhookErrorCode, type Clock } from '@hoot/domain';
import type { WebhookDelivery, WebhookRecord, WebhookStore } from '@hoot/mongo';
import { httpStatusOf } from '@hoot/contracts';
import { HootException } from '@hoot/service-kit';
import { WEBHOOK_NO_ANSWER } from './webhook-dispatcher';
import { webhookSecret } from './webhook-signature';
import { checkWebhookUrl } from './webhook-url';

export interface WebhookWithSecret {
  url: string;
  /** Shown on registration and rotation only; never stored (derived from the signing key). */
  secret: string;
  createdAt: string;
}

export interface WebhookView {
  url: string;
  createdAt: string;
  updatedAt: string;
}

export interface DeadLetterView {
  /** The event id (also `hoot-event-id`). */
  id: string;
  conferenceId: string;
  eventType: string;
  /** The CCES envelope that was to be delivered. */
  event: unknown;
  url: string | null;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  queuedAt: string;
  deadAt: string;
}

export interface DeadLetterPage {
  deadLetters: DeadLetterView[];
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null;
}

export interface WebhookServiceOptions {
  /** `WEBHOOK_SIGNING_KEY`: every account's secret is derived from it. */
  signingKey: string;
  allowPrivateUrls: boolean;
  clock?: Clock;
  /** First secret generation of a new webhook (random, so a deleted and re-created webhook gets a new secret). */
  newGeneration?: () => number;
  /** Told when a dead letter is queued again (wakes the dispatcher). */
  onRedeliver?: () => void;
}

/** The webhook API's rules, on the store port: one webhook per account, secrets derived, own data only. */
export class WebhookService {
  private readonly clock: Clock;
  private readonly newGeneration: () => number;

  constructor(
    private readonly store: WebhookStore,
    private readonly options: WebhookServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.newGeneration = options.newGeneration ?? (() => randomInt(1, 2 ** 47));
  }

  /** The current secret of a webhook. */
  secretFor(accountId: string, generation: number): string {
    return webhookSecret(this.options.signingKey, accountId, generation);
  }

  async put(accountId: string, rawUrl: string): Promise<WebhookWithSecret> {
    const checked = checkWebhookUrl(rawUrl, { allowPrivate: this.options.allowPrivateUrls });
    if (!checked.ok) throw new HootException(checked.code, httpStatusOf(checked.code), checked.message);
    const hook = await this.store.putWebhook(accountId, checked.url, this.newGeneration(), this.now());
    return this.withSecret(hook);
  }

  async get(accountId: string): Promise<WebhookView> {
    const hook = await this.existing(accountId);
    return {
      url: hook.url,
      createdAt: hook.createdAt.toISOString(),
      updatedAt: hook.updatedAt.toISOString(),
    };
  }

  async remove(accountId: string): Promise<void> {
    if (!(await this.store.deleteWebhook(accountId))) throw notFound();
  }

  async rotateSecret(accountId: string): Promise<WebhookWithSecret> {
    const hook = await this.store.rotateWebhookSecret(accountId, this.now());
    if (!hook) throw notFound();
    return this.withSecret(hook);
  }

  async deadLetters(accountId: string, limit: number, after?: string): Promise<DeadLetterPage> {
    await this.existing(accountId);
    const page = await this.store.listDeadLetters(accountId, limit, after);
    return {
      deadLetters: page.map(deadLetterView),
      next: page.length === limit ? page[page.length - 1].deadKey : null,
    };
  }

  async redeliver(accountId: string, eventId: string): Promise<void> {
    await this.existing(accountId);
    if (!(await this.store.redeliver(accountId, eventId, this.now())))
      throw new HootException(
        WebhookErrorCode.DeadLetterNotFound,
        httpStatusOf(WebhookErrorCode.DeadLetterNotFound),
        `no dead letter ${eventId} for this account`,
      );
    this.options.onRedeliver?.();
  }

  private async existing(accountId: string): Promise<WebhookRecord> {
    const hook = await this.store.getWebhook(accountId);
    if (!hook) throw notFound();
    return hook;
  }

  private withSecret(hook: WebhookRecord): WebhookWithSecret {
    return {
      url: hook.url,
      secret: this.secretFor(hook.accountId, hook.generation),
      createdAt: hook.createdAt.toISOString(),
    };
  }

  private now(): Date {
    return new Date(this.clock.now());
  }
}

const notFound = () =>
  new HootException(
    WebhookErrorCode.NotFound,
    httpStatusOf(WebhookErrorCode.NotFound),
    'this account has no webhook; register one with PUT',
  );

function deadLetterView(d: WebhookDelivery): DeadLetterView {
  return {
    id: d.eventId,
    conferenceId: d.conferenceId,
    eventType: d.eventType,
    event: JSON.parse(d.body) as unknown,
    url: d.lastUrl,
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    // Never a stored cause as is (older records kept the raw connect error): one generic reason.
    lastError: d.lastError === null ? null : WEBHOOK_NO_ANSWER,
    queuedAt: d.createdAt.toISOString(),
    deadAt: (d.deadAt ?? d.createdAt).toISOString(),
  };
}
