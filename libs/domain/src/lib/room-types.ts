/** The four kinds of room of `seeds/001_*` (group chat, audio-only group chat, live broadcast, call). */
export const ROOM_TYPES = ['m2m', 'a2m', 'p2m', 'p2p'] as const;
export type RoomType = (typeof ROOM_TYPES)[number];

/** Publishers send media; viewers only receive (and may raise a hand to become a publisher). */
export type RoomRole = 'publisher' | 'viewer';
/**
 * What a participant publishes. `audio` and `video` travel together on one connection (the camera and
 * microphone); `screen` is a shared screen, a second stream on a connection of its own (one media
 * server endpoint carries one audio and one video track), so it is always published and unpublished alone.
 */
export const MEDIA_KINDS = ['audio', 'video', 'screen'] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];
/** The kinds of the camera stream (its own connection). */
export const CAMERA_KINDS: readonly MediaKind[] = ['audio', 'video'];

/**
 * Which of a participant's streams a media message addresses: its camera and microphone, or its shared
 * screen. On the wire an absent `stream` is the camera.
 */
export const STREAM_SOURCES = ['camera', 'screen'] as const;
export type StreamSource = (typeof STREAM_SOURCES)[number];

/** The stream a kind travels on. */
export function streamSourceOf(kind: MediaKind): StreamSource {
  return kind === 'screen' ? 'screen' : 'camera';
}

export function isStreamSource(value: unknown): value is StreamSource {
  return typeof value === 'string' && (STREAM_SOURCES as readonly string[]).includes(value);
}

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
  /** What publishers may send on their camera stream. */
  readonly kinds: readonly MediaKind[];
  /**
   * Most shared screens in the room at once (each publisher shares at most one). One: the screen is shown
   * large to everyone, as one presenter at a time; a second sharer waits for the first to stop. Zero
   * where nobody may share: a2m is audio only, and a p2p call's media goes peer to peer, where a second
   * stream would need a renegotiation of the call's one connection (not built).
   */
  readonly maxScreens: number;
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
    maxScreens: 1,
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
    maxScreens: 0,
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
    maxScreens: 1,
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
    maxScreens: 0,
    anyParticipantMayEnd: false,
  },
};

export function isRoomType(value: unknown): value is RoomType {
  return typeof value === 'string' && (ROOM_TYPES as readonly string[]).includes(value);
}

export function isMediaKind(value: unknown): value is MediaKind {
  return typeof value === 'string' && (MEDIA_KINDS as readonly string[]).includes(value);
}
