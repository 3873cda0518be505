import { defineCcesEvent } from '../cces-event-definition';
import { addressField, opaqueIdField, roomTypeField, type CcesRoomType } from '../cces-fields';
import { array, boolean, integer, nullable, object } from '../validation';

/** Most identities in `allowed` (the same limit as CASH's reserve body). */
export const ROOM_RESERVED_MAX_ALLOWED = 10_000;

/**
 * v2: everything another registry needs to check entitlement from its conference directory (who created
 * it, whether it is public, who is allowed, the participant limit).
 */
export interface RoomReservedData {
  roomType: CcesRoomType;
  /** Identity (account) that created the conference; null when the first join created the room. */
  creator: string | null;
  /** The conference's `hoot.mx://<conferenceId>@<mixer>` address. */
  address: string;
  /** Open to any authenticated identity (`allowed` is then not enforced). */
  public: boolean;
  /** Identities allowed to join besides the creator (unique); null: no list. */
  allowed: string[] | null;
  /** The account's limit on participants at once; null: only the room type's limits. */
  maxParticipants: number | null;
}

export const ROOM_RESERVED = defineCcesEvent({
  type: 'room.reserved',
  schemaVersion: 2,
  scope: 'conference',
  summary: 'The room exists on this CoreMX (reserved at create, or about to start with its first join).',
  data: object<RoomReservedData>({
    roomType: roomTypeField,
    creator: nullable(opaqueIdField),
    address: addressField,
    public: boolean,
    allowed: nullable(array(opaqueIdField, { max: ROOM_RESERVED_MAX_ALLOWED, unique: true })),
    maxParticipants: nullable(integer(1, 1_000_000)),
  }),
});
