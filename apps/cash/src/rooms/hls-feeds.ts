/**
 * Publisher streams sent to the CoreMX's packager (issue 18). In a p2m room every published stream (camera
 * or screen) goes out as LL-HLS: a packager stream, an RtpEndpoint on the room's pipeline fed by the
 * publisher's endpoint, the RtpEndpoint's answer handed back to the packager (it asks the publisher for
 * keyframes), `stream.hls.started` on the topic and `hls-stream` (a playlist URL with a viewer token) to
 * everyone but the publisher; tokens are renewed every half of their TTL. While a room is recorded, every
 * published stream also has a feed (recording-only, `live: false`, outside p2m) whose packager copy records.
 *
 * A feed is made after its publish (the publish answer does not wait for it) but in the room's queue, so an
 * unpublish, a leave or the end of the room always finds it; it is dropped with its stream (unpublish,
 * leave, kick, room end, media server restart): `DELETE` at the packager (the playlist gets
 * `EXT-X-ENDLIST`, a recording of it completes), `stream.hls.stopped`, `hls-ended`.
 */
import type { HlsStreamAccess } from '@hoot/contracts';
import { findParticipant, streamSourceOf, type StreamSource } from '@hoot/domain';
import type { HlsStopReason } from '@hoot/events';
import type { MediaRtpEndpointRef } from '@hoot/media';
import { CashErrorCode } from '../cash-error';
import type { PackagerFailure } from '../packager/packager.port';
import type { RoomMedia } from './room-media';
import { runInQueue } from './room-queue';
import type { RoomContext } from './room-table';
import type { PackagerFeed, PackagerFeedDrops, RoomHolder, RoomPackagerOptions } from './room-types';
import { ownEndpoint, streamKey } from './stream-refs';

/** The packager's URL stage segment (`[a-z0-9][a-z0-9-]{0,63}`): the conference id (which always fits). */
export function stageOf(conferenceId: string): string {
  return conferenceId;
}

/** The packager's URL user segment: the publisher's participant id, `.screen` for its shared screen. */
export function userIdOf(publisherId: string, stream: StreamSource): string {
  return stream === 'screen' ? `${publisherId}.screen` : publisherId;
}

export class HlsFeeds implements PackagerFeedDrops {
  /** Told when a recorded stream could not be recorded because the volume is full. */
  onStorageFull?: (holder: RoomHolder) => void;

  constructor(
    private readonly ctx: RoomContext,
    private readonly media: RoomMedia,
  ) {}

  get packager(): RoomPackagerOptions | undefined {
    return this.ctx.options.packager;
  }

  /** Live HLS streams over all rooms (the `cash_hls_streams` gauge). */
  liveCount(): number {
    let n = 0;
    for (const holder of this.ctx.table.holders())
      for (const feed of holder.feeds?.values() ?? []) if (feed.live) n += 1;
    return n;
  }

  /**
   * A stream was published: its feed is made next in the room's queue (not awaited: the publish answer
   * is on its way already). Failures are logged; the WebRTC side goes on.
   */
  afterPublish(holder: RoomHolder, publisherId: string, stream: StreamSource): void {
    if (!this.packager || !(holder.room.type === 'p2m' || holder.recording)) return;
    void runInQueue(holder, () => this.open(holder, publisherId, stream)).catch((error: unknown) => {
      this.ctx.logger.warn({ err: error, roomId: holder.room.id, publisherId, stream }, 'no packager feed');
      if ((error as PackagerFailure).code === CashErrorCode.RecordingStorageFull)
        this.onStorageFull?.(holder);
    });
  }

  /**
   * Makes the stream's feed if it should have one (runs in the room's queue). With a recording under way
   * its packager copy records; a refusal to record is thrown (a live feed stays live).
   */
  async open(
    holder: RoomHolder,
    publisherId: string,
    stream: StreamSource,
  ): Promise<PackagerFeed | undefined> {
    const packager = this.packager;
    if (!packager || !this.ctx.table.isCurrent(holder)) return undefined;
    const own = ownEndpoint(holder.media.get(publisherId), stream);
    if (!own) return undefined; // unpublished (or left) meanwhile
    const key = streamKey(publisherId, stream);
    const existing = holder.feeds?.get(key);
    if (existing) return existing;
    const live = holder.room.type === 'p2m';
    if (!live && !holder.recording) return undefined;
    const roomId = holder.room.id;
    const created = await packager.client.startStream({
      conferenceId: roomId,
      stage: stageOf(roomId),
      userId: userIdOf(publisherId, stream),
      kinds: this.kindsOf(holder, publisherId, stream, own.endpoint.audioOnly),
      live,
    });
    let rtp: MediaRtpEndpointRef | undefined;
    try {
      const pipeline = await this.media.ensurePipeline(holder);
      rtp = await this.media.call(() => this.ctx.options.media.createRtpEndpoint(pipeline));
      const made = rtp;
      const answer = await this.media.call(() =>
        this.ctx.options.media.processRtpOffer(made, created.sdpOffer),
      );
      await this.media.call(() => this.ctx.options.media.connectRtp(own.endpoint, made));
      await packager.client.rtpAnswer(created.streamId, answer);
    } catch (error) {
      if (rtp) this.media.release(rtp);
      this.stopAtPackager(created.streamId, roomId);
      throw error;
    }
    const feed: PackagerFeed = {
      publisherId,
      stream,
      streamId: created.streamId,
      playlistPath: created.playlistPath,
      live,
      rtp,
    };
    holder.feeds ??= new Map();
    holder.feeds.set(key, feed);
    if (live) this.announce(holder, feed);
    if (holder.recording) {
      try {
        await this.record(holder, feed);
      } catch (error) {
        if (!live) this.drop(holder, publisherId, stream, 'failed', true);
        throw error;
      }
    }
    return feed;
  }

  /** The feed's packager copy joins the recording under way. */
  async record(holder: RoomHolder, feed: PackagerFeed): Promise<void> {
    const recording = holder.recording;
    if (!recording || !this.packager || feed.recordingId === recording.recordingId) return;
    await this.packager.client.startRecording(feed.streamId, recording.recordingId);
    feed.recordingId = recording.recordingId;
    recording.streams += 1;
  }

  /**
   * Drops one stream's feed (synchronous: its packager `DELETE` runs in the background). `release`: false
   * when the RtpEndpoint goes with the pipeline, or with the media server that restarted.
   */
  drop(
    holder: RoomHolder,
    publisherId: string,
    stream: StreamSource,
    reason: HlsStopReason,
    release: boolean,
  ): Promise<void> {
    const key = streamKey(publisherId, stream);
    const feed = holder.feeds?.get(key);
    if (!feed) return Promise.resolve();
    holder.feeds?.delete(key);
    if (feed.renewal !== undefined) this.ctx.options.clock.clearTimeout(feed.renewal);
    if (release) this.media.release(feed.rtp);
    const stopped = this.stopAtPackager(feed.streamId, holder.room.id);
    if (!feed.live) return stopped;
    const roomId = holder.room.id;
    this.ctx.options.events
      .publish({
        type: 'stream.hls.stopped',
        conferenceId: roomId,
        data: { participantId: publisherId, stream, streamId: feed.streamId, reason },
      })
      .catch((error: unknown) =>
        this.ctx.logger.warn({ err: error, roomId }, 'stream.hls.stopped not journaled'),
      );
    for (const [id, channel] of holder.channels) {
      if (id === publisherId) continue;
      channel.send({
        type: 'hls-ended',
        publisherId,
        ...(stream === 'screen' ? { stream: 'screen' as const } : {}),
        streamId: feed.streamId,
      });
    }
    return stopped;
  }

  /** Drops every feed of a room (room end, media server restart). */
  dropAll(holder: RoomHolder, reason: HlsStopReason, release: boolean): Promise<void>[] {
    return [...(holder.feeds?.values() ?? [])].map((feed) =>
      this.drop(holder, feed.publisherId, feed.stream, reason, release),
    );
  }

  /** The live streams a participant may play (every one but its own), with fresh tokens. */
  accessFor(holder: RoomHolder, participantId: string): HlsStreamAccess[] {
    const out: HlsStreamAccess[] = [];
    for (const feed of holder.feeds?.values() ?? []) {
      if (feed.live && feed.publisherId !== participantId) out.push(this.accessOf(holder, feed));
    }
    return out;
  }

  private accessOf(holder: RoomHolder, feed: PackagerFeed): HlsStreamAccess {
    const signed = this.packager!.access.sign(holder.room.id, feed.streamId, feed.playlistPath);
    return {
      publisherId: feed.publisherId,
      ...(feed.stream === 'screen' ? { stream: 'screen' as const } : {}),
      streamId: feed.streamId,
      playlistUrl: signed.url,
      expiresAt: signed.expiresAt,
    };
  }

  /** `stream.hls.started`, `hls-stream` to all but the publisher, and the first token renewal. */
  private announce(holder: RoomHolder, feed: PackagerFeed): void {
    const roomId = holder.room.id;
    this.ctx.options.events
      .publish({
        type: 'stream.hls.started',
        conferenceId: roomId,
        data: { participantId: feed.publisherId, stream: feed.stream, streamId: feed.streamId },
      })
      .catch((error: unknown) =>
        this.ctx.logger.warn({ err: error, roomId }, 'stream.hls.started not journaled'),
      );
    this.push(holder, feed);
  }

  /** Sends every viewer a fresh `hls-stream` for the feed and schedules the next one (TTL / 2). */
  private push(holder: RoomHolder, feed: PackagerFeed): void {
    for (const [id, channel] of holder.channels) {
      if (id !== feed.publisherId) channel.send({ type: 'hls-stream', access: this.accessOf(holder, feed) });
    }
    const { clock } = this.ctx.options;
    const renewal = clock.setTimeout(
      () => {
        if (holder.feeds?.get(streamKey(feed.publisherId, feed.stream)) === feed) this.push(holder, feed);
      },
      Math.max(1, (this.packager!.access.ttlS * 1000) / 2),
    );
    (renewal as { unref?: () => void }).unref?.();
    feed.renewal = renewal;
  }

  private kindsOf(
    holder: RoomHolder,
    publisherId: string,
    stream: StreamSource,
    audioOnly: boolean,
  ): ('audio' | 'video')[] {
    if (stream === 'screen') return ['video'];
    if (audioOnly || holder.room.type === 'a2m') return ['audio'];
    const published = (findParticipant(holder.room, publisherId)?.streams ?? []).filter(
      (k): k is 'audio' | 'video' => streamSourceOf(k) === 'camera' && k !== 'screen',
    );
    return published.length > 0 ? published : ['audio', 'video'];
  }

  private stopAtPackager(streamId: string, roomId: string): Promise<void> {
    return (
      this.packager?.client
        .stopStream(streamId)
        .catch((error: unknown) =>
          this.ctx.logger.warn({ err: error, roomId, streamId }, 'packager stream not stopped'),
        ) ?? Promise.resolve()
    );
  }
}
