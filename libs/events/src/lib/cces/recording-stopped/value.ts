import { defineCcesEvent } from '../cces-event-definition';
import { mediaObjectIdField } from '../cces-media-fields';
import { integer, object, oneOf } from '../validation';

/** As the signaling protocol names them (`RecordingStopReason` of @hoot/contracts). */
export const CCES_RECORDING_STOP_REASONS = ['stopped', 'storage-full', 'room-ended', 'failed'] as const;
export type CcesRecordingStopReason = (typeof CCES_RECORDING_STOP_REASONS)[number];

export interface RecordingStoppedData {
  recordingId: string;
  reason: CcesRecordingStopReason;
  /** Streams it kept, over its whole length. */
  streams: number;
}

export const RECORDING_STOPPED = defineCcesEvent({
  type: 'recording.stopped',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'Recording of the room stopped (by its creator, a full volume, or the end of the room).',
  data: object<RecordingStoppedData>({
    recordingId: mediaObjectIdField,
    reason: oneOf(CCES_RECORDING_STOP_REASONS),
    streams: integer(0, 10_000),
  }),
});
