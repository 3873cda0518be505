import { defineCcesEvent } from '../cces-event-definition';
import { object } from '../validation';

/** Nothing beyond the envelope: the room is live from `occurredAt`. */
export type RoomStartedData = Record<string, never>;

export const ROOM_STARTED = defineCcesEvent({
  type: 'room.started',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'The first participant joined: the room is live.',
  data: object<RoomStartedData>({}),
});
