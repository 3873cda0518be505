/**
 * The media server side of the rooms: each room's pipeline (made ahead of the first publish, remade after
 * a media server restart, released with the room), each participant's endpoints (dropped with their
 * stream, their participant or their room), the server's candidate gathering, and every media call timed
 * for the wait metrics with its `MediaError` turned into a client-facing `CashError` (`mediaFailure`).
 * Called from inside a room's queue; it never decides a room rule.
 */
import { ROOM_TYPE_RULES, type StreamSource } from '@hoot/domain';
import type { HlsStopReason } from '@hoot/events';
import {
  MediaError,
  MediaErrorCode,
  type MediaEndpointRef,
  type MediaObjectRef,
  type MediaPipelineRef,
} from '@hoot/media';
import { CashError, CashErrorCode } from '../cash-error';
import { ownEndpoint, screenTag, streamKey } from './stream-refs';
import type { RoomContext } from './room-table';
import type { PackagerFeedDrops, ParticipantMedia, RoomHolder } from './room-types';

/** True for the room types whose media goes through the media server (not peer to peer). */
export function usesMediaServer(holder: RoomHolder): boolean {
  return ROOM_TYPE_RULES[holder.room.type].media !== 'peer-to-peer';
}

export class RoomMedia {
  /** The streams sent to the packager (set once by the manager): dropped with their stream. */
  feeds?: PackagerFeedDrops;
  /** Told first when a room's media goes with the room (its recording ends). */
  onRoomReleased?: (holder: RoomHolder) => void;

  constructor(private readonly ctx: RoomContext) {}

  /** The participant's media objects (kept from its join on; made on first use after a rebuild). */
  mediaOf(holder: RoomHolder, participantId: string): ParticipantMedia {
    let pm = holder.media.get(participantId);
    if (!pm) {
      pm = { subscriptions: new Map() };
      holder.media.set(participantId, pm);
    }
    return pm;
  }

  /** A media call; its `MediaError` becomes a CashError with a client-facing code. */
  async call<T>(call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } catch (error) {
      throw mediaFailure(error);
    } finally {
      this.ctx.waits.observe?.('media', performance.now() - started);
    }
  }

  async ensurePipeline(holder: RoomHolder): Promise<MediaPipelineRef> {
    if (!holder.pipeline && holder.pipelinePending) await holder.pipelinePending;
    holder.pipeline ??= await this.call(() => this.ctx.options.media.createPipeline(holder.room.id));
    return holder.pipeline;
  }

  /**
   * Starts making the pipeline of a room on the media server once someone is in it, so that the first
   * publish (or subscribe) does not wait for it: a round trip off the path of the SDP answer. Not
   * awaited: it runs beside the room's queue, and `ensurePipeline` waits for it. One that fails is
   * forgotten (the next publish makes one and reports the failure); one that comes after the room
   * ended, or after a media server restart replaced it, is released.
   */
  prewarmPipeline(holder: RoomHolder): void {
    if (!usesMediaServer(holder) || holder.pipeline || holder.pipelinePending) return;
    const pending: Promise<MediaPipelineRef | undefined> = this.ctx.options.media
      .createPipeline(holder.room.id)
      .then(
        (pipeline) => {
          const wanted = holder.pipelinePending === pending && this.ctx.table.isCurrent(holder);
          if (holder.pipelinePending === pending) holder.pipelinePending = undefined;
          if (!wanted || holder.pipeline) {
            this.release(pipeline);
            return undefined;
          }
          holder.pipeline = pipeline;
          return pipeline;
        },
        () => {
          // Not logged: the next publish or subscribe makes the pipeline and reports its failure.
          if (holder.pipelinePending === pending) holder.pipelinePending = undefined;
          return undefined;
        },
      );
    holder.pipelinePending = pending;
  }

  async gather(endpoint: MediaEndpointRef, participantId: string): Promise<void> {
    try {
      await this.ctx.options.media.gatherCandidates(endpoint);
    } catch (error) {
      this.ctx.logger.warn({ err: error, participantId }, 'gathering server candidates failed');
    }
  }

  /** Best effort: release is idempotent, and a failure only leaks until the pipeline goes. */
  release(ref: MediaObjectRef): void {
    this.ctx.options.media
      .release(ref)
      .catch((error: unknown) => this.ctx.logger.warn({ err: error, id: ref.id }, 'media release failed'));
  }

  /**
   * Drops one published stream's endpoint and every subscription to it (subscribers hear `stream-ended`).
   * `release`: false when the endpoints go with the room's pipeline (released right after).
   */
  dropPublishEndpoint(
    holder: RoomHolder,
    publisherId: string,
    stream: StreamSource,
    release = true,
    reason: HlsStopReason = 'unpublished',
  ): void {
    const roomId = holder.room.id;
    void this.feeds?.drop(holder, publisherId, stream, reason, release);
    const tag = screenTag(stream);
    const key = streamKey(publisherId, stream);
    this.ctx.ice.forget({ roomId, participantId: publisherId, publisherId, ...tag });
    const pm = holder.media.get(publisherId);
    const own = ownEndpoint(pm, stream);
    if (pm && own) {
      own.stopIce();
      if (release) this.release(own.endpoint);
      if (stream === 'screen') pm.screen = undefined;
      else pm.publish = undefined;
    }
    for (const [subscriberId, other] of holder.media) {
      const sub = other.subscriptions.get(key);
      if (!sub) continue;
      other.subscriptions.delete(key);
      this.ctx.ice.forget({ roomId, participantId: subscriberId, publisherId, ...tag });
      sub.stopIce();
      if (release) this.release(sub.endpoint);
      holder.channels.get(subscriberId)?.send({ type: 'stream-ended', publisherId, ...tag });
    }
  }

  /** Drops everything of a participant that leaves: its streams, its subscriptions, its channel. */
  dropParticipant(
    holder: RoomHolder,
    participantId: string,
    release = true,
    reason: HlsStopReason = 'left',
  ): void {
    this.dropPublishEndpoint(holder, participantId, 'camera', release, reason);
    this.dropPublishEndpoint(holder, participantId, 'screen', release, reason);
    this.ctx.ice.forgetAll(holder.room.id, participantId);
    const pm = holder.media.get(participantId);
    for (const sub of pm?.subscriptions.values() ?? []) {
      sub.stopIce();
      if (release) this.release(sub.endpoint);
    }
    holder.media.delete(participantId);
    holder.channels.delete(participantId);
  }

  /** The room ends: its recording stops and its packager streams end (before `room.ended` is journaled). */
  endPackagerFeeds(holder: RoomHolder): void {
    this.onRoomReleased?.(holder);
    this.feeds?.dropAll(holder, 'room-ended', true);
  }

  /** Drops the media of a room that ended (its channels already taken away). */
  releaseRoom(holder: RoomHolder): void {
    // The pipeline's release takes its endpoints with it (on the server and in the port): one call
    // instead of one per endpoint, each of which kurento-client makes every later call wait for.
    const endpointsGoWithPipeline = holder.pipeline !== undefined;
    this.onRoomReleased?.(holder);
    for (const id of [...holder.media.keys()]) {
      this.dropParticipant(holder, id, !endpointsGoWithPipeline, 'room-ended');
    }
    this.feeds?.dropAll(holder, 'room-ended', !endpointsGoWithPipeline);
    this.ctx.ice.forgetAll(holder.room.id);
    if (holder.pipeline) this.release(holder.pipeline);
    holder.pipeline = undefined;
  }

  /**
   * The media server came back as a new server (every media object is gone): the room gets a fresh
   * pipeline, its endpoints are forgotten, `room.rebuilt` is published and every participant is asked
   * to re-offer. Runs in the room's queue.
   */
  async rebuild(
    holder: RoomHolder,
    reason: 'media-server-restarted' | 'media-session-lost' | 'manual',
  ): Promise<void> {
    if (!this.ctx.table.isCurrent(holder)) return;
    this.ctx.ice.forgetAll(holder.room.id);
    // Their RtpEndpoints went with the old server; the packager's streams end (a recording goes on with
    // the streams re-published on the new pipeline).
    this.feeds?.dropAll(holder, 'media-rebuilt', false);
    for (const pm of holder.media.values()) {
      pm.publish?.stopIce();
      pm.publish = undefined;
      pm.screen?.stopIce();
      pm.screen = undefined;
      for (const sub of pm.subscriptions.values()) sub.stopIce();
      pm.subscriptions.clear();
    }
    const hadPipeline = holder.pipeline !== undefined || holder.pipelinePending !== undefined;
    holder.pipeline = undefined;
    // A pipeline still being made belongs to the old server: it releases itself when it comes.
    holder.pipelinePending = undefined;
    if (hadPipeline) {
      await this.ensurePipeline(holder).catch((error: unknown) =>
        this.ctx.logger.warn(
          { err: error, roomId: holder.room.id },
          'no new pipeline yet; made on next publish',
        ),
      );
    }
    const streams = holder.room.participants.filter((p) => p.streams.length > 0).length;
    await this.ctx.options.events
      .publish({
        type: 'room.rebuilt',
        conferenceId: holder.room.id,
        data: { reason, participants: holder.room.participants.length, streams },
      })
      .catch((error: unknown) =>
        this.ctx.logger.warn({ err: error, roomId: holder.room.id }, 'room.rebuilt not journaled'),
      );
    for (const channel of holder.channels.values()) {
      channel.send({ type: 'reoffer', reason: 'media-server-restarted' });
    }
  }
}

/** Media failures as clients see them. */
export function mediaFailure(error: unknown): CashError {
  if (error instanceof CashError) return error;
  if (error instanceof MediaError) {
    switch (error.code) {
      case MediaErrorCode.SdpRejected:
        return new CashError(CashErrorCode.SdpRejected, `the media server refused the SDP: ${error.message}`);
      case MediaErrorCode.InvalidArgument:
        return new CashError(CashErrorCode.InvalidMessage, error.message);
      case MediaErrorCode.ObjectGone:
        return new CashError(
          CashErrorCode.MediaUnavailable,
          'the media server restarted; re-offer shortly',
          2,
        );
      default:
        return new CashError(CashErrorCode.MediaUnavailable, `media server: ${error.message}`, 5);
    }
  }
  return new CashError(CashErrorCode.MediaUnavailable, 'media server call failed', 5);
}
