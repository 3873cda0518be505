import { formatConferenceAddress, type RoomEvent } from '@hoot/domain';
import { chatTextLength, sanitizeChatText, type CcesAnyPublishInput } from '@hoot/events';

/**
 * What CASH publishes of a chat message (`CHAT_EVENTS`): `text` the whole `chat.message`, `metadata` the
 * author and length with `textOmitted: true` (for a deployment that must not keep chat text outside the
 * room), `off` nothing (chat stays inside the room object).
 */
export const CHAT_EVENT_MODES = ['text', 'metadata', 'off'] as const;
export type ChatEventsMode = (typeof CHAT_EVENT_MODES)[number];

/**
 * A room domain event as the CCES event CASH publishes (same type names and fields, see
 * libs/events), or undefined for events that are not published (`child.added` with `CHAT_EVENTS=off`).
 * A chat message becomes `chat.message`; control characters the contract refuses become U+FFFD.
 */
export function ccesInputOf(
  event: RoomEvent,
  mixerAddress: string,
  chatEvents: ChatEventsMode = 'text',
): CcesAnyPublishInput | undefined {
  const base = { conferenceId: event.roomId, occurredAt: new Date(event.at) };
  switch (event.type) {
    case 'room.reserved':
      return {
        ...base,
        type: event.type,
        data: {
          roomType: event.roomType,
          creator: event.creator,
          address: formatConferenceAddress({ conferenceId: event.roomId, mixerAddress }),
          public: event.public,
          allowed: event.allowed,
          maxParticipants: event.maxParticipants,
        },
      };
    case 'room.started':
      return { ...base, type: event.type, data: {} };
    case 'room.ended':
      return {
        ...base,
        type: event.type,
        data: { by: event.by, reason: event.reason, participantIds: event.participantIds },
      };
    case 'room.owner-changed':
      return { ...base, type: event.type, data: { from: event.from, to: event.to } };
    case 'participant.joined':
      return {
        ...base,
        type: event.type,
        data: {
          participantId: event.participantId,
          identity: event.identity,
          displayName: event.displayName,
          role: event.role,
          joinOrder: event.joinOrder,
          ...(event.peerId !== undefined ? { peerId: event.peerId } : {}),
        },
      };
    case 'participant.left':
      return {
        ...base,
        type: event.type,
        data: { participantId: event.participantId, identity: event.identity, remaining: event.remaining },
      };
    case 'participant.kicked':
      return {
        ...base,
        type: event.type,
        data: {
          participantId: event.participantId,
          identity: event.identity,
          by: event.by,
          ticketId: event.ticketId,
        },
      };
    case 'participant.role-changed':
      return {
        ...base,
        type: event.type,
        data: { participantId: event.participantId, from: event.from, to: event.to },
      };
    case 'hand.raised':
      return {
        ...base,
        type: event.type,
        data: { participantId: event.participantId, ownerId: event.ownerId },
      };
    case 'hand.lowered':
      return { ...base, type: event.type, data: { participantId: event.participantId } };
    case 'hand.approved':
    case 'hand.denied':
      return { ...base, type: event.type, data: { participantId: event.participantId, by: event.by } };
    case 'stream.published':
    case 'stream.unpublished':
      return { ...base, type: event.type, data: { participantId: event.participantId, kinds: event.kinds } };
    case 'child.added': {
      if (chatEvents === 'off') return undefined;
      const author = {
        messageId: event.childId,
        participantId: event.by,
        identity: event.identity,
        displayName: event.displayName,
        length: chatTextLength(event.text),
      };
      return {
        ...base,
        type: 'chat.message',
        data:
          chatEvents === 'text'
            ? { ...author, text: sanitizeChatText(event.text) }
            : { ...author, textOmitted: true },
      };
    }
  }
}
