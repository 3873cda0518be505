import { defineCcesEvent } from '../cces-event-definition';
import { opaqueIdField } from '../cces-fields';
import { nullable, object, ValidationIssue, type Validator } from '../validation';

export interface RoomOwnerChangedData {
  /** Null when the room had no owner (its first publisher arrived). */
  from: string | null;
  /** The oldest publisher now; null when no publisher is left. */
  to: string | null;
}

const shape = object<RoomOwnerChangedData>({ from: nullable(opaqueIdField), to: nullable(opaqueIdField) });

const data: Validator<RoomOwnerChangedData> = (value, path) => {
  const parsed = shape(value, path);
  if (parsed.from === parsed.to) throw new ValidationIssue(`${path}.to`, 'must differ from `from`');
  return parsed;
};

export const ROOM_OWNER_CHANGED = defineCcesEvent({
  type: 'room.owner-changed',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'Ownership moved to the oldest publisher (seeds/001), or the room has none.',
  data,
});
