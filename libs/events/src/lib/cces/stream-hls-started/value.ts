import { defineCcesEvent } from '../cces-event-definition';
import { opaqueIdField } from '../cces-fields';
import { mediaObjectIdField, streamSourceField, type CcesStreamSource } from '../cces-media-fields';
import { object } from '../validation';

export interface StreamHlsStartedData {
  /** The publisher. */
  participantId: string;
  stream: CcesStreamSource;
  /** The packager's stream id (a new one each time the publisher starts). */
  streamId: string;
}

export const STREAM_HLS_STARTED = defineCcesEvent({
  type: 'stream.hls.started',
  schemaVersion: 1,
  scope: 'conference',
  summary: "A p2m publisher's stream goes out as LL-HLS through the CoreMX's packager.",
  data: object<StreamHlsStartedData>({
    participantId: opaqueIdField,
    stream: streamSourceField,
    streamId: mediaObjectIdField,
  }),
});
