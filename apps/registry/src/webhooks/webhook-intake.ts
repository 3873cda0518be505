import { COREMX_STREAM_KEY, type CcesEvent } from '@hoot/events';
import type { WebhookStore } from '@hoot/mongo';
import { systemClock, type Clock } from '@hoot/domain';

/** What became of one consumed event. */
export type WebhookIntakeResult = 'queued' | 'duplicate' | 'no-owner' | 'no-webhook' | 'not-a-conference';

/**
 * The consumer's half of the outbox: for each CCES event, finds the conference's owner (the `creator` of
 * its `room.reserved`, remembered per conference) and, if that account has a webhook, adds one delivery
 * (idempotent per account and event id) at the next position of the conference's queue, then wakes the
 * dispatcher. Nothing is sent here, so a slow receiver never holds up the topic. Called in each topic's
 * order (kafkajs, one partition at a time), so positions follow `seq` within a conference.
 */
export class WebhookIntake {
  constructor(
    private readonly store: WebhookStore,
    private readonly onQueued: () => void = () => undefined,
    private readonly clock: Clock = systemClock,
  ) {}

  async accept(event: CcesEvent): Promise<WebhookIntakeResult> {
    if (event.conferenceId === COREMX_STREAM_KEY) return 'not-a-conference';
    const owner = event.type === 'room.reserved' ? (event.data.creator ?? undefined) : undefined;
    const claim = await this.store.claimPosition(event.conferenceId, owner);
    if (!claim) return 'no-owner';
    if (!(await this.store.getWebhook(claim.accountId))) return 'no-webhook';
    const queued = await this.store.enqueue({
      accountId: claim.accountId,
      conferenceId: event.conferenceId,
      eventId: event.id,
      eventType: event.type,
      position: claim.position,
      body: JSON.stringify(event),
      createdAt: new Date(this.clock.now()),
    });
    if (!queued) return 'duplicate';
    this.onQueued();
    return 'queued';
  }
}
