import type { MediaKind, RoomRole, RoomType } from './room-types';

/** Why a room ended. */
export type RoomEndReason =
  /** A participant ended it (the owner, or either side of a call). */
  | 'ended'
  /** The platform ended it (an operator, the registry's conference end, a drain). */
  | 'system'
  /** It stayed empty for the empty timeout. */
  | 'empty-timeout'
  /** Nobody joined it within the reservation timeout. */
  | 'reservation-timeout';

/** The stable type names of room domain events. Never rename one, only add. */
export const ROOM_EVENT_TYPES = [
  'room.reserved',
  'room.started',
  'room.ended',
  'room.owner-changed',
  'participant.joined',
  'participant.left',
  'participant.kicked',
  'participant.role-changed',
  'hand.raised',
  'hand.lowered',
  'hand.approved',
  'hand.denied',
  'stream.published',
  'stream.unpublished',
  'child.added',
] as const;
export type RoomEventType = (typeof ROOM_EVENT_TYPES)[number];

/** Every event says which room, when (the command's `at`), and the room version it produced. */
interface EventBase<T extends RoomEventType> {
  type: T;
  roomId: string;
  at: number;
  version: number;
}

/** The room exists (reserved by `creator`, or about to be started by its first join). */
export interface RoomReservedEvent extends EventBase<'room.reserved'> {
  roomType: RoomType;
  creator: string | null;
  /** Open to anyone authenticated (see `Room.public`). */
  public: boolean;
  /** Identities allowed to join besides the creator (unique); null: not restricted by a list. */
  allowed: string[] | null;
  /** The account's participant limit; null: only the room type's limits. */
  maxParticipants: number | null;
}
/** The first participant joined. */
export type RoomStartedEvent = EventBase<'room.started'>;
/** The room ended; everyone in it is out (no `participant.left` follows). */
export interface RoomEndedEvent extends EventBase<'room.ended'> {
  /**
   * Who ended it (reason `ended`): the participant id when ended from inside the room, the conference
   * owner's identity when ended from outside it (`end` with `byIdentity`); null when the platform did.
   */
  by: string | null;
  reason: RoomEndReason;
  /** Who was still in the room. */
  participantIds: string[];
}
/** The owner (the oldest publisher) changed; `to` is null when no publisher is left. */
export interface RoomOwnerChangedEvent extends EventBase<'room.owner-changed'> {
  from: string | null;
  to: string | null;
}
export interface ParticipantJoinedEvent extends EventBase<'participant.joined'> {
  participantId: string;
  identity: string;
  displayName: string;
  role: RoomRole;
  joinOrder: number;
  /** p2p only, for the callee: the caller's participant id (the callee sends the WebRTC offer to it). */
  peerId?: string;
}
export interface ParticipantLeftEvent extends EventBase<'participant.left'> {
  participantId: string;
  identity: string;
  /** Participants still in the room; 0 means the room is now empty. */
  remaining: number;
  /** Set when a new session of the same identity took this one's place (participant id of the new one). */
  replacedBy?: string;
}
export interface ParticipantKickedEvent extends EventBase<'participant.kicked'> {
  participantId: string;
  identity: string;
  by: string;
  /** This ticket can no longer join the room. */
  ticketId: string;
}
export interface ParticipantRoleChangedEvent extends EventBase<'participant.role-changed'> {
  participantId: string;
  from: RoomRole;
  to: RoomRole;
}
/** A viewer asks to publish: the owner (if any) receives the request. */
export interface HandRaisedEvent extends EventBase<'hand.raised'> {
  participantId: string;
  /** Who should approve or deny: the current owner, null when the room has no publisher. */
  ownerId: string | null;
}
export interface HandLoweredEvent extends EventBase<'hand.lowered'> {
  participantId: string;
}
export interface HandApprovedEvent extends EventBase<'hand.approved'> {
  participantId: string;
  by: string;
}
export interface HandDeniedEvent extends EventBase<'hand.denied'> {
  participantId: string;
  by: string;
}
export interface StreamPublishedEvent extends EventBase<'stream.published'> {
  participantId: string;
  kinds: MediaKind[];
}
/** Also emitted for the streams of a participant who leaves or is kicked (before that event). */
export interface StreamUnpublishedEvent extends EventBase<'stream.unpublished'> {
  participantId: string;
  kinds: MediaKind[];
}
/** A chat message (a child of the room object, seed 003). */
export interface ChildAddedEvent extends EventBase<'child.added'> {
  childId: string;
  by: string;
  identity: string;
  /** The author's display name when it wrote. */
  displayName: string;
  text: string;
}

export type RoomEvent =
  | RoomReservedEvent
  | RoomStartedEvent
  | RoomEndedEvent
  | RoomOwnerChangedEvent
  | ParticipantJoinedEvent
  | ParticipantLeftEvent
  | ParticipantKickedEvent
  | ParticipantRoleChangedEvent
  | HandRaisedEvent
  | HandLoweredEvent
  | HandApprovedEvent
  | HandDeniedEvent
  | StreamPublishedEvent
  | StreamUnpublishedEvent
  | ChildAddedEvent;

/** Distributes over the union, so each event keeps its own fields. */
type WithoutBase<E> = E extends RoomEvent ? Omit<E, 'roomId' | 'at' | 'version'> : never;
/** An event before it is stamped with room, time and version. */
export type RoomEventDraft = WithoutBase<RoomEvent>;
