import { SdkError, SdkErrorCode } from '../sdk-error-codes';
import { MediaUnsupportedError, type MediaStreamLike } from './media-environment';
import { mediaError, SCREEN_UNAVAILABLE_WORDS } from './media-errors';
import { linkStalled } from './media-health';
import type { Link, MediaContext, MediaLinks } from './media-links';
import { screenShareAllowed, screenSharers } from './media-plan';
import type { MediaHealthPolicy, MediaRecoveries } from './media-session.types';

/** Keys of the streams awaited after a `reoffer`: the publisher id for its camera, with a suffix for its screen. */
export function readyKey(publisherId: string, stream: 'screen' | undefined): string {
  return stream === 'screen' ? `${publisherId}\u0000screen` : publisherId;
}

/**
 * Screen sharing, both ways: ours (captured with the browser's picker, published as a second stream on a
 * connection of its own, stopped from the browser's bar, published again after a media server restart)
 * and every other participant's (one receive-only connection per sharer, dropped once it stops). Its part
 * of the health check rebuilds a screen link that failed or never carried anything (a static slide may
 * stand still for long). Emits `local-screen`, `remote-screen` and their `-removed` through `MediaSession`.
 */
export class ScreenShare {
  /** Our shared screen: the captured stream, and its publish connection while it has one. */
  private screen: { stream: MediaStreamLike; link?: Link; off: () => void } | undefined;
  /** Other participants' shared screens we receive, by participant id. */
  readonly subscriptions = new Map<string, Link>();

  constructor(
    private readonly ctx: MediaContext,
    private readonly links: MediaLinks,
  ) {}

  /** Our shared screen, while we share one. */
  get stream(): MediaStreamLike | undefined {
    return this.screen?.stream;
  }

  /** The publish connection of our shared screen, while it has one. */
  get link(): Link | undefined {
    return this.screen?.link;
  }

  /** See `MediaSession.startScreenShare`. */
  async start(options: { stream?: MediaStreamLike } = {}): Promise<void> {
    if (this.ctx.isClosed()) throw new SdkError(SdkErrorCode.ScreenShareUnavailable, 'The room is closed.');
    if (this.screen) return;
    const allowed = screenShareAllowed(this.ctx.session.room, this.ctx.session.participantId);
    if (!allowed.ok) {
      throw new SdkError(SdkErrorCode.ScreenShareUnavailable, SCREEN_UNAVAILABLE_WORDS[allowed.reason]);
    }
    let stream = options.stream;
    if (!stream) {
      const env = this.ctx.env;
      if (!env.getDisplayMedia)
        throw new SdkError(SdkErrorCode.ScreenShareUnavailable, 'This browser cannot share a screen.');
      try {
        stream = await env.getDisplayMedia({ video: true, audio: false });
      } catch (error) {
        if (error instanceof MediaUnsupportedError)
          throw new SdkError(SdkErrorCode.ScreenShareUnavailable, 'This browser cannot share a screen.', {
            cause: error,
          });
        throw new SdkError(SdkErrorCode.ScreenShareCancelled, 'Screen sharing was cancelled.', {
          cause: error,
        });
      }
    }
    if (this.ctx.isClosed() || this.screen) {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    const captured = stream;
    const track = captured.getTracks().find((t) => t.kind === 'video');
    const onEnded = () => void this.stop();
    track?.addEventListener?.('ended', onEnded);
    this.screen = { stream: captured, off: () => track?.removeEventListener?.('ended', onEnded) };
    this.ctx.emit('local-screen', { stream: captured });
    let failure: unknown;
    await this.ctx.enqueue('screen-share', async () => {
      try {
        await this.publish();
      } catch (error) {
        failure = error;
        this.release();
      }
    });
    if (failure !== undefined) throw mediaError(failure, 'screen-share');
  }

  /** See `MediaSession.stopScreenShare`. */
  async stop(): Promise<void> {
    if (!this.screen) return;
    await this.ctx.enqueue('screen-share', async () => {
      if (!this.screen) return;
      this.release();
      await this.ctx.session.unpublish('screen').catch(() => undefined);
    });
  }

  /**
   * Screens in line with the room: ours published again when its connection is gone (a media server
   * restart, a stalled connection) or stopped when we may no longer share; every other participant's
   * shared screen received (unless `awaited` after a restart), and dropped once it stops.
   */
  async reconcile(awaited: ReadonlyMap<string, number>): Promise<void> {
    const view = this.ctx.session.room;
    const me = this.ctx.session.participantId;
    if (this.screen && view.participants[me]?.role !== 'publisher') {
      this.release();
    } else if (this.screen && !this.screen.link) {
      await this.publish().catch((error: unknown) => {
        this.release();
        void this.ctx.session.unpublish('screen').catch(() => undefined);
        this.ctx.emit('error', { error, step: 'screen-share' });
      });
    }
    for (const publisherId of screenSharers(view, me)) {
      if (this.ctx.hlsAccess(publisherId, 'screen')) continue;
      if (this.subscriptions.has(publisherId) || awaited.has(readyKey(publisherId, 'screen'))) continue;
      await this.subscribe(publisherId).catch((error: unknown) =>
        this.ctx.emit('error', { error, step: 'subscribe' }),
      );
    }
    for (const id of [...this.subscriptions.keys()]) {
      if (!view.participants[id]?.streams.includes('screen')) this.drop(id);
      else if (this.ctx.hlsAccess(id, 'screen')) this.drop(id, true);
    }
  }

  async subscribe(publisherId: string): Promise<void> {
    const view = this.ctx.session.room;
    if (this.ctx.isClosed() || publisherId === this.ctx.session.participantId || view.type === 'p2p') return;
    if (this.subscriptions.has(publisherId) || this.ctx.hlsAccess(publisherId, 'screen')) return;
    await this.links.receive(publisherId, 'screen', this.subscriptions, ['video'], (stream) =>
      this.ctx.emit('remote-screen', { participantId: publisherId, stream }),
    );
  }

  /**
   * Forgets a screen we receive. The server ends a screen subscription with its share (`stream-ended`):
   * nothing to tell it then; `tellServer` when it still holds it (the screen is played over HLS now).
   */
  drop(publisherId: string, tellServer = false): void {
    const link = this.subscriptions.get(publisherId);
    if (!link) return;
    this.subscriptions.delete(publisherId);
    link.pc.close();
    this.ctx.emit('remote-screen-removed', { participantId: publisherId });
    if (tellServer) void this.ctx.session.unsubscribe(publisherId, 'screen').catch(() => undefined);
  }

  /**
   * Every screen connection closed (a restart): our captured screen stays and is published again on a
   * new connection (`reconcile`); the screens we received are dropped.
   */
  closeLinks(): void {
    if (this.screen) {
      this.screen.link?.pc.close();
      this.screen.link = undefined;
    }
    for (const id of [...this.subscriptions.keys()]) this.drop(id);
  }

  /**
   * The screens' part of the health check. A shared screen may stand still for long (a static slide:
   * browsers stop sending frames while nothing changes), so a screen link is rebuilt only when its
   * connection failed or it never carried anything.
   */
  async checkHealth(policy: MediaHealthPolicy, recoveries: MediaRecoveries): Promise<void> {
    for (const [publisherId, link] of [...this.subscriptions]) {
      if (await linkStalled(link, ['video'], policy, this.ctx.clock, { idleAllowed: true })) {
        recoveries.resubscribed++;
        this.drop(publisherId);
      }
    }
    const screen = this.screen;
    const screenLink = screen?.link;
    if (
      screen &&
      screenLink &&
      (await linkStalled(screenLink, ['sent'], policy, this.ctx.clock, { idleAllowed: true }))
    ) {
      // Published again by the reconcile that follows, with the same captured screen.
      recoveries.republished++;
      screenLink.pc.close();
      screen.link = undefined;
      await this.ctx.session.unpublish('screen').catch(() => undefined);
    }
  }

  /** Stops our capture and closes its connection (the caller tells the server when it should know). */
  release(): void {
    const screen = this.screen;
    if (!screen) return;
    this.screen = undefined;
    screen.off();
    screen.link?.pc.close();
    for (const track of screen.stream.getTracks()) track.stop();
    this.ctx.emit('local-screen-removed', {});
  }

  private async publish(): Promise<void> {
    const screen = this.screen;
    if (!screen || screen.link || this.ctx.isClosed()) return;
    const link = this.links.create(this.ctx.session.participantId, 'screen');
    for (const track of screen.stream.getTracks())
      this.links.preferVideoCodec(
        link.pc.addTransceiver(track, { direction: 'sendonly', streams: [screen.stream] }),
      );
    screen.link = link;
    try {
      await this.links.offerAndAnswer(
        link,
        (sdp) => this.ctx.session.publish(['screen'], sdp),
        'the screen share',
      );
    } catch (error) {
      link.pc.close();
      if (screen.link === link) screen.link = undefined;
      throw error;
    }
  }
}
