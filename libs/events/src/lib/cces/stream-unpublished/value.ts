import { defineCcesEvent } from '../cces-event-definition';
import { mediaKindsField, opaqueIdField, type CcesMediaKind } from '../cces-fields';
import { object } from '../validation';

export interface StreamUnpublishedData {
  participantId: string;
  kinds: CcesMediaKind[];
}

export const STREAM_UNPUBLISHED = defineCcesEvent({
  type: 'stream.unpublished',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'Media left the room (also before `participant.left` / `participant.kicked` for their streams).',
  data: object<StreamUnpublishedData>({ participantId: opaqueIdField, kinds: mediaKindsField }),
});
