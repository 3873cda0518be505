import { defineCcesEvent } from '../cces-event-definition';
import { addressField, opaqueIdField, roomTypeField, type CcesRoomType } from '../cces-fields';
import { nullable, object } from '../validation';

export interface RoomReservedData {
  roomType: CcesRoomType;
  /** Identity (account) that created the conference; null when the first join created the room. */
  creator: string | null;
  /** The conference's `hoot.mx://<conferenceId>@<mixer>` address. */
  address: string;
}

export const ROOM_RESERVED = defineCcesEvent({
  type: 'room.reserved',
  schemaVersion: 1,
  scope: 'conference',
  summary: 'The room exists on this CoreMX (reserved at create, or about to start with its first join).',
  data: object<RoomReservedData>({
    roomType: roomTypeField,
    creator: nullable(opaqueIdField),
    address: addressField,
  }),
});
