import { defineCcesEvent } from '../cces-event-definition';
import { opaqueIdField } from '../cces-fields';
import { mediaObjectIdField } from '../cces-media-fields';
import { integer, object } from '../validation';

export interface RecordingStartedData {
  recordingId: string;
  /** The account (identity) that started it: the conference's creator. */
  startedBy: string;
  /** Streams published when it started (each is recorded; later ones are added). */
  streams: number;
}

export const RECORDING_STARTED = defineCcesEvent({
  type: 'recording.started',
  schemaVersion: 1,
  scope: 'conference',
  summary: "Recording of the room started: every published stream is kept on the CoreMX's volume.",
  data: object<RecordingStartedData>({
    recordingId: mediaObjectIdField,
    startedBy: opaqueIdField,
    streams: integer(0, 10_000),
  }),
});
