import { defineCcesEvent } from '../cces-event-definition';
import { opaqueIdField } from '../cces-fields';
import { object } from '../validation';

export interface HandLoweredData {
  participantId: string;
}

export const HAND_LOWERED = defineCcesEvent({
  type: 'hand.lowered',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'A viewer withdrew a raised hand before the owner answered.',
  data: object<HandLoweredData>({ participantId: opaqueIdField }),
});
