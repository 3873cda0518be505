import type { RoomFailure } from './room-error-codes';
import type { RoomEvent, RoomEventDraft } from './room-events';
import { oldestPublisher, type Room } from './room-state';

/** What every room transition answers: the new room and its events, or a refusal (room unchanged). */
export type RoomResult = { ok: true; room: Room; events: RoomEvent[] } | RoomFailure;

/**
 * Finishes a transition (internal to the domain): re-derives the owner (the oldest publisher) and emits
 * `room.owner-changed` when it moved, advances the version by one and stamps the events.
 */
export function commitRoom(
  before: Room,
  after: Omit<Room, 'version' | 'ownerId'>,
  drafts: RoomEventDraft[],
  at: number,
): RoomResult {
  const ownerId = after.status === 'ended' ? null : (oldestPublisher(after)?.participantId ?? null);
  const all: RoomEventDraft[] = [...drafts];
  if (ownerId !== before.ownerId && after.status !== 'ended') {
    all.push({ type: 'room.owner-changed', from: before.ownerId, to: ownerId });
  }
  const version = before.version + 1;
  const room: Room = { ...after, ownerId, version };
  const events = all.map((draft) => ({ ...draft, roomId: room.id, at, version }) as RoomEvent);
  return { ok: true, room, events };
}
