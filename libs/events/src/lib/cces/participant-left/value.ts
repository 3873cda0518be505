import { defineCcesEvent } from '../cces-event-definition';
import { opaqueIdField } from '../cces-fields';
import { integer, object } from '../validation';

export interface ParticipantLeftData {
  participantId: string;
  identity: string;
  /** Participants still in the room; 0 means it is now empty. */
  remaining: number;
}

export const PARTICIPANT_LEFT = defineCcesEvent({
  type: 'participant.left',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'A participant left the room (by choice or lost connection).',
  data: object<ParticipantLeftData>({
    participantId: opaqueIdField,
    identity: opaqueIdField,
    remaining: integer(0),
  }),
});
