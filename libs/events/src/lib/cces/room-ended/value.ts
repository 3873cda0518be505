import { defineCcesEvent } from '../cces-event-definition';
import { opaqueIdField } from '../cces-fields';
import { array, nullable, object, oneOf } from '../validation';

/** Same names as libs/domain's `RoomEndReason`. */
export const ROOM_END_REASONS = ['ended', 'system', 'empty-timeout', 'reservation-timeout'] as const;
export type CcesRoomEndReason = (typeof ROOM_END_REASONS)[number];

export interface RoomEndedData {
  /**
   * Who ended it (reason `ended`): the participant id when ended inside the room, the conference owner's
   * identity when ended through the registry (CASH `DELETE …?by=`); null when the platform did.
   */
  by: string | null;
  reason: CcesRoomEndReason;
  /** Who was still in the room (no `participant.left` follows for them). */
  participantIds: string[];
}

export const ROOM_ENDED = defineCcesEvent({
  type: 'room.ended',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'The room ended; everyone in it is out (the last event of the conference on this CoreMX).',
  data: object<RoomEndedData>({
    by: nullable(opaqueIdField),
    reason: oneOf(ROOM_END_REASONS),
    participantIds: array(opaqueIdField, { max: 10_000, unique: true }),
  }),
});
