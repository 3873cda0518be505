import { defineCcesEvent } from '../cces-event-definition';
import {
  displayTextField,
  opaqueIdField,
  participantRoleField,
  type CcesParticipantRole,
} from '../cces-fields';
import { integer, object, optional } from '../validation';

export interface ParticipantJoinedData {
  /** This participation (one identity may join twice, from two devices). */
  participantId: string;
  /** The account (token subject) behind it. */
  identity: string;
  displayName: string;
  role: CcesParticipantRole;
  /** 1 for the first participant of the room, then 2, 3 … (decides ownership: the oldest publisher). */
  joinOrder: number;
  /** p2p only, for the callee: the caller's participant id. */
  peerId?: string;
}

export const PARTICIPANT_JOINED = defineCcesEvent({
  type: 'participant.joined',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'A participant was admitted to the room.',
  data: object<ParticipantJoinedData>({
    participantId: opaqueIdField,
    identity: opaqueIdField,
    displayName: displayTextField(128),
    role: participantRoleField,
    joinOrder: integer(1),
    peerId: optional(opaqueIdField),
  }),
});
