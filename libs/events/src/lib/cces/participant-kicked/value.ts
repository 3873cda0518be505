import { defineCcesEvent } from '../cces-event-definition';
import { opaqueIdField } from '../cces-fields';
import { object } from '../validation';

export interface ParticipantKickedData {
  participantId: string;
  identity: string;
  /** The publisher who kicked. */
  by: string;
  /** The join ticket that can no longer join this room. */
  ticketId: string;
}

export const PARTICIPANT_KICKED = defineCcesEvent({
  type: 'participant.kicked',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'A publisher removed a participant from the room.',
  data: object<ParticipantKickedData>({
    participantId: opaqueIdField,
    identity: opaqueIdField,
    by: opaqueIdField,
    ticketId: opaqueIdField,
  }),
});
