/** The four kinds of room of `seeds/001_*` (group chat, audio-only group chat, live broadcast, call). */
export const ROOM_TYPES = ['m2m', 'a2m', 'p2m', 'p2p'] as const;
export type RoomType = (typeof ROOM_TYPES)[number];

/** Publishers send media; viewers only receive (and may raise a hand to become a publisher). */
export type RoomRole = 'publisher' | 'viewer';
export const MEDIA_KINDS = ['audio', 'video'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/** How media flows: through the media server (SFU or one-to-many broadcast) or directly between peers. */
export type RoomMedia = 'sfu' | 'broadcast' | 'peer-to-peer';

export interface RoomTypeRules {
  readonly type: RoomType;
  readonly title: string;
  /** Most publishers at once. */
  readonly maxPublishers: number;
  /** Most participants at once (publishers and viewers); `null` is unlimited. */
  readonly maxParticipants: number | null;
  /** Whether anyone may join as a viewer. */
  readonly viewers: boolean;
  /** What publishers may send. */
  readonly kinds: readonly MediaKind[];
  readonly media: RoomMedia;
  /**
   * Whether any participant may end the room for good, or only the conference's creator. False for every
   * type: in a p2p call the callee hangs up by leaving; only the caller (the creator) ends the conference.
   */
  readonly anyParticipantMayEnd: boolean;
}

/** The rules per room type; everything in the room state machine reads them from here. */
export const ROOM_TYPE_RULES: Readonly<Record<RoomType, RoomTypeRules>> = {
  m2m: {
    type: 'm2m',
    title: 'Group chat room',
    maxPublishers: 9,
    maxParticipants: null,
    viewers: true,
    kinds: ['audio', 'video'],
    media: 'sfu',
    anyParticipantMayEnd: false,
  },
  a2m: {
    type: 'a2m',
    title: 'Audio-only group chat room',
    maxPublishers: 9,
    maxParticipants: null,
    viewers: true,
    kinds: ['audio'],
    media: 'sfu',
    anyParticipantMayEnd: false,
  },
  p2m: {
    type: 'p2m',
    title: 'Live broadcast room',
    maxPublishers: 1,
    maxParticipants: null,
    viewers: true,
    kinds: ['audio', 'video'],
    media: 'broadcast',
    anyParticipantMayEnd: false,
  },
  p2p: {
    type: 'p2p',
    title: 'Peer-to-peer call',
    maxPublishers: 2,
    maxParticipants: 2,
    viewers: false,
    kinds: ['audio', 'video'],
    media: 'peer-to-peer',
    anyParticipantMayEnd: false,
  },
};

export function isRoomType(value: unknown): value is RoomType {
  return typeof value === 'string' && (ROOM_TYPES as readonly string[]).includes(value);
}

export function isMediaKind(value: unknown): value is MediaKind {
  return typeof value === 'string' && (MEDIA_KINDS as readonly string[]).includes(value);
}
