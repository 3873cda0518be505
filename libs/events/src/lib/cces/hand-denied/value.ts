import { defineCcesEvent } from '../cces-event-definition';
import { opaqueIdField } from '../cces-fields';
import { object } from '../validation';

export interface HandDeniedData {
  participantId: string;
  /** The owner who answered. */
  by: string;
}

export const HAND_DENIED = defineCcesEvent({
  type: 'hand.denied',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'The owner refused a raised hand.',
  data: object<HandDeniedData>({ participantId: opaqueIdField, by: opaqueIdField }),
});
