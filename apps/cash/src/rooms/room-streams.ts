/**
 * A participant's streams on the media server: publishing its camera or its shared screen (an endpoint on
 * the room's pipeline, the SDP answer, the server's candidates, `stream-ready` to the others; in p2p rooms
 * only the room state changes), re-offering after a media server restart, subscribing to another's stream
 * (one endpoint per publisher stream), unsubscribing, unpublishing, and the participant's trickled ICE
 * candidates (handed to the ICE candidate queue, off the room's queue). The rules are checked before any
 * media work; a media failure releases what was made and changes nothing.
 */
import {
  RoomErrorCode,
  applyRoomCommand,
  findParticipant,
  streamSourceOf,
  type MediaKind,
  type RoomCommand,
  type StreamSource,
} from '@hoot/domain';
import type { MediaIceCandidate } from '@hoot/media';
import { CashError, CashErrorCode } from '../cash-error';
import type { HlsFeeds } from './hls-feeds';
import type { IceTarget } from './ice-candidate-queue';
import type { RoomCommit } from './room-commit';
import { usesMediaServer, type RoomMedia } from './room-media';
import { runInQueue } from './room-queue';
import type { RoomContext } from './room-table';
import type { RoomHolder } from './room-types';
import { endpointOf, ownEndpoint, sameKinds, screenTag, streamKey } from './stream-refs';

export class RoomStreams {
  constructor(
    private readonly ctx: RoomContext,
    private readonly commit: RoomCommit,
    private readonly media: RoomMedia,
    private readonly feeds: HlsFeeds,
  ) {}

  /**
   * Publishes the participant's stream. Rooms on the media server need an SDP offer: a publish
   * endpoint is created on the room's pipeline, the answer is sent back (`publish-answer`), then the
   * server's candidates (`ice`), and everyone else hears `stream-ready`. In p2p rooms only the room
   * state changes (media goes peer to peer). After a media server restart the same message re-offers
   * the streams already published. `kinds: ['screen']` publishes the shared screen: a second endpoint
   * of its own, addressed with `stream: 'screen'` in every message about it.
   */
  async publish(
    roomId: string,
    participantId: string,
    kinds: MediaKind[],
    sdpOffer?: string,
    re?: string,
  ): Promise<void> {
    const holder = this.ctx.table.require(roomId);
    const source: StreamSource = kinds.includes('screen') ? 'screen' : 'camera';
    const tag = screenTag(source);
    const target: IceTarget = { roomId, participantId, publisherId: participantId, ...tag };
    if (sdpOffer !== undefined) this.ctx.ice.expectNew(target);
    await this.negotiating(holder, target, async () => {
      this.ctx.table.assertOpen(holder);
      const participant = findParticipant(holder.room, participantId);
      if (!participant) throw new CashError(RoomErrorCode.NOT_IN_ROOM, 'You are not in the room');
      const channel = holder.channels.get(participantId);
      const reply = re !== undefined ? { re } : {};
      const command: RoomCommand = {
        type: 'publish',
        at: this.ctx.options.clock.now(),
        participantId,
        kinds,
      };
      if (!usesMediaServer(holder)) {
        if (sdpOffer !== undefined) {
          throw new CashError(
            CashErrorCode.WrongRoomMedia,
            'a p2p call sends media peer to peer: publish without sdpOffer and use p2p-signal',
          );
        }
        await this.commit.apply(holder, command);
        channel?.send({ type: 'ok', ...reply });
        return;
      }
      if (sdpOffer === undefined) {
        throw new CashError(CashErrorCode.InvalidMessage, 'publish: sdpOffer is required in this room');
      }
      const pm = this.media.mediaOf(holder, participantId);
      if (ownEndpoint(pm, source)) {
        throw new CashError(
          CashErrorCode.AlreadyPublishing,
          source === 'screen'
            ? 'you share your screen already: unpublish stream screen first'
            : 'you publish already: unpublish first',
        );
      }
      const published = participant.streams.filter((k) => streamSourceOf(k) === source);
      const reoffer = published.length > 0;
      if (reoffer && !sameKinds(published, kinds)) {
        throw new CashError(
          RoomErrorCode.STREAM_ALREADY_PUBLISHED,
          `re-offer the kinds you publish (${published.join(', ')})`,
        );
      }
      // Check the rules before any media work (the room cannot change meanwhile: this is its queue).
      const checked = reoffer ? undefined : applyRoomCommand(holder.room, command);
      if (checked && !checked.ok) throw new CashError(checked.code, checked.message);

      const pipeline = await this.media.ensurePipeline(holder);
      const endpoint = await this.media.call(() =>
        this.ctx.options.media.createEndpoint(pipeline, {
          kind: 'publish',
          audioOnly: source === 'camera' && (!kinds.includes('video') || holder.room.type === 'a2m'),
        }),
      );
      const stopIce = this.ctx.options.media.onIceCandidate(endpoint, (candidate) =>
        holder.channels
          .get(participantId)
          ?.send({ type: 'ice', publisherId: participantId, ...tag, candidate }),
      );
      let answer: string;
      try {
        answer = await this.media.call(() => this.ctx.options.media.processOffer(endpoint, sdpOffer));
        if (checked?.ok) await this.commit.commit(holder, checked.room, checked.events);
      } catch (error) {
        stopIce();
        this.media.release(endpoint);
        throw error;
      }
      if (source === 'screen') pm.screen = { endpoint, stopIce };
      else pm.publish = { endpoint, stopIce };
      this.ctx.ice.ready(target, endpoint);
      channel?.send({ type: 'publish-answer', ...reply, ...tag, sdpAnswer: answer });
      for (const [id, other] of holder.channels) {
        if (id !== participantId) other.send({ type: 'stream-ready', publisherId: participantId, ...tag });
      }
      // Not awaited: the room's next command need not wait for the server's candidates (the media server
      // takes calls in order, and a failure is only logged).
      void this.media.gather(endpoint, participantId);
      // Next in the room's queue (the answer is sent already): its feed to the packager (p2m, recording).
      this.feeds.afterPublish(holder, participantId, source);
    });
  }

  /**
   * Stops publishing one stream (the camera, or the shared screen): the room state changes and every
   * subscription to that stream ends; the other stream goes on.
   */
  async unpublish(
    roomId: string,
    participantId: string,
    re?: string,
    stream: StreamSource = 'camera',
  ): Promise<void> {
    const holder = this.ctx.table.require(roomId);
    await runInQueue(holder, async () => {
      this.ctx.table.assertOpen(holder);
      const channel = holder.channels.get(participantId);
      const published = (findParticipant(holder.room, participantId)?.streams ?? []).filter(
        (k) => streamSourceOf(k) === stream,
      );
      const kinds: MediaKind[] =
        published.length > 0 ? published : stream === 'screen' ? ['screen'] : ['audio', 'video'];
      await this.commit.apply(holder, {
        type: 'unpublish',
        at: this.ctx.options.clock.now(),
        participantId,
        kinds,
      });
      channel?.send({ type: 'ok', ...(re !== undefined ? { re } : {}) });
    });
  }

  /**
   * Subscribes to one publisher's stream, its camera or its shared screen (one connection per
   * publisher stream, seed 001).
   */
  async subscribe(
    roomId: string,
    participantId: string,
    publisherId: string,
    sdpOffer: string,
    re?: string,
    stream: StreamSource = 'camera',
  ): Promise<void> {
    const holder = this.ctx.table.require(roomId);
    const tag = screenTag(stream);
    const key = streamKey(publisherId, stream);
    const target: IceTarget = { roomId, participantId, publisherId, ...tag };
    if (publisherId !== participantId) this.ctx.ice.expectNew(target);
    await this.negotiating(holder, target, async () => {
      this.ctx.table.assertOpen(holder);
      if (!findParticipant(holder.room, participantId))
        throw new CashError(RoomErrorCode.NOT_IN_ROOM, 'You are not in the room');
      if (!usesMediaServer(holder)) {
        throw new CashError(CashErrorCode.WrongRoomMedia, 'a p2p call has no media server: use p2p-signal');
      }
      if (publisherId === participantId) {
        throw new CashError(CashErrorCode.CannotSubscribeSelf, 'you cannot subscribe to your own stream');
      }
      if (!findParticipant(holder.room, publisherId)) {
        throw new CashError(RoomErrorCode.TARGET_NOT_IN_ROOM, `${publisherId} is not in the room`);
      }
      const source = ownEndpoint(holder.media.get(publisherId), stream);
      if (!source) {
        throw new CashError(
          CashErrorCode.StreamNotReady,
          stream === 'screen'
            ? `${publisherId} shares no screen yet: wait for stream-ready`
            : `${publisherId} has no stream yet: wait for stream-ready`,
        );
      }
      const pm = this.media.mediaOf(holder, participantId);
      const previous = pm.subscriptions.get(key);
      if (previous) {
        pm.subscriptions.delete(key);
        previous.stopIce();
        this.media.release(previous.endpoint);
      }
      const pipeline = await this.media.ensurePipeline(holder);
      const endpoint = await this.media.call(() =>
        this.ctx.options.media.createEndpoint(pipeline, {
          kind: 'subscribe',
          audioOnly: source.endpoint.audioOnly || holder.room.type === 'a2m',
        }),
      );
      const stopIce = this.ctx.options.media.onIceCandidate(endpoint, (candidate) =>
        holder.channels.get(participantId)?.send({ type: 'ice', publisherId, ...tag, candidate }),
      );
      let answer: string;
      try {
        // Both at once (one round trip to the media server, not two): connecting the publisher's endpoint
        // needs no negotiated sink. Both are settled before a failure releases the endpoint, and the
        // offer's failure is the one reported when both fail (as when they ran one after the other).
        const [offered, connected] = await Promise.allSettled([
          this.media.call(() => this.ctx.options.media.processOffer(endpoint, sdpOffer)),
          this.media.call(() => this.ctx.options.media.connect(source.endpoint, endpoint)),
        ]);
        if (offered.status === 'rejected') throw offered.reason;
        if (connected.status === 'rejected') throw connected.reason;
        answer = offered.value;
      } catch (error) {
        stopIce();
        this.media.release(endpoint);
        throw error;
      }
      pm.subscriptions.set(key, { endpoint, stopIce });
      this.ctx.ice.ready(target, endpoint);
      holder.channels.get(participantId)?.send({
        type: 'subscribe-answer',
        ...(re !== undefined ? { re } : {}),
        publisherId,
        ...tag,
        sdpAnswer: answer,
      });
      // Not awaited: the room's next command need not wait for the server's candidates (the media server
      // takes calls in order, and a failure is only logged).
      void this.media.gather(endpoint, participantId);
    });
  }

  async unsubscribe(
    roomId: string,
    participantId: string,
    publisherId: string,
    re?: string,
    stream: StreamSource = 'camera',
  ): Promise<void> {
    const holder = this.ctx.table.require(roomId);
    const key = streamKey(publisherId, stream);
    await runInQueue(holder, async () => {
      const sub = holder.media.get(participantId)?.subscriptions.get(key);
      if (!sub) {
        throw new CashError(
          CashErrorCode.NotSubscribed,
          `no subscription to ${publisherId}${stream === 'screen' ? "'s screen" : ''}`,
        );
      }
      holder.media.get(participantId)?.subscriptions.delete(key);
      this.ctx.ice.forget({ roomId, participantId, publisherId, ...screenTag(stream) });
      sub.stopIce();
      this.media.release(sub.endpoint);
      holder.channels.get(participantId)?.send({ type: 'ok', ...(re !== undefined ? { re } : {}) });
    });
  }

  /**
   * A participant's ICE candidate for its publish endpoint (`publisherId` = itself) or a subscription.
   * Not on the room's queue: it is handed to the ICE candidate queue (applied in order per endpoint, each
   * call bounded, a failure logged and skipped, held briefly while the endpoint does not exist yet), so a
   * slow candidate never holds up the room nor fails the session. Refused only for a p2p room or a
   * participant or publisher not in the room.
   */
  addIceCandidate(
    roomId: string,
    participantId: string,
    publisherId: string,
    candidate: MediaIceCandidate,
    stream: StreamSource = 'camera',
  ): void {
    const holder = this.ctx.table.require(roomId);
    if (!usesMediaServer(holder)) {
      throw new CashError(CashErrorCode.WrongRoomMedia, 'a p2p call has no media server: use p2p-signal');
    }
    const pm = holder.media.get(participantId);
    if (!pm) throw new CashError(RoomErrorCode.NOT_IN_ROOM, 'You are not in the room');
    if (publisherId !== participantId && !findParticipant(holder.room, publisherId)) {
      throw new CashError(RoomErrorCode.TARGET_NOT_IN_ROOM, `${publisherId} is not in the room`);
    }
    const target: IceTarget = { roomId, participantId, publisherId, ...screenTag(stream) };
    this.ctx.ice.add(target, endpointOf(pm, target), candidate);
  }

  /**
   * Runs a publish or subscribe task; if it is refused, candidates sent for it meanwhile go to the
   * endpoint that is still there (or are dropped when there is none).
   */
  private async negotiating(holder: RoomHolder, target: IceTarget, task: () => Promise<void>): Promise<void> {
    try {
      await runInQueue(holder, task);
    } catch (error) {
      const endpoint = endpointOf(holder.media.get(target.participantId), target);
      if (endpoint) this.ctx.ice.ready(target, endpoint);
      else this.ctx.ice.forget(target);
      throw error;
    }
  }
}
