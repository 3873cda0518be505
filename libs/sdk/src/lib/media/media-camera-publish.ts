import type { MediaKind } from '@hoot/domain';
import { CameraError, errorCode } from './media-errors';
import { linkStalled, retryDelay } from './media-health';
import type { Link, MediaContext, MediaLinks } from './media-links';
import type { LocalMedia } from './media-local';
import type { MediaHealthPolicy, MediaRecoveries } from './media-session.types';

/**
 * Our camera and microphone on the room: published (an SDP offer to CASH in SFU rooms, room state only in
 * p2p) while we are a publisher, unpublished when we no longer are. A camera that cannot be opened blocks
 * publishing until a restart or another device; a publish the server refused is tried again after a
 * growing wait (`retryDelay`). Its part of the health check publishes again when the connection failed or
 * sent nothing for `stallMs`.
 */
export class CameraPublish {
  private publishing: Link | undefined;
  /** Published state on the room (p2p has no media server: publish is room state only). */
  private published = false;
  /** Getting the camera or publishing failed: not retried on every room change, only after a restart. */
  private blocked = false;
  /** A publish the server refused (or that timed out) is tried again from this time on. */
  private retryAt: number | undefined;
  private failures = 0;

  constructor(
    private readonly ctx: MediaContext,
    private readonly connections: MediaLinks,
    private readonly local: LocalMedia,
    private readonly retryPolicy: MediaHealthPolicy,
  ) {}

  /** Our publish connection, while there is one. */
  get link(): Link | undefined {
    return this.publishing;
  }

  /** Lifts a block left by a camera that could not be opened; true when there was one. */
  unblock(): boolean {
    if (!this.blocked) return false;
    this.blocked = false;
    return true;
  }

  /** Closes the publish connection (the server side is gone or going). */
  closeLink(): void {
    this.publishing?.pc.close();
    this.publishing = undefined;
  }

  /** After a restart: nothing is published, nothing blocked, no retry pending. */
  reset(): void {
    this.published = false;
    this.blocked = false;
    this.retryAt = undefined;
    this.failures = 0;
  }

  /** Publishes `kinds` when we should and do not yet, unpublishes when we may publish nothing. */
  async reconcile(kinds: MediaKind[]): Promise<void> {
    if (kinds.length === 0) {
      this.blocked = false;
      this.retryAt = undefined;
    }
    const retryDue = this.retryAt === undefined || this.ctx.clock.now() >= this.retryAt;
    if (kinds.length > 0 && !this.published && !this.blocked && retryDue) {
      try {
        await this.publish(kinds);
        this.retryAt = undefined;
        this.failures = 0;
      } catch (error) {
        this.closeLink();
        if (error instanceof CameraError) {
          // Receiving still works without a camera; the app shows why. Tried again only after a restart.
          this.blocked = true;
          this.ctx.emit('error', { error: error.original, step: 'publish' });
        } else {
          // The server refused or did not answer (a move, a media server restarting): try again later,
          // after releasing a publish the server may still hold for us.
          this.retryAt = this.ctx.clock.now() + retryDelay(this.retryPolicy, ++this.failures);
          if (errorCode(error) === 'ALREADY_PUBLISHING')
            await this.ctx.session.unpublish().catch(() => undefined);
          this.ctx.emit('error', { error, step: 'publish' });
        }
      }
    }
    if (kinds.length === 0 && this.published) await this.unpublish();
  }

  /** Our publish's part of the health check: one that failed or sent nothing is published again. */
  async checkHealth(policy: MediaHealthPolicy, recoveries: MediaRecoveries): Promise<void> {
    const publishing = this.publishing;
    if (publishing && this.published && (await linkStalled(publishing, ['sent'], policy, this.ctx.clock))) {
      recoveries.republished++;
      publishing.pc.close();
      this.publishing = undefined;
      this.published = false;
      await this.ctx.session.unpublish().catch(() => undefined);
    }
    if (this.retryAt !== undefined && this.ctx.clock.now() >= this.retryAt) recoveries.publishRetries++;
  }

  private async publish(kinds: MediaKind[]): Promise<void> {
    const stream = await this.local.ensure(kinds).catch((error: unknown) => {
      throw new CameraError(error);
    });
    const session = this.ctx.session;
    if (session.room.type === 'p2p') {
      await session.publish(kinds);
      this.published = true;
      return;
    }
    const link = this.connections.create(session.participantId);
    for (const track of stream.getTracks()) {
      const transceiver = link.pc.addTransceiver(track, { direction: 'sendonly', streams: [stream] });
      if (track.kind === 'video') this.connections.preferVideoCodec(transceiver);
    }
    this.publishing = link;
    await this.connections.offerAndAnswer(link, (sdp) => session.publish(kinds, sdp), 'publish');
    this.published = true;
  }

  private async unpublish(): Promise<void> {
    this.closeLink();
    this.published = false;
    this.local.stop();
    await this.ctx.session.unpublish().catch(() => undefined);
  }
}
