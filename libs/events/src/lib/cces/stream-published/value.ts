import { defineCcesEvent } from '../cces-event-definition';
import { mediaKindsField, opaqueIdField, type CcesMediaKind } from '../cces-fields';
import { object } from '../validation';

export interface StreamPublishedData {
  participantId: string;
  /** What the stream carries: `audio`, `video` or both (the camera), or `screen` (a shared screen). */
  kinds: CcesMediaKind[];
}

export const STREAM_PUBLISHED = defineCcesEvent({
  type: 'stream.published',
  schemaVersion: 1,
  scope: 'conference',
  summary: "A publisher's media reached the room.",
  data: object<StreamPublishedData>({ participantId: opaqueIdField, kinds: mediaKindsField }),
});
