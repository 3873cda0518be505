import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Segment, Segmenter } from '../hls/segmenter';
import type { LiveStreamIdentity } from '../stream/stream-identity';
import {
  endReasonOf,
  recordingPlaylistPath,
  type RecordedStreamMeta,
  type RecordingEndReason,
  type RecordingStore,
} from './recording-store';
import { RECORDING_FILES, renderVodPlaylist, type RecordedSegment } from './vod-playlist';

/** The folder of this recording and stream exists already. */
export class RecordingExistsError extends Error {
  override name = 'RecordingExistsError';
}

/** Room kept under the limit for the playlist and stream.json rewritten after a segment. */
const METADATA_HEADROOM_BYTES = 16 * 1024;

/**
 * Keeps the complete segments of one live stream on disk from the segment in progress (when it starts
 * with a keyframe: a player can start there; else the next one) until stopped: the init segment,
 * `seg-N.m4s` (N from 0), the VOD playlist and `stream.json`, each rewritten after every segment. Writes
 * are queued one after the other. A write that would pass the folder's limit, or fails (ENOSPC → storage
 * full, anything else → failed), completes the recording early; the live stream is not touched.
 */
export class StreamRecorder {
  state: 'recording' | 'complete' = 'recording';
  stopReason: RecordingEndReason | undefined;
  private readonly folder: string;
  private readonly segments: RecordedSegment[] = [];
  private firstMsn = 0;
  private initWritten = false;
  private bytes = 0;
  private metadataBytes = 0;
  private jsonBytes = 0;
  private durationS = 0;
  private readonly startedAt = new Date().toISOString();
  private endedAt: string | undefined;
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: () => void = () => undefined;

  constructor(
    private readonly store: RecordingStore,
    private readonly identity: LiveStreamIdentity,
    readonly recordingId: string,
    private readonly segmenter: Segmenter,
    private readonly targetDurationS: number,
    private readonly logger: Logger,
  ) {
    this.folder = store.folderOf(identity.conferenceId, recordingId, identity.streamId);
  }

  get playlistPath(): string {
    return recordingPlaylistPath(this.identity.conferenceId, this.recordingId, this.identity.streamId);
  }

  /** Creates the folder (RecordingExistsError if it exists) and follows the segmenter. */
  async start(): Promise<void> {
    const parent = join(this.folder, '..');
    await this.store.fs.mkdir(parent, { recursive: true });
    try {
      await this.store.fs.mkdir(this.folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new RecordingExistsError('this recording of this stream exists already');
      throw error;
    }
    const open = this.segmenter.open;
    this.firstMsn = open
      ? open.parts[0]?.independent
        ? open.msn
        : open.msn + 1
      : this.segmenter.nextPart.msn;
    await this.writeMetadata();
    this.unsubscribe = this.segmenter.subscribe((event) => {
      if (event === 'segment') {
        const segment = this.segmenter.segments.at(-1);
        if (segment?.bytes && segment.msn >= this.firstMsn) this.enqueue(() => this.writeSegment(segment));
      } else if (event === 'end') {
        this.enqueue(() => this.complete(undefined));
      }
    });
    this.logger.info(
      { streamId: this.identity.streamId, recordingId: this.recordingId, firstMsn: this.firstMsn },
      'recording started',
    );
  }

  /** Completes it after the writes queued so far (the segment in progress is not waited for). */
  async stop(): Promise<void> {
    this.enqueue(() => this.complete(undefined));
    await this.queue;
  }

  /** Resolves once every queued write is done (it completed, if the stream ended). */
  settled(): Promise<void> {
    return this.queue;
  }

  meta(): RecordedStreamMeta {
    const { conferenceId, streamId, stage, userId, kinds } = this.identity;
    return {
      recordingId: this.recordingId,
      conferenceId,
      streamId,
      stage,
      userId,
      kinds,
      startedAt: this.startedAt,
      ...(this.endedAt && { endedAt: this.endedAt }),
      durationS: Number(this.durationS.toFixed(3)),
      bytes: this.bytes + this.metadataBytes,
      state: this.state,
      ...(this.stopReason && { stopReason: this.stopReason }),
      playlistPath: this.playlistPath,
    };
  }

  private enqueue(operation: () => Promise<void>): void {
    this.queue = this.queue.then(async () => {
      if (this.state === 'complete') return;
      try {
        await operation();
      } catch (error) {
        const reason = endReasonOf(error);
        this.logger.error(
          { streamId: this.identity.streamId, recordingId: this.recordingId, err: error, reason },
          'recording write failed: completing it early (the live stream goes on)',
        );
        await this.complete(reason);
      }
    });
  }

  private async writeSegment(segment: Segment): Promise<void> {
    const init = this.initWritten ? undefined : this.segmenter.init;
    const bytes = (segment.bytes as Buffer).length + (init?.length ?? 0);
    if (!this.store.fits(bytes + METADATA_HEADROOM_BYTES)) {
      this.store.refuse(bytes + METADATA_HEADROOM_BYTES);
      this.logger.warn(
        { recordingId: this.recordingId, usedBytes: this.store.usedBytes, maxBytes: this.store.maxBytes },
        'recording folder full: completing the recording',
      );
      return this.complete('storage-full');
    }
    if (init) {
      await this.store.fs.writeFile(join(this.folder, RECORDING_FILES.init), init);
      this.initWritten = true;
      this.store.account(init.length);
      this.bytes += init.length;
    }
    const index = this.segments.length;
    await this.store.fs.writeFile(join(this.folder, RECORDING_FILES.segment(index)), segment.bytes as Buffer);
    this.store.account((segment.bytes as Buffer).length);
    this.bytes += (segment.bytes as Buffer).length;
    this.segments.push({ index, duration: segment.duration, programDateTime: segment.programDateTime });
    this.durationS += segment.duration;
    await this.writeMetadata();
  }

  /** The playlist (EVENT, or VOD once complete) and stream.json, with the bytes they take counted. */
  private async writeMetadata(): Promise<void> {
    const playlist = renderVodPlaylist(this.segments, {
      targetDurationS: this.targetDurationS,
      complete: this.state === 'complete',
    });
    const playlistSize = await this.store.writeAtomic(join(this.folder, RECORDING_FILES.playlist), playlist);
    this.setMetadataBytes(playlistSize + this.jsonBytes);
    // stream.json's `bytes` counts its previous size: a few bytes off at most.
    const jsonSize = await this.store.writeAtomic(
      join(this.folder, RECORDING_FILES.meta),
      JSON.stringify(this.meta(), null, 2),
    );
    this.jsonBytes = jsonSize;
    this.setMetadataBytes(playlistSize + jsonSize);
  }

  private setMetadataBytes(total: number): void {
    this.store.account(total - this.metadataBytes);
    this.metadataBytes = total;
  }

  private async complete(reason: RecordingEndReason | undefined): Promise<void> {
    if (this.state === 'complete') return;
    this.state = 'complete';
    this.stopReason = reason;
    this.endedAt = new Date().toISOString();
    this.unsubscribe();
    try {
      await this.writeMetadata();
    } catch (error) {
      this.logger.error(
        { recordingId: this.recordingId, streamId: this.identity.streamId, err: error },
        'could not write the final playlist of a recording',
      );
    }
    this.logger.info(
      {
        streamId: this.identity.streamId,
        recordingId: this.recordingId,
        segments: this.segments.length,
        durationS: this.durationS,
        stopReason: reason,
      },
      'recording complete',
    );
  }
}
