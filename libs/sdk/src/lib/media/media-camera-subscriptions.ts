import type { RoomView } from '@hoot/domain';
import { linkStalled } from './media-health';
import type { Link, MediaContext, MediaLinks } from './media-links';
import { hasCameraStream, publishersWithStreams, receiveKinds } from './media-plan';
import type { MediaHealthPolicy, MediaRecoveries } from './media-session.types';

/**
 * The other publishers' cameras we receive: one receive-only connection per publisher with a stream (as
 * CASH wants), emitted as `remote-stream`, dropped when its publisher stops publishing or leaves
 * (`remote-stream-removed`); none for a publisher played over LL-HLS (p2m with a packager). Its part of the health check subscribes again to a publisher whose
 * connection failed or carried nothing of a kind it should for `stallMs` (the server replaces its endpoint).
 */
export class CameraSubscriptions {
  /** By publisher id. */
  readonly links = new Map<string, Link>();

  constructor(
    private readonly ctx: MediaContext,
    private readonly connections: MediaLinks,
  ) {}

  async subscribe(publisherId: string): Promise<void> {
    const session = this.ctx.session;
    if (this.ctx.isClosed() || publisherId === session.participantId || this.links.has(publisherId)) return;
    if (session.room.type === 'p2p') return;
    // Played over LL-HLS instead (p2m): no connection for it.
    if (this.ctx.hlsAccess(publisherId, undefined)) return;
    await this.connections.receive(
      publisherId,
      undefined,
      this.links,
      receiveKinds(session.room.type),
      (stream) => this.ctx.emit('remote-stream', { participantId: publisherId, stream }),
    );
  }

  /** Forgets a publisher's camera; `tellServer` when the server still holds the subscription. */
  drop(publisherId: string, tellServer: boolean): void {
    const link = this.links.get(publisherId);
    if (!link) return;
    this.links.delete(publisherId);
    link.pc.close();
    this.ctx.emit('remote-stream-removed', { participantId: publisherId });
    if (tellServer) void this.ctx.session.unsubscribe(publisherId).catch(() => undefined);
  }

  dropAll(): void {
    for (const id of [...this.links.keys()]) this.drop(id, false);
  }

  /**
   * Subscribed to every publisher with a camera stream in `view` (unless `awaited` after a restart), to
   * none other.
   */
  async reconcile(view: RoomView, awaited: ReadonlyMap<string, number>): Promise<void> {
    for (const publisherId of publishersWithStreams(view, this.ctx.session.participantId)) {
      if (this.ctx.hlsAccess(publisherId, undefined)) continue;
      if (!this.links.has(publisherId) && !awaited.has(publisherId)) {
        await this.subscribe(publisherId).catch((error: unknown) =>
          this.ctx.emit('error', { error, step: 'subscribe' }),
        );
      }
    }
    for (const id of [...this.links.keys()]) {
      const p = view.participants[id];
      if (!p || p.role !== 'publisher' || !hasCameraStream(p)) this.drop(id, false);
      // Its stream is offered over LL-HLS now: the WebRTC subscription goes.
      else if (this.ctx.hlsAccess(id, undefined)) this.drop(id, true);
    }
  }

  /** The subscriptions' part of the health check. */
  async checkHealth(policy: MediaHealthPolicy, recoveries: MediaRecoveries): Promise<void> {
    for (const [publisherId, link] of [...this.links]) {
      const room = this.ctx.session.room;
      const streams = room.participants[publisherId]?.streams ?? [];
      const kinds = receiveKinds(room.type).filter((kind) => streams.includes(kind));
      if (await linkStalled(link, kinds, policy, this.ctx.clock)) {
        recoveries.resubscribed++;
        this.drop(publisherId, false);
      }
    }
  }
}
