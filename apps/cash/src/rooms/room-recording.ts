/**
 * Recording a room (issue 18): started and stopped by the conference's creator (`record` on signaling, or
 * the registry on its behalf through the service API), in any room type but p2p. Every published stream is
 * recorded by the packager (p2m: its live stream; other rooms: a recording-only feed per stream), streams
 * published while recording are added, and the recording ends on `record stop`, with the room, or when the
 * packager reports a full volume (polled every `recordingPollMs`; the call goes on). `recording.started` /
 * `recording.stopped` on the topic, `recording-started` / `recording-stopped` to everyone in the room.
 * Recordings are read back from the packager's volume (`list`), with playback URLs signed for the caller.
 */
import { randomUUID } from 'node:crypto';
import type {
  RecordedStream,
  RecordingCommandAnswer,
  RecordingStatus,
  RecordingStopReason,
  RecordingSummary,
} from '@hoot/contracts';
import { findParticipant, RoomErrorCode } from '@hoot/domain';
import { CashError, CashErrorCode } from '../cash-error';
import type { PackagerRecordedStream } from '../packager/packager.port';
import type { HlsFeeds } from './hls-feeds';
import { runInQueue } from './room-queue';
import type { RoomContext } from './room-table';
import type { RoomHolder, RoomRecording } from './room-types';
import { streamKey } from './stream-refs';

/** What CASH remembers of a recording it started (the packager's volume does not keep who started it). */
interface RecordingFacts {
  conferenceId: string;
  startedAt: number;
  startedBy: string;
  stoppedAt?: number;
  stopReason?: RecordingStopReason;
}

const HISTORY_MAX = 1_000;

export class RoomRecordings {
  private readonly history = new Map<string, RecordingFacts>();

  constructor(
    private readonly ctx: RoomContext,
    private readonly feeds: HlsFeeds,
  ) {
    feeds.onStorageFull = (holder) => {
      void runInQueue(holder, () => this.stopIfCurrent(holder, holder.recording, 'storage-full'));
    };
  }

  /** Rooms being recorded (the `cash_recordings` gauge). */
  activeCount(): number {
    return this.ctx.table.holders().filter((h) => h.recording).length;
  }

  /** The recording under way in a room (`joined.recording`). */
  statusOf(holder: RoomHolder): RecordingStatus | undefined {
    const r = holder.recording;
    return r && { recordingId: r.recordingId, startedAt: iso(r.startedAt), startedBy: r.startedBy };
  }

  /** `record` from a participant: only the conference's creator may (else `NOT_CREATOR`). Answers `ok`. */
  async command(roomId: string, participantId: string, action: 'start' | 'stop', re?: string): Promise<void> {
    const holder = this.ctx.table.require(roomId);
    await runInQueue(holder, async () => {
      this.ctx.table.assertOpen(holder);
      const participant = findParticipant(holder.room, participantId);
      if (!participant) throw new CashError(RoomErrorCode.NOT_IN_ROOM, 'You are not in the room');
      if (participant.identity !== holder.room.creator) {
        throw new CashError(RoomErrorCode.NOT_CREATOR, "Only the conference's creator may record the room");
      }
      if (action === 'start') await this.start(holder, participant.identity);
      else await this.stop(holder, 'stopped');
      holder.channels.get(participantId)?.send({ type: 'ok', ...(re !== undefined ? { re } : {}) });
    });
  }

  /** The registry's command on behalf of the conference's owner (it checked the ownership). */
  async serviceCommand(
    roomId: string,
    action: 'start' | 'stop',
    by: string,
  ): Promise<RecordingCommandAnswer> {
    const holder = this.ctx.table.get(roomId);
    if (!holder) throw new CashError(CashErrorCode.RoomNotFound, `no live room ${roomId} on this CoreMX`);
    return runInQueue(holder, async () => {
      this.ctx.table.assertOpen(holder);
      const recordingId =
        action === 'start' ? await this.start(holder, by) : await this.stop(holder, 'stopped');
      return this.answerOf(roomId, recordingId);
    });
  }

  /** Starts recording every published stream (in the room's queue). Answers the recording id. */
  async start(holder: RoomHolder, by: string): Promise<string> {
    if (!this.feeds.packager) {
      throw new CashError(
        CashErrorCode.RecordingUnavailable,
        'this CoreMX has no packager: recording is not available',
      );
    }
    if (holder.room.type === 'p2p') {
      throw new CashError(
        CashErrorCode.RecordingUnavailable,
        'a p2p call goes peer to peer: it cannot be recorded',
      );
    }
    if (holder.recording) {
      throw new CashError(
        CashErrorCode.AlreadyRecording,
        `the room is being recorded (${holder.recording.recordingId})`,
      );
    }
    const recording: RoomRecording = {
      recordingId: `rec-${randomUUID()}`,
      startedAt: this.ctx.options.clock.now(),
      startedBy: by,
      streams: 0,
    };
    holder.recording = recording;
    try {
      for (const [publisherId, pm] of holder.media) {
        for (const stream of ['camera', 'screen'] as const) {
          if (!(stream === 'screen' ? pm.screen : pm.publish)) continue;
          const feed = holder.feeds?.get(streamKey(publisherId, stream));
          if (feed) await this.feeds.record(holder, feed);
          else await this.feeds.open(holder, publisherId, stream);
        }
      }
    } catch (error) {
      // Nothing is recorded after all: what was made for it goes.
      holder.recording = undefined;
      await this.release(holder, recording);
      throw error;
    }
    this.remember(recording.recordingId, {
      conferenceId: holder.room.id,
      startedAt: recording.startedAt,
      startedBy: by,
    });
    const roomId = holder.room.id;
    this.ctx.options.events
      .publish({
        type: 'recording.started',
        conferenceId: roomId,
        data: { recordingId: recording.recordingId, startedBy: by, streams: recording.streams },
      })
      .catch((error: unknown) =>
        this.ctx.logger.warn({ err: error, roomId }, 'recording.started not journaled'),
      );
    const status = this.statusOf(holder)!;
    for (const channel of holder.channels.values())
      channel.send({ type: 'recording-started', recording: status });
    this.schedulePoll(holder, recording);
    return recording.recordingId;
  }

  /** Stops the recording (in the room's queue): every recorded stream completes. Answers its id. */
  async stop(holder: RoomHolder, reason: RecordingStopReason): Promise<string> {
    const recording = holder.recording;
    if (!recording) throw new CashError(CashErrorCode.NotRecording, 'the room is not being recorded');
    holder.recording = undefined;
    await this.release(holder, recording);
    this.stopped(holder, recording, reason);
    return recording.recordingId;
  }

  /** The room ends (synchronous, from its release): the recording stops with it. */
  endWithRoom(holder: RoomHolder): void {
    const recording = holder.recording;
    if (!recording) return;
    holder.recording = undefined;
    void this.release(holder, recording);
    this.stopped(holder, recording, 'room-ended');
  }

  /** Every recording of a conference on the packager's volume, playback URLs signed for the caller. */
  async list(conferenceId: string): Promise<RecordingSummary[]> {
    const packager = this.feeds.packager;
    if (!packager) {
      throw new CashError(CashErrorCode.RecordingUnavailable, 'this CoreMX has no packager: no recordings');
    }
    const streams = await packager.client.listRecordings(conferenceId);
    const byId = new Map<string, PackagerRecordedStream[]>();
    for (const s of streams) {
      if (s.conferenceId !== conferenceId) continue;
      byId.set(s.recordingId, [...(byId.get(s.recordingId) ?? []), s]);
    }
    const summaries = [...byId.entries()].map(([recordingId, kept]) => {
      const facts = this.history.get(recordingId);
      const startedAt = facts ? iso(facts.startedAt) : kept.map((s) => s.startedAt).sort()[0];
      const complete = kept.every((s) => s.state === 'complete');
      const ends = kept
        .map((s) => s.endedAt)
        .filter((e): e is string => e !== undefined)
        .sort();
      const stoppedAt =
        facts?.stoppedAt !== undefined ? iso(facts.stoppedAt) : complete ? ends.at(-1) : undefined;
      const summary: RecordingSummary = {
        recordingId,
        startedAt,
        startedBy: facts?.startedBy ?? 'unknown',
        ...(stoppedAt !== undefined ? { stoppedAt } : {}),
        ...(facts?.stopReason !== undefined ? { stopReason: facts.stopReason } : {}),
        streams: kept.map((s) => this.recordedStreamOf(conferenceId, s)),
      };
      return summary;
    });
    return summaries.sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  }

  private recordedStreamOf(conferenceId: string, s: PackagerRecordedStream): RecordedStream {
    const screen = s.userId.endsWith('.screen');
    const signed = this.feeds.packager!.access.sign(conferenceId, s.streamId, s.playlistPath);
    return {
      streamId: s.streamId,
      participantId: screen ? s.userId.slice(0, -'.screen'.length) : s.userId,
      stream: screen ? 'screen' : 'camera',
      startedAt: s.startedAt,
      ...(s.endedAt !== undefined ? { endedAt: s.endedAt } : {}),
      durationS: s.durationS,
      bytes: s.bytes,
      state: s.state,
      ...(s.stopReason !== undefined ? { stopReason: s.stopReason } : {}),
      playbackUrl: signed.url,
      playbackExpiresAt: signed.expiresAt,
    };
  }

  private answerOf(conferenceId: string, recordingId: string): RecordingCommandAnswer {
    const facts = this.history.get(recordingId)!;
    return {
      conferenceId,
      recordingId,
      state: facts.stoppedAt !== undefined ? 'stopped' : 'recording',
      startedAt: iso(facts.startedAt),
      startedBy: facts.startedBy,
      ...(facts.stoppedAt !== undefined ? { stoppedAt: iso(facts.stoppedAt) } : {}),
      ...(facts.stopReason !== undefined ? { stopReason: facts.stopReason } : {}),
    };
  }

  /** Ends the packager side of a recording: live streams stop recording, recording-only feeds go. */
  private async release(holder: RoomHolder, recording: RoomRecording): Promise<void> {
    if (recording.poll !== undefined) this.ctx.options.clock.clearTimeout(recording.poll);
    const client = this.feeds.packager?.client;
    const waits: Promise<void>[] = [];
    for (const feed of [...(holder.feeds?.values() ?? [])]) {
      const recorded = feed.recordingId === recording.recordingId;
      // A recording-only feed that records nothing (any more) goes too.
      if (!recorded && (feed.live || feed.recordingId !== undefined)) continue;
      feed.recordingId = undefined;
      // The recording completes first (its VOD playlist ends at once); a recording-only stream then goes
      // (its DELETE waits for the packager's remuxer to stop: not awaited).
      const completed =
        recorded && client
          ? client.stopRecording(feed.streamId).catch((error: unknown) => {
              if ((error as { code?: string }).code === CashErrorCode.NotRecording) return;
              this.ctx.logger.warn(
                { err: error, streamId: feed.streamId },
                'recording of a stream not stopped',
              );
            })
          : Promise.resolve();
      waits.push(
        completed.then(() => {
          if (!feed.live) void this.feeds.drop(holder, feed.publisherId, feed.stream, 'failed', true);
        }),
      );
    }
    await Promise.all(waits);
  }

  private stopped(holder: RoomHolder, recording: RoomRecording, reason: RecordingStopReason): void {
    const at = this.ctx.options.clock.now();
    const facts = this.history.get(recording.recordingId);
    if (facts) Object.assign(facts, { stoppedAt: at, stopReason: reason });
    const roomId = holder.room.id;
    this.ctx.options.events
      .publish({
        type: 'recording.stopped',
        conferenceId: roomId,
        data: { recordingId: recording.recordingId, reason, streams: recording.streams },
      })
      .catch((error: unknown) =>
        this.ctx.logger.warn({ err: error, roomId }, 'recording.stopped not journaled'),
      );
    for (const channel of holder.channels.values()) {
      channel.send({ type: 'recording-stopped', recordingId: recording.recordingId, reason });
    }
  }

  private async stopIfCurrent(
    holder: RoomHolder,
    recording: RoomRecording | undefined,
    reason: RecordingStopReason,
  ): Promise<void> {
    if (!recording || holder.recording !== recording || !this.ctx.table.isCurrent(holder)) return;
    await this.stop(holder, reason);
  }

  /** Asks the packager about every recorded stream; a full volume (or a failure) ends the recording. */
  private schedulePoll(holder: RoomHolder, recording: RoomRecording): void {
    const packager = this.feeds.packager;
    if (!packager) return;
    const poll = this.ctx.options.clock.setTimeout(() => {
      void runInQueue(holder, async () => {
        if (holder.recording !== recording || !this.ctx.table.isCurrent(holder)) return;
        for (const feed of [...(holder.feeds?.values() ?? [])]) {
          if (feed.recordingId !== recording.recordingId) continue;
          const state = await packager.client.getStream(feed.streamId).catch(() => undefined);
          const stopReason = state?.recording?.state === 'complete' ? state.recording.stopReason : undefined;
          if (stopReason) return this.stopIfCurrent(holder, recording, stopReason);
        }
        this.schedulePoll(holder, recording);
      }).catch((error: unknown) =>
        this.ctx.logger.warn({ err: error, roomId: holder.room.id }, 'recording check failed'),
      );
    }, packager.recordingPollMs);
    (poll as { unref?: () => void }).unref?.();
    recording.poll = poll;
  }

  private remember(recordingId: string, facts: RecordingFacts): void {
    this.history.set(recordingId, facts);
    if (this.history.size > HISTORY_MAX) this.history.delete(this.history.keys().next().value!);
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
