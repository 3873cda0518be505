import { defineCcesEvent } from '../cces-event-definition';
import { opaqueIdField } from '../cces-fields';
import { nullable, object } from '../validation';

export interface HandRaisedData {
  /** The viewer asking to publish. */
  participantId: string;
  /** Who should approve or deny: the current owner, null when the room has no publisher. */
  ownerId: string | null;
}

export const HAND_RAISED = defineCcesEvent({
  type: 'hand.raised',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'A viewer asked the owner to become a publisher.',
  data: object<HandRaisedData>({ participantId: opaqueIdField, ownerId: nullable(opaqueIdField) }),
});
