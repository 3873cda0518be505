import type { Logger } from 'pino';
import type { LiveStream } from '../stream/live-stream';
import type { RecordedStreamMeta, RecordingStore } from './recording-store';
import { RecordingExistsError, StreamRecorder } from './stream-recorder';

export type RecordingRefusal = 'unavailable' | 'exists' | 'storage-full' | 'ended';

/** A recording command the packager cannot carry out, and why. */
export class RecordingRefused extends Error {
  constructor(
    readonly reason: RecordingRefusal,
    message: string,
  ) {
    super(message);
  }
}

/** Starts and stops the recordings of live streams; lists what the folder holds. */
export class Recordings {
  constructor(
    /** Undefined: no PACKAGER_RECORDING_DIR, recording is off. */
    readonly store: RecordingStore | undefined,
    private readonly targetDurationS: number,
    private readonly logger: Logger,
  ) {}

  async start(stream: LiveStream, recordingId: string): Promise<StreamRecorder> {
    const store = this.store;
    if (!store)
      throw new RecordingRefused(
        'unavailable',
        'recording is off on this packager (no PACKAGER_RECORDING_DIR)',
      );
    if (stream.state === 'ended') throw new RecordingRefused('ended', 'the stream has ended');
    if (stream.recorder?.state === 'recording')
      throw new RecordingRefused('exists', `the stream is being recorded (${stream.recorder.recordingId})`);
    if (store.full) throw new RecordingRefused('storage-full', 'the recording folder is full');
    const recorder = new StreamRecorder(
      store,
      stream.identity,
      recordingId,
      stream.segmenter,
      this.targetDurationS,
      this.logger,
    );
    try {
      await recorder.start();
    } catch (error) {
      if (error instanceof RecordingExistsError) throw new RecordingRefused('exists', error.message);
      throw error;
    }
    stream.recorder = recorder;
    return recorder;
  }

  /** Completes the stream's recording; undefined when it never had one. */
  async stop(stream: LiveStream): Promise<RecordedStreamMeta | undefined> {
    const recorder = stream.recorder;
    if (!recorder) return undefined;
    await recorder.stop();
    return recorder.meta();
  }

  async list(conferenceId: string): Promise<RecordedStreamMeta[]> {
    return this.store ? this.store.list(conferenceId) : [];
  }
}
