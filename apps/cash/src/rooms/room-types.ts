/**
 * The room manager's vocabulary, shared by every unit of `rooms/`: what its callers pass in and get back
 * (options, join and reserve inputs, room info and access, the participant channel, close codes) and the
 * state one room is kept in on this CoreMX (`RoomHolder`: the room, its observers' view, its media objects,
 * its channels and the tail of its command queue). Types and constants only; `room-manager.ts` re-exports
 * the public ones so its callers import from one place.
 */
import type {
  Clock,
  Room,
  RoomRole,
  RoomTimeouts,
  RoomType,
  RoomView,
  StreamSource,
  TimerHandle,
} from '@hoot/domain';
import type { CcesPublisher, ConferenceMoveReason, HlsStopReason } from '@hoot/events';
import type {
  MediaEndpointRef,
  MediaPipelineRef,
  MediaPort,
  MediaRtpEndpointRef,
  Unsubscribe,
} from '@hoot/media';
import type { PackagerPort } from '../packager/packager.port';
import type { ViewerAccess } from '../packager/viewer-access';
import type { ServerMessage } from '../signaling/signaling-protocol';
import type { ChatEventsMode } from './cces-event.mapper';
import type { IceCandidateQueueOptions } from './ice-candidate-queue';

/** Where the room manager sends a participant's messages (its signaling connection). */
export interface ParticipantChannel {
  send(message: ServerMessage): void;
  /** Closes the connection (after a kick or the end of the room); the channel is forgotten first. */
  close(code: number, reason: string): void;
}

/** The logger calls the manager makes (Nest's `Logger` fits; tests pass a silent one). */
export interface ManagerLogger {
  warn(context: object, message: string): void;
}

export interface RoomManagerOptions {
  media: MediaPort;
  events: CcesPublisher;
  clock: Clock;
  /** This CoreMX (`toCoremxId` of `conference.moved`). */
  coremxId: string;
  /** Used in `room.reserved`'s `hoot.mx://<conference>@<mixerAddress>`. */
  mixerAddress: string;
  timeouts?: RoomTimeouts;
  sweepIntervalMs?: number;
  /** How long an ended room's id refuses joins (a late ticket must not start it again). */
  endedRetentionMs?: number;
  newParticipantId?: () => string;
  logger?: ManagerLogger;
  /** How long an identity whose session dropped keeps its place (role, seniority); domain default 30 s. */
  reconnectGraceMs?: number;
  /**
   * How long after a move (`movedFrom.participants`) its people may still be in the old room: a CoreMX
   * that drains keeps its rooms until its drain deadline while the registry already re-homed them (pod
   * deletion), so their grace counts from then. Every CoreMX gets the same `DRAIN_DEADLINE_MS`; default 0.
   */
  movedLeaveWithinMs?: number;
  /** Bounds of trickled ICE candidates (timeout per call, cap per endpoint, hold before the endpoint exists). */
  ice?: Pick<IceCandidateQueueOptions, 'timeoutMs' | 'maxPerEndpoint' | 'holdMs'>;
  /** What a chat message publishes (`CHAT_EVENTS`): `chat.message` with text (default), without, or none. */
  chatEvents?: ChatEventsMode;
  /** The CoreMX's packager (issue 18): p2m streams go out as LL-HLS, rooms can be recorded. Absent: neither. */
  packager?: RoomPackagerOptions;
}

export interface RoomPackagerOptions {
  client: PackagerPort;
  /** Signs viewer tokens and builds playlist URLs (its TTL: tokens are renewed every half of it). */
  access: ViewerAccess;
  /** While recording, the recorded streams are checked this often (a full volume ends the recording). */
  recordingPollMs: number;
}

export const ROOM_MANAGER_DEFAULTS = {
  /** Expiry is checked this often; rooms live minutes, so seconds of lateness do not matter. */
  sweepIntervalMs: 5_000,
  /** Join tickets are short-lived (minutes): keep an ended room's id this long against a replay. */
  endedRetentionMs: 10 * 60_000,
} as const;

/** WebSocket close codes CASH uses (4000–4999 are the application's). */
export const CLOSE_CODES = { roomEnded: 4000, kicked: 4003, replaced: 4009, left: 1000 } as const;

export interface JoinInput {
  roomId: string;
  identity: string;
  ticketId: string;
  displayName?: string;
  role?: RoomRole;
  /** The room type used when this join creates the room (no reservation). */
  roomType?: RoomType;
  /** Refuse with `ROOM_NOT_FOUND` instead of creating the room (joins with an access token). */
  mustExist?: boolean;
}

export interface ReserveInput {
  id: string;
  type: RoomType;
  owner?: string;
  allowed?: string[];
  maxParticipants?: number;
  /** Open to any authenticated identity; default false. */
  public?: boolean;
  /** The conference is re-homed from another CoreMX: `conference.moved` follows `room.reserved`. */
  movedFrom?: {
    coremxId: string;
    reason: ConferenceMoveReason;
    /** Who was in the conference there, in join order: they resume their roles when they come back. */
    participants?: { identity: string; role: RoomRole }[];
  };
  /**
   * Who was in the conference's room when the platform closed it (a drain, an operator), oldest publisher
   * first: each resumes its role and seniority if it joins within the reconnect grace. For a reopen on any
   * CoreMX, this one included (a move names its people in `movedFrom.participants`, never both).
   */
  returning?: { identity: string; role: RoomRole }[];
}

/** Who may join a room with an access token (see `RoomManager.access`). */
export interface RoomAccess {
  creator: string | null;
  public: boolean;
  allowed: readonly string[] | null;
}

export interface RoomInfo {
  id: string;
  type: RoomType;
  status: Room['status'];
  version: number;
  createdAt: string;
  creator: string | null;
  ownerId: string | null;
  participants: number;
  publishers: number;
  viewers: number;
  /** Participants with a negotiated stream on the media server. */
  mediaStreams: number;
  hasPipeline: boolean;
}

export interface Subscription {
  endpoint: MediaEndpointRef;
  stopIce: Unsubscribe;
}

export interface ParticipantMedia {
  /** The camera stream's endpoint. */
  publish?: Subscription;
  /** The shared screen's endpoint (a second stream: one endpoint carries one audio and one video). */
  screen?: Subscription;
  /** By `streamKey` (the publisher id for its camera). */
  subscriptions: Map<string, Subscription>;
}

export interface RoomHolder {
  room: Room;
  view: RoomView;
  pipeline?: MediaPipelineRef;
  /**
   * The pipeline being made ahead of the first publish or subscribe (`prewarmPipeline`); it settles with
   * the pipeline once it is the room's, or undefined (failed, or no longer wanted: then it was released).
   */
  pipelinePending?: Promise<MediaPipelineRef | undefined>;
  media: Map<string, ParticipantMedia>;
  channels: Map<string, ParticipantChannel>;
  tail: Promise<unknown>;
  /** Streams sent to the packager (live HLS in p2m rooms, or recorded), by `streamKey`. */
  feeds?: Map<string, PackagerFeed>;
  /** The recording under way. */
  recording?: RoomRecording;
}

/** One publisher stream sent over RTP to the packager: an RtpEndpoint fed by its publish endpoint. */
export interface PackagerFeed {
  publisherId: string;
  stream: StreamSource;
  streamId: string;
  playlistPath: string;
  /** Viewers play it (p2m); false: a recording-only copy. */
  live: boolean;
  rtp: MediaRtpEndpointRef;
  /** The recording this stream's packager copy is part of. */
  recordingId?: string;
  /** The next token renewal (live feeds). */
  renewal?: TimerHandle;
}

/** How the room's media drops a stream's packager feed with its stream (`HlsFeeds`). */
export interface PackagerFeedDrops {
  drop(
    holder: RoomHolder,
    publisherId: string,
    stream: StreamSource,
    reason: HlsStopReason,
    release: boolean,
  ): Promise<void>;
  dropAll(holder: RoomHolder, reason: HlsStopReason, release: boolean): Promise<void>[];
}

export interface RoomRecording {
  recordingId: string;
  startedAt: number;
  /** The identity that started it. */
  startedBy: string;
  /** Streams recorded so far. */
  streams: number;
  poll?: TimerHandle;
}

export const silentLogger: ManagerLogger = { warn: () => undefined };

/** What a room command waited for: the event journal (its events durable) or one media server call. */
export type RoomWait = 'journal' | 'media';

/** Where the wait observer is kept (set once by `RoomManager.observeWaits`, read by every media and journal wait). */
export interface WaitObserver {
  observe?: (wait: RoomWait, ms: number) => void;
}
