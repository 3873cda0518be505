import type { CcesEventDefinition } from './cces-event-definition';
import { CHAT_MESSAGE } from './chat-message';
import { CONFERENCE_MOVED } from './conference-moved';
import { COREMX_STATE_CHANGED } from './coremx-state-changed';
import { HAND_APPROVED } from './hand-approved';
import { HAND_DENIED } from './hand-denied';
import { HAND_LOWERED } from './hand-lowered';
import { HAND_RAISED } from './hand-raised';
import { RECORDING_STARTED } from './recording-started';
import { RECORDING_STOPPED } from './recording-stopped';
import { PARTICIPANT_JOINED } from './participant-joined';
import { PARTICIPANT_KICKED } from './participant-kicked';
import { PARTICIPANT_LEFT } from './participant-left';
import { PARTICIPANT_ROLE_CHANGED } from './participant-role-changed';
import { ROOM_ENDED } from './room-ended';
import { ROOM_OWNER_CHANGED } from './room-owner-changed';
import { ROOM_REBUILT } from './room-rebuilt';
import { ROOM_RESERVED } from './room-reserved';
import { ROOM_STARTED } from './room-started';
import { STREAM_PUBLISHED } from './stream-published';
import { STREAM_HLS_STARTED } from './stream-hls-started';
import { STREAM_HLS_STOPPED } from './stream-hls-stopped';
import { STREAM_UNPUBLISHED } from './stream-unpublished';

/** Every CCES contract, by type name. */
export const CCES_CATALOG = {
  [ROOM_RESERVED.type]: ROOM_RESERVED,
  [ROOM_STARTED.type]: ROOM_STARTED,
  [ROOM_ENDED.type]: ROOM_ENDED,
  [PARTICIPANT_JOINED.type]: PARTICIPANT_JOINED,
  [PARTICIPANT_LEFT.type]: PARTICIPANT_LEFT,
  [PARTICIPANT_KICKED.type]: PARTICIPANT_KICKED,
  [PARTICIPANT_ROLE_CHANGED.type]: PARTICIPANT_ROLE_CHANGED,
  [ROOM_OWNER_CHANGED.type]: ROOM_OWNER_CHANGED,
  [HAND_RAISED.type]: HAND_RAISED,
  [HAND_LOWERED.type]: HAND_LOWERED,
  [HAND_APPROVED.type]: HAND_APPROVED,
  [HAND_DENIED.type]: HAND_DENIED,
  [STREAM_PUBLISHED.type]: STREAM_PUBLISHED,
  [STREAM_UNPUBLISHED.type]: STREAM_UNPUBLISHED,
  [CHAT_MESSAGE.type]: CHAT_MESSAGE,
  [ROOM_REBUILT.type]: ROOM_REBUILT,
  [COREMX_STATE_CHANGED.type]: COREMX_STATE_CHANGED,
  [CONFERENCE_MOVED.type]: CONFERENCE_MOVED,
  [STREAM_HLS_STARTED.type]: STREAM_HLS_STARTED,
  [STREAM_HLS_STOPPED.type]: STREAM_HLS_STOPPED,
  [RECORDING_STARTED.type]: RECORDING_STARTED,
  [RECORDING_STOPPED.type]: RECORDING_STOPPED,
} as const;

export type CcesEventType = keyof typeof CCES_CATALOG;
/** The `data` of an event type. */
export type CcesDataOf<T extends CcesEventType> = T extends CcesEventType
  ? (typeof CCES_CATALOG)[T] extends CcesEventDefinition<string, infer D>
    ? D
    : never
  : never;

export const CCES_EVENT_TYPES = Object.keys(CCES_CATALOG) as CcesEventType[];

export function isCcesEventType(value: unknown): value is CcesEventType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CCES_CATALOG, value);
}

export function ccesDefinition<T extends CcesEventType>(type: T): CcesEventDefinition<T, CcesDataOf<T>> {
  return CCES_CATALOG[type] as unknown as CcesEventDefinition<T, CcesDataOf<T>>;
}
