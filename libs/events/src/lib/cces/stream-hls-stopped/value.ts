import { defineCcesEvent } from '../cces-event-definition';
import { opaqueIdField } from '../cces-fields';
import { mediaObjectIdField, streamSourceField, type CcesStreamSource } from '../cces-media-fields';
import { object, oneOf } from '../validation';

/** Why a live HLS stream ended: its publisher stopped or left, the room ended, the media server restarted. */
export const HLS_STOP_REASONS = ['unpublished', 'left', 'room-ended', 'media-rebuilt', 'failed'] as const;
export type HlsStopReason = (typeof HLS_STOP_REASONS)[number];

export interface StreamHlsStoppedData {
  participantId: string;
  stream: CcesStreamSource;
  streamId: string;
  reason: HlsStopReason;
}

export const STREAM_HLS_STOPPED = defineCcesEvent({
  type: 'stream.hls.stopped',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'A live LL-HLS stream ended (its playlist has EXT-X-ENDLIST).',
  data: object<StreamHlsStoppedData>({
    participantId: opaqueIdField,
    stream: streamSourceField,
    streamId: mediaObjectIdField,
    reason: oneOf(HLS_STOP_REASONS),
  }),
});
