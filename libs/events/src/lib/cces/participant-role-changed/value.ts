import { defineCcesEvent } from '../cces-event-definition';
import { opaqueIdField, participantRoleField, type CcesParticipantRole } from '../cces-fields';
import { object, ValidationIssue, type Validator } from '../validation';

export interface ParticipantRoleChangedData {
  participantId: string;
  from: CcesParticipantRole;
  to: CcesParticipantRole;
}

const shape = object<ParticipantRoleChangedData>({
  participantId: opaqueIdField,
  from: participantRoleField,
  to: participantRoleField,
});

const data: Validator<ParticipantRoleChangedData> = (value, path) => {
  const parsed = shape(value, path);
  if (parsed.from === parsed.to) throw new ValidationIssue(`${path}.to`, 'must differ from `from`');
  return parsed;
};

export const PARTICIPANT_ROLE_CHANGED = defineCcesEvent({
  type: 'participant.role-changed',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'A participant became a publisher or a viewer.',
  data,
});
