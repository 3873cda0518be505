import { defineCcesEvent } from '../cces-event-definition';
import { opaqueIdField } from '../cces-fields';
import { object } from '../validation';

export interface HandApprovedData {
  participantId: string;
  /** The owner who answered. */
  by: string;
}

export const HAND_APPROVED = defineCcesEvent({
  type: 'hand.approved',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'The owner accepted a raised hand (a `participant.role-changed` follows).',
  data: object<HandApprovedData>({ participantId: opaqueIdField, by: opaqueIdField }),
});
