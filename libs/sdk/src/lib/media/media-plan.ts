import type { MediaKind, ParticipantView, RoomType, RoomView } from '@hoot/domain';

/**
 * Pure decisions of `MediaSession`: what a participant sends, whom it receives, and who offers in a call.
 * Kept apart from the WebRTC plumbing so they are tested without a browser.
 */

/** What a participant of this role sends in a room of this type: nothing for viewers, audio only in a2m. */
export function publishKinds(type: RoomType, role: ParticipantView['role'] | undefined): MediaKind[] {
  if (role !== 'publisher') return [];
  return type === 'a2m' ? ['audio'] : ['audio', 'video'];
}

/** What a subscriber asks for from a publisher of this room type. */
export function receiveKinds(type: RoomType): MediaKind[] {
  return type === 'a2m' ? ['audio'] : ['audio', 'video'];
}

/** Publishers (other than `me`) that have a stream on the media server: the ones to subscribe to. */
export function publishersWithStreams(view: RoomView, me: string): string[] {
  return Object.values(view.participants)
    .filter((p) => p.participantId !== me && p.role === 'publisher' && p.streams.length > 0)
    .sort((a, b) => a.joinOrder - b.joinOrder)
    .map((p) => p.participantId);
}

export interface P2pSides {
  callerId: string;
  calleeId: string;
  /** The callee sends the WebRTC offer to the caller (seed 001). */
  offererId: string;
  /** The other side, seen from `me`. */
  peerId: string;
}

/** The two sides of a p2p call once both are in (the first to join is the caller), seen from `me`. */
export function p2pSides(view: RoomView, me: string): P2pSides | undefined {
  if (view.type !== 'p2p') return undefined;
  const people = Object.values(view.participants).sort((a, b) => a.joinOrder - b.joinOrder);
  if (people.length !== 2 || !people.some((p) => p.participantId === me)) return undefined;
  const [caller, callee] = people;
  return {
    callerId: caller.participantId,
    calleeId: callee.participantId,
    offererId: callee.participantId,
    peerId: caller.participantId === me ? callee.participantId : caller.participantId,
  };
}
