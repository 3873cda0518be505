import { defineCcesEvent } from '../cces-event-definition';
import { integer, object, oneOf } from '../validation';

export const ROOM_REBUILD_REASONS = ['media-server-restarted', 'media-session-lost', 'manual'] as const;
export type RoomRebuildReason = (typeof ROOM_REBUILD_REASONS)[number];

export interface RoomRebuiltData {
  reason: RoomRebuildReason;
  /** Participants still in the room after the rebuild. */
  participants: number;
  /** Streams re-published on the new media pipeline. */
  streams: number;
}

export const ROOM_REBUILT = defineCcesEvent({
  type: 'room.rebuilt',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'CASH recreated the room on a new media-server session (clients renegotiate).',
  data: object<RoomRebuiltData>({
    reason: oneOf(ROOM_REBUILD_REASONS),
    participants: integer(0),
    streams: integer(0),
  }),
});
