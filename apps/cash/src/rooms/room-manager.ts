import { randomUUID } from 'node:crypto';
import {
  ROOM_TIMEOUT_DEFAULTS,
  ROOM_TYPE_RULES,
  RoomErrorCode,
  applyRoomCommand,
  createRoom,
  expiryReason,
  findParticipant,
  formatConferenceAddress,
  p2pPeers,
  roomPatch,
  roomSnapshot,
  streamSourceOf,
  type Clock,
  type MediaKind,
  type Room,
  type RoomCommand,
  type RoomEvent,
  type RoomRole,
  type RoomTimeouts,
  type RoomType,
  type RoomView,
  type StreamSource,
  type TimerHandle,
} from '@hoot/domain';
import {
  CCES_MAX_VALUE_BYTES,
  ccesValueBytesAtMost,
  validateCcesPublishInput,
  type CcesAnyPublishInput,
  type CcesPublisher,
  type ConferenceMoveReason,
} from '@hoot/events';
import {
  MediaError,
  MediaErrorCode,
  type MediaEndpointRef,
  type MediaIceCandidate,
  type MediaPipelineRef,
  type MediaPort,
  type Unsubscribe,
} from '@hoot/media';
import { CashError, CashErrorCode } from '../cash-error';
import type { ServerMessage } from '../signaling/signaling-protocol';
import { ccesInputOf, type ChatEventsMode } from './cces-event.mapper';
import { IceCandidateQueue, type IceCandidateQueueOptions, type IceTarget } from './ice-candidate-queue';

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

interface Subscription {
  endpoint: MediaEndpointRef;
  stopIce: Unsubscribe;
}

interface ParticipantMedia {
  /** The camera stream's endpoint. */
  publish?: Subscription;
  /** The shared screen's endpoint (a second stream: one endpoint carries one audio and one video). */
  screen?: Subscription;
  /** By `streamKey` (the publisher id for its camera). */
  subscriptions: Map<string, Subscription>;
}

/** Where a subscription to a publisher's stream is kept (participant ids never hold a NUL). */
function streamKey(publisherId: string, stream: StreamSource | undefined): string {
  return stream === 'screen' ? `${publisherId}\u0000screen` : publisherId;
}

/** `stream: "screen"` on messages and ICE targets about a screen; nothing for the camera. */
function screenTag(stream: StreamSource | undefined): { stream?: 'screen' } {
  return stream === 'screen' ? { stream: 'screen' } : {};
}

function ownEndpoint(
  pm: ParticipantMedia | undefined,
  stream: StreamSource | undefined,
): Subscription | undefined {
  return stream === 'screen' ? pm?.screen : pm?.publish;
}

interface RoomHolder {
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
}

const silentLogger: ManagerLogger = { warn: () => undefined };

/** What a room command waited for: the event journal (its events durable) or one media server call. */
export type RoomWait = 'journal' | 'media';

/**
 * One room per conference on this CoreMX, on top of the pure room rules of `@hoot/domain`.
 *
 * Every command of a room runs in that room's queue, one at a time, so the rules (publisher cap, p2p's two
 * sides) decide atomically, and media calls of one room never interleave. A command is first checked by
 * the rules, then its media work is done, then its events are journaled (CCES), and only then is the new
 * room state committed and sent to observers as a versioned patch. A refusal at any step changes nothing.
 */
export class RoomManager {
  private readonly rooms = new Map<string, RoomHolder>();
  private readonly ended = new Map<string, number>();
  /** Who could join each recently ended room (so a refusal to others does not reveal that it existed). */
  private readonly endedAccessById = new Map<string, RoomAccess>();
  private readonly timeouts: RoomTimeouts;
  private readonly logger: ManagerLogger;
  private readonly newParticipantId: () => string;
  private readonly ice: IceCandidateQueue;
  private sweepTimer: TimerHandle | undefined;
  private waitObserver: ((wait: RoomWait, ms: number) => void) | undefined;

  constructor(private readonly options: RoomManagerOptions) {
    this.timeouts = options.timeouts ?? ROOM_TIMEOUT_DEFAULTS;
    this.logger = options.logger ?? silentLogger;
    this.newParticipantId = options.newParticipantId ?? (() => `p-${randomUUID()}`);
    this.ice = new IceCandidateQueue({
      ...options.ice,
      clock: options.clock,
      logger: this.logger,
      apply: (endpoint, candidate) => options.media.addIceCandidate(endpoint, candidate),
    });
  }

  // ---- queries -------------------------------------------------------------------------------------

  /**
   * Told how long each wait of a room command took, in wall-clock milliseconds (for metrics): the event
   * journal (the command's events handed over → durable) and each media server call.
   */
  observeWaits(observer: (wait: RoomWait, ms: number) => void): void {
    this.waitObserver = observer;
  }

  has(roomId: string): boolean {
    return this.rooms.has(roomId);
  }

  /** Who may join a room: its creator (owner), whether it is public, and its `allowed` list. */
  access(roomId: string): RoomAccess | undefined {
    const room = this.rooms.get(roomId)?.room;
    return room && { creator: room.creator, public: room.public, allowed: room.allowed };
  }

  /** Who could join a room that ended recently (undefined for any other id). */
  endedAccess(roomId: string): RoomAccess | undefined {
    return this.ended.has(roomId) ? this.endedAccessById.get(roomId) : undefined;
  }

  /** True for a room that ended recently (its id refuses joins). */
  hasEnded(roomId: string): boolean {
    return this.ended.has(roomId);
  }

  info(roomId: string): RoomInfo | undefined {
    const holder = this.rooms.get(roomId);
    return holder && this.infoOf(holder);
  }

  list(): RoomInfo[] {
    return [...this.rooms.values()].map((h) => this.infoOf(h));
  }

  /** The observers' view of a room (tests, diagnostics). */
  view(roomId: string): RoomView | undefined {
    return this.rooms.get(roomId)?.view;
  }

  counts(): { rooms: number; participants: number } {
    let participants = 0;
    for (const h of this.rooms.values()) participants += h.room.participants.length;
    return { rooms: this.rooms.size, participants };
  }

  // ---- service API -----------------------------------------------------------------------------------

  /**
   * Reserves a room; idempotent for the same id and type (`created: false`, nothing published). With
   * `movedFrom`, a created room journals `room.reserved` then `conference.moved` (consecutive seqs).
   */
  async reserve(input: ReserveInput): Promise<{ created: boolean; info: RoomInfo }> {
    checkMove(input, this.options.coremxId);
    const { movedFrom, returning, ...room } = input;
    const existing = this.rooms.get(input.id);
    if (existing) {
      if (existing.room.type !== input.type) {
        throw new CashError(
          CashErrorCode.RoomExists,
          `room ${input.id} exists already as a ${existing.room.type} room`,
        );
      }
      return { created: false, info: this.infoOf(existing) };
    }
    const createdAt = this.options.clock.now();
    const created = createRoom({
      ...room,
      ...(movedFrom?.participants
        ? {
            returning: movedFrom.participants,
            returningLeftBy: createdAt + (this.options.movedLeaveWithinMs ?? 0),
          }
        : {}),
      ...(returning ? { returning } : {}),
      createdAt,
    });
    if (!created.ok) throw new CashError(created.code, created.message);
    const moved: CcesAnyPublishInput[] = movedFrom
      ? [
          {
            type: 'conference.moved',
            conferenceId: created.room.id,
            occurredAt: new Date(created.room.createdAt),
            data: {
              fromCoremxId: movedFrom.coremxId,
              toCoremxId: this.options.coremxId,
              toAddress: formatConferenceAddress({
                conferenceId: created.room.id,
                mixerAddress: this.options.mixerAddress,
              }),
              reason: movedFrom.reason,
            },
          },
        ]
      : [];
    this.checkEventSizes([...this.ccesInputsOf(created.events), ...moved]);
    this.ended.delete(input.id);
    this.endedAccessById.delete(input.id);
    const holder = this.open(created.room);
    await this.run(holder, async () => {
      try {
        await this.journal(created.events, moved);
      } catch (error) {
        this.rooms.delete(holder.room.id);
        throw error;
      }
    });
    return { created: true, info: this.infoOf(holder) };
  }

  /**
   * Ends a room from outside it: for its conference's owner (`{ by: identity }`: reason `ended`, the
   * registry checked the ownership), or for the platform (a reason; `system` by default: operator, drain).
   */
  async end(
    roomId: string,
    how: { by: string } | 'system' | 'empty-timeout' | 'reservation-timeout' = 'system',
  ): Promise<void> {
    const holder = this.require(roomId);
    const at = this.now();
    const command: RoomCommand =
      typeof how === 'string' ? { type: 'end', at, reason: how } : { type: 'end', at, byIdentity: how.by };
    await this.run(holder, () => this.apply(holder, command));
  }

  /** Ends every room (drain deadline); failures are logged, the others still end. */
  async endAll(reason: 'system' = 'system'): Promise<void> {
    await Promise.all(
      [...this.rooms.keys()].map((id) =>
        this.end(id, reason).catch((error: unknown) =>
          this.logger.warn({ err: error, roomId: id }, 'could not end the room'),
        ),
      ),
    );
  }

  // ---- participants ----------------------------------------------------------------------------------

  /**
   * Admits a participant (creating the room on a first join without reservation) and sends it `joined`
   * with the room snapshot; every later change reaches it as a patch. Answers the participant id.
   */
  async join(input: JoinInput, channel: ParticipantChannel, re?: string): Promise<string> {
    if (this.ended.has(input.roomId)) {
      throw new CashError(RoomErrorCode.ROOM_ENDED, 'The room has ended');
    }
    let holder = this.rooms.get(input.roomId);
    if (!holder && input.mustExist) {
      throw new CashError(CashErrorCode.RoomNotFound, `room ${input.roomId} does not exist on this CoreMX`);
    }
    // A room made by this join: its creation (`room.reserved`) is journaled with the join, in one write
    // and one wait for the disk (the first task of its queue: no other event of the room comes between).
    let creation: RoomEvent[] | undefined;
    if (!holder) {
      const created = createRoom({
        id: input.roomId,
        type: input.roomType ?? 'm2m',
        createdAt: this.now(),
      });
      if (!created.ok) throw new CashError(created.code, created.message);
      holder = this.open(created.room);
      creation = created.events;
    }
    const h = holder;
    return this.run(h, async () => {
      this.assertOpen(h);
      const participantId = this.newParticipantId();
      const command: RoomCommand = {
        type: 'join',
        at: this.now(),
        participantId,
        identity: input.identity,
        ticketId: input.ticketId,
        ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
        ...(input.role !== undefined ? { role: input.role } : {}),
        ...(this.options.reconnectGraceMs !== undefined
          ? { resumeWithinMs: this.options.reconnectGraceMs }
          : {}),
      };
      if (creation) {
        const result = applyRoomCommand(h.room, command);
        if (!result.ok) {
          // The room stays (reserved, empty) as when its creation was journaled apart; the join is refused.
          await this.journalCreated(h, creation);
          throw new CashError(result.code, result.message);
        }
        await this.commit(h, result.room, result.events, creation);
      } else {
        await this.apply(h, command);
      }
      h.channels.set(participantId, channel);
      h.media.set(participantId, { subscriptions: new Map() });
      const peers = p2pPeers(h.room);
      channel.send({
        type: 'joined',
        ...(re !== undefined ? { re } : {}),
        participantId,
        room: h.view,
        ...(peers ? { p2p: peers } : {}),
      });
      this.prewarmPipeline(h);
      return participantId;
    });
  }

  /** A participant leaves (or its connection closed). Unknown participants are ignored. */
  async leave(roomId: string, participantId: string): Promise<void> {
    const holder = this.rooms.get(roomId);
    if (!holder) return;
    await this.run(holder, async () => {
      if (this.rooms.get(roomId) !== holder || !findParticipant(holder.room, participantId)) return;
      await this.apply(holder, { type: 'leave', at: this.now(), participantId });
    });
  }

  /**
   * A room command from a participant: raise/lower hand, approve, deny, kick, end, chat. Answers `ok` to
   * the participant's channel once committed.
   */
  async command(
    roomId: string,
    participantId: string,
    command:
      | { type: 'raiseHand' | 'lowerHand' | 'end' }
      | { type: 'approve' | 'deny' | 'kick'; target: string }
      | { type: 'unban'; identity: string }
      | { type: 'addChild'; text: string },
    re?: string,
  ): Promise<void> {
    const holder = this.require(roomId);
    await this.run(holder, async () => {
      this.assertOpen(holder);
      const at = this.now();
      let full: RoomCommand;
      switch (command.type) {
        case 'raiseHand':
        case 'lowerHand':
          full = { type: command.type, at, participantId };
          break;
        case 'end':
          full = { type: 'end', at, by: participantId };
          break;
        case 'approve':
        case 'deny':
        case 'kick':
          full = { type: command.type, at, by: participantId, target: command.target };
          break;
        case 'unban':
          full = { type: 'unban', at, by: participantId, identity: command.identity };
          break;
        case 'addChild':
          full = { type: 'addChild', at, by: participantId, text: command.text };
          break;
      }
      const channel = holder.channels.get(participantId);
      await this.apply(holder, full);
      channel?.send({ type: 'ok', ...(re !== undefined ? { re } : {}) });
    });
  }

  /**
   * Publishes the participant's stream. Rooms on the media server need an SDP offer: a publish
   * endpoint is created on the room's pipeline, the answer is sent back (`publish-answer`), then the
   * server's candidates (`ice`), and everyone else hears `stream-ready`. In p2p rooms only the room
   * state changes (media goes peer to peer). After a media server restart the same message re-offers
   * the streams already published. `kinds: ['screen']` publishes the shared screen: a second endpoint
   * of its own, addressed with `stream: 'screen'` in every message about it.
   */
  async publish(
    roomId: string,
    participantId: string,
    kinds: MediaKind[],
    sdpOffer?: string,
    re?: string,
  ): Promise<void> {
    const holder = this.require(roomId);
    const source: StreamSource = kinds.includes('screen') ? 'screen' : 'camera';
    const tag = screenTag(source);
    const target: IceTarget = { roomId, participantId, publisherId: participantId, ...tag };
    if (sdpOffer !== undefined) this.ice.expectNew(target);
    await this.negotiating(holder, target, async () => {
      this.assertOpen(holder);
      const participant = findParticipant(holder.room, participantId);
      if (!participant) throw new CashError(RoomErrorCode.NOT_IN_ROOM, 'You are not in the room');
      const channel = holder.channels.get(participantId);
      const reply = re !== undefined ? { re } : {};
      const command: RoomCommand = { type: 'publish', at: this.now(), participantId, kinds };
      if (!this.usesMediaServer(holder)) {
        if (sdpOffer !== undefined) {
          throw new CashError(
            CashErrorCode.WrongRoomMedia,
            'a p2p call sends media peer to peer: publish without sdpOffer and use p2p-signal',
          );
        }
        await this.apply(holder, command);
        channel?.send({ type: 'ok', ...reply });
        return;
      }
      if (sdpOffer === undefined) {
        throw new CashError(CashErrorCode.InvalidMessage, 'publish: sdpOffer is required in this room');
      }
      const pm = this.mediaOf(holder, participantId);
      if (ownEndpoint(pm, source)) {
        throw new CashError(
          CashErrorCode.AlreadyPublishing,
          source === 'screen'
            ? 'you share your screen already: unpublish stream screen first'
            : 'you publish already: unpublish first',
        );
      }
      const published = participant.streams.filter((k) => streamSourceOf(k) === source);
      const reoffer = published.length > 0;
      if (reoffer && !sameKinds(published, kinds)) {
        throw new CashError(
          RoomErrorCode.STREAM_ALREADY_PUBLISHED,
          `re-offer the kinds you publish (${published.join(', ')})`,
        );
      }
      // Check the rules before any media work (the room cannot change meanwhile: this is its queue).
      const checked = reoffer ? undefined : applyRoomCommand(holder.room, command);
      if (checked && !checked.ok) throw new CashError(checked.code, checked.message);

      const pipeline = await this.ensurePipeline(holder);
      const endpoint = await this.media(() =>
        this.options.media.createEndpoint(pipeline, {
          kind: 'publish',
          audioOnly: source === 'camera' && (!kinds.includes('video') || holder.room.type === 'a2m'),
        }),
      );
      const stopIce = this.options.media.onIceCandidate(endpoint, (candidate) =>
        holder.channels
          .get(participantId)
          ?.send({ type: 'ice', publisherId: participantId, ...tag, candidate }),
      );
      let answer: string;
      try {
        answer = await this.media(() => this.options.media.processOffer(endpoint, sdpOffer));
        if (checked?.ok) await this.commit(holder, checked.room, checked.events);
      } catch (error) {
        stopIce();
        this.release(endpoint);
        throw error;
      }
      if (source === 'screen') pm.screen = { endpoint, stopIce };
      else pm.publish = { endpoint, stopIce };
      this.ice.ready(target, endpoint);
      channel?.send({ type: 'publish-answer', ...reply, ...tag, sdpAnswer: answer });
      for (const [id, other] of holder.channels) {
        if (id !== participantId) other.send({ type: 'stream-ready', publisherId: participantId, ...tag });
      }
      // Not awaited: the room's next command need not wait for the server's candidates (the media server
      // takes calls in order, and a failure is only logged).
      void this.gather(endpoint, participantId);
    });
  }

  /**
   * Stops publishing one stream (the camera, or the shared screen): the room state changes and every
   * subscription to that stream ends; the other stream goes on.
   */
  async unpublish(
    roomId: string,
    participantId: string,
    re?: string,
    stream: StreamSource = 'camera',
  ): Promise<void> {
    const holder = this.require(roomId);
    await this.run(holder, async () => {
      this.assertOpen(holder);
      const channel = holder.channels.get(participantId);
      const published = (findParticipant(holder.room, participantId)?.streams ?? []).filter(
        (k) => streamSourceOf(k) === stream,
      );
      const kinds: MediaKind[] =
        published.length > 0 ? published : stream === 'screen' ? ['screen'] : ['audio', 'video'];
      await this.apply(holder, { type: 'unpublish', at: this.now(), participantId, kinds });
      channel?.send({ type: 'ok', ...(re !== undefined ? { re } : {}) });
    });
  }

  /**
   * Subscribes to one publisher's stream, its camera or its shared screen (one connection per
   * publisher stream, seed 001).
   */
  async subscribe(
    roomId: string,
    participantId: string,
    publisherId: string,
    sdpOffer: string,
    re?: string,
    stream: StreamSource = 'camera',
  ): Promise<void> {
    const holder = this.require(roomId);
    const tag = screenTag(stream);
    const key = streamKey(publisherId, stream);
    const target: IceTarget = { roomId, participantId, publisherId, ...tag };
    if (publisherId !== participantId) this.ice.expectNew(target);
    await this.negotiating(holder, target, async () => {
      this.assertOpen(holder);
      if (!findParticipant(holder.room, participantId))
        throw new CashError(RoomErrorCode.NOT_IN_ROOM, 'You are not in the room');
      if (!this.usesMediaServer(holder)) {
        throw new CashError(CashErrorCode.WrongRoomMedia, 'a p2p call has no media server: use p2p-signal');
      }
      if (publisherId === participantId) {
        throw new CashError(CashErrorCode.CannotSubscribeSelf, 'you cannot subscribe to your own stream');
      }
      if (!findParticipant(holder.room, publisherId)) {
        throw new CashError(RoomErrorCode.TARGET_NOT_IN_ROOM, `${publisherId} is not in the room`);
      }
      const source = ownEndpoint(holder.media.get(publisherId), stream);
      if (!source) {
        throw new CashError(
          CashErrorCode.StreamNotReady,
          stream === 'screen'
            ? `${publisherId} shares no screen yet: wait for stream-ready`
            : `${publisherId} has no stream yet: wait for stream-ready`,
        );
      }
      const pm = this.mediaOf(holder, participantId);
      const previous = pm.subscriptions.get(key);
      if (previous) {
        pm.subscriptions.delete(key);
        previous.stopIce();
        this.release(previous.endpoint);
      }
      const pipeline = await this.ensurePipeline(holder);
      const endpoint = await this.media(() =>
        this.options.media.createEndpoint(pipeline, {
          kind: 'subscribe',
          audioOnly: source.endpoint.audioOnly || holder.room.type === 'a2m',
        }),
      );
      const stopIce = this.options.media.onIceCandidate(endpoint, (candidate) =>
        holder.channels.get(participantId)?.send({ type: 'ice', publisherId, ...tag, candidate }),
      );
      let answer: string;
      try {
        // Both at once (one round trip to the media server, not two): connecting the publisher's endpoint
        // needs no negotiated sink. Both are settled before a failure releases the endpoint, and the
        // offer's failure is the one reported when both fail (as when they ran one after the other).
        const [offered, connected] = await Promise.allSettled([
          this.media(() => this.options.media.processOffer(endpoint, sdpOffer)),
          this.media(() => this.options.media.connect(source.endpoint, endpoint)),
        ]);
        if (offered.status === 'rejected') throw offered.reason;
        if (connected.status === 'rejected') throw connected.reason;
        answer = offered.value;
      } catch (error) {
        stopIce();
        this.release(endpoint);
        throw error;
      }
      pm.subscriptions.set(key, { endpoint, stopIce });
      this.ice.ready(target, endpoint);
      holder.channels.get(participantId)?.send({
        type: 'subscribe-answer',
        ...(re !== undefined ? { re } : {}),
        publisherId,
        ...tag,
        sdpAnswer: answer,
      });
      // Not awaited: the room's next command need not wait for the server's candidates (the media server
      // takes calls in order, and a failure is only logged).
      void this.gather(endpoint, participantId);
    });
  }

  async unsubscribe(
    roomId: string,
    participantId: string,
    publisherId: string,
    re?: string,
    stream: StreamSource = 'camera',
  ): Promise<void> {
    const holder = this.require(roomId);
    const key = streamKey(publisherId, stream);
    await this.run(holder, async () => {
      const sub = holder.media.get(participantId)?.subscriptions.get(key);
      if (!sub) {
        throw new CashError(
          CashErrorCode.NotSubscribed,
          `no subscription to ${publisherId}${stream === 'screen' ? "'s screen" : ''}`,
        );
      }
      holder.media.get(participantId)?.subscriptions.delete(key);
      this.ice.forget({ roomId, participantId, publisherId, ...screenTag(stream) });
      sub.stopIce();
      this.release(sub.endpoint);
      holder.channels.get(participantId)?.send({ type: 'ok', ...(re !== undefined ? { re } : {}) });
    });
  }

  /**
   * A participant's ICE candidate for its publish endpoint (`publisherId` = itself) or a subscription.
   * Not on the room's queue: it is handed to the ICE candidate queue (applied in order per endpoint, each
   * call bounded, a failure logged and skipped, held briefly while the endpoint does not exist yet), so a
   * slow candidate never holds up the room nor fails the session. Refused only for a p2p room or a
   * participant or publisher not in the room.
   */
  addIceCandidate(
    roomId: string,
    participantId: string,
    publisherId: string,
    candidate: MediaIceCandidate,
    stream: StreamSource = 'camera',
  ): void {
    const holder = this.require(roomId);
    if (!this.usesMediaServer(holder)) {
      throw new CashError(CashErrorCode.WrongRoomMedia, 'a p2p call has no media server: use p2p-signal');
    }
    const pm = holder.media.get(participantId);
    if (!pm) throw new CashError(RoomErrorCode.NOT_IN_ROOM, 'You are not in the room');
    if (publisherId !== participantId && !findParticipant(holder.room, publisherId)) {
      throw new CashError(RoomErrorCode.TARGET_NOT_IN_ROOM, `${publisherId} is not in the room`);
    }
    const target: IceTarget = { roomId, participantId, publisherId, ...screenTag(stream) };
    this.ice.add(target, endpointOf(pm, target), candidate);
  }

  /**
   * Relays a p2p signal to the other side of the call. The callee sends the offer to the caller
   * (seed 001): an offer from the caller is refused.
   */
  async relayP2pSignal(
    roomId: string,
    participantId: string,
    signal: Extract<ServerMessage, { type: 'p2p-signal' }>['signal'],
  ): Promise<void> {
    const holder = this.require(roomId);
    await this.run(holder, async () => {
      if (holder.room.type !== 'p2p') {
        throw new CashError(CashErrorCode.WrongRoomMedia, 'p2p-signal is only for p2p calls');
      }
      if (!findParticipant(holder.room, participantId))
        throw new CashError(RoomErrorCode.NOT_IN_ROOM, 'You are not in the room');
      const peers = p2pPeers(holder.room);
      if (!peers) throw new CashError(CashErrorCode.P2pSignalRefused, 'the other side has not joined yet');
      if (signal.kind === 'offer' && participantId !== peers.offererId) {
        throw new CashError(CashErrorCode.P2pSignalRefused, 'the callee sends the offer to the caller');
      }
      const to = participantId === peers.callerId ? peers.calleeId : peers.callerId;
      holder.channels.get(to)?.send({ type: 'p2p-signal', from: participantId, signal });
    });
  }

  // ---- media server restarts and expiry -------------------------------------------------------------

  /**
   * The media server came back as a new server (every media object is gone): each room gets a fresh
   * pipeline, its endpoints are forgotten, `room.rebuilt` is published and every participant is asked
   * to re-offer (publish again, then subscribe again on `stream-ready`). Membership and roles stay.
   */
  async rebuildAll(
    reason: 'media-server-restarted' | 'media-session-lost' | 'manual' = 'media-server-restarted',
  ): Promise<void> {
    await Promise.all(
      [...this.rooms.values()]
        .filter((h) => this.usesMediaServer(h))
        .map((holder) =>
          this.run(holder, async () => {
            if (this.rooms.get(holder.room.id) !== holder) return;
            this.ice.forgetAll(holder.room.id);
            for (const pm of holder.media.values()) {
              pm.publish?.stopIce();
              pm.publish = undefined;
              pm.screen?.stopIce();
              pm.screen = undefined;
              for (const sub of pm.subscriptions.values()) sub.stopIce();
              pm.subscriptions.clear();
            }
            const hadPipeline = holder.pipeline !== undefined || holder.pipelinePending !== undefined;
            holder.pipeline = undefined;
            // A pipeline still being made belongs to the old server: it releases itself when it comes.
            holder.pipelinePending = undefined;
            if (hadPipeline) {
              await this.ensurePipeline(holder).catch((error: unknown) =>
                this.logger.warn(
                  { err: error, roomId: holder.room.id },
                  'no new pipeline yet; made on next publish',
                ),
              );
            }
            const streams = holder.room.participants.filter((p) => p.streams.length > 0).length;
            await this.options.events
              .publish({
                type: 'room.rebuilt',
                conferenceId: holder.room.id,
                data: { reason, participants: holder.room.participants.length, streams },
              })
              .catch((error: unknown) =>
                this.logger.warn({ err: error, roomId: holder.room.id }, 'room.rebuilt not journaled'),
              );
            for (const channel of holder.channels.values()) {
              channel.send({ type: 'reoffer', reason: 'media-server-restarted' });
            }
          }).catch((error: unknown) =>
            this.logger.warn({ err: error, roomId: holder.room.id }, 'rebuild failed'),
          ),
        ),
    );
  }

  /** Ends rooms whose reservation or empty timeout passed; forgets old ended ids. */
  async sweep(): Promise<void> {
    const now = this.now();
    for (const [id, at] of this.ended) {
      if (now - at >= (this.options.endedRetentionMs ?? ROOM_MANAGER_DEFAULTS.endedRetentionMs)) {
        this.ended.delete(id);
        this.endedAccessById.delete(id);
      }
    }
    await Promise.all(
      [...this.rooms.values()].map((holder) =>
        this.run(holder, async () => {
          if (this.rooms.get(holder.room.id) !== holder) return;
          const reason = expiryReason(holder.room, this.now(), this.timeouts);
          if (reason === 'empty-timeout' || reason === 'reservation-timeout') {
            await this.apply(holder, { type: 'end', at: this.now(), reason });
          }
        }).catch((error: unknown) =>
          this.logger.warn({ err: error, roomId: holder.room.id }, 'expiry failed'),
        ),
      ),
    );
  }

  /** Runs `sweep` every `sweepIntervalMs` on the clock. */
  start(): void {
    if (this.sweepTimer !== undefined) return;
    const schedule = () => {
      this.sweepTimer = this.options.clock.setTimeout(() => {
        void this.sweep().finally(() => {
          if (this.sweepTimer !== undefined) schedule();
        });
      }, this.options.sweepIntervalMs ?? ROOM_MANAGER_DEFAULTS.sweepIntervalMs);
      (this.sweepTimer as { unref?: () => void }).unref?.();
    };
    schedule();
  }

  stop(): void {
    if (this.sweepTimer !== undefined) this.options.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  // ---- internals -------------------------------------------------------------------------------------

  private now(): number {
    return this.options.clock.now();
  }

  private open(room: Room): RoomHolder {
    const holder: RoomHolder = {
      room,
      view: roomSnapshot(room),
      media: new Map(),
      channels: new Map(),
      tail: Promise.resolve(),
    };
    this.rooms.set(room.id, holder);
    return holder;
  }

  private require(roomId: string): RoomHolder {
    const holder = this.rooms.get(roomId);
    if (!holder) {
      if (this.ended.has(roomId)) throw new CashError(RoomErrorCode.ROOM_ENDED, 'The room has ended');
      throw new CashError(CashErrorCode.RoomNotFound, `no room ${roomId} on this CoreMX`);
    }
    return holder;
  }

  /** The holder may have been removed (ended, or its reservation failed) while a task waited. */
  private assertOpen(holder: RoomHolder): void {
    if (this.rooms.get(holder.room.id) !== holder) {
      throw new CashError(
        this.ended.has(holder.room.id) ? RoomErrorCode.ROOM_ENDED : CashErrorCode.RoomNotFound,
        this.ended.has(holder.room.id) ? 'The room has ended' : `room ${holder.room.id} is gone`,
      );
    }
  }

  /**
   * Runs a publish or subscribe task; if it is refused, candidates sent for it meanwhile go to the
   * endpoint that is still there (or are dropped when there is none).
   */
  private async negotiating(holder: RoomHolder, target: IceTarget, task: () => Promise<void>): Promise<void> {
    try {
      await this.run(holder, task);
    } catch (error) {
      const endpoint = endpointOf(holder.media.get(target.participantId), target);
      if (endpoint) this.ice.ready(target, endpoint);
      else this.ice.forget(target);
      throw error;
    }
  }

  private run<T>(holder: RoomHolder, task: () => Promise<T>): Promise<T> {
    const result = holder.tail.then(task, task);
    holder.tail = result.catch(() => undefined);
    return result;
  }

  private usesMediaServer(holder: RoomHolder): boolean {
    return ROOM_TYPE_RULES[holder.room.type].media !== 'peer-to-peer';
  }

  private mediaOf(holder: RoomHolder, participantId: string): ParticipantMedia {
    let pm = holder.media.get(participantId);
    if (!pm) {
      pm = { subscriptions: new Map() };
      holder.media.set(participantId, pm);
    }
    return pm;
  }

  /** Applies a command through the rules; a refusal throws with the rule's code and changes nothing. */
  private async apply(holder: RoomHolder, command: RoomCommand): Promise<void> {
    const result = applyRoomCommand(holder.room, command);
    if (!result.ok) throw new CashError(result.code, result.message);
    await this.commit(holder, result.room, result.events);
  }

  /**
   * Journals the events, then makes the new state current, tells observers, and does the side effects.
   * `creation`: the events that made the room, not journaled yet: journaled first, in the same write.
   */
  private async commit(
    holder: RoomHolder,
    room: Room,
    events: RoomEvent[],
    creation?: RoomEvent[],
  ): Promise<void> {
    if (creation) await this.journalCreated(holder, creation, events);
    else await this.journal(events);
    const before = holder.view;
    holder.room = room;
    holder.view = roomSnapshot(room);
    for (const event of events) this.beforePatch(holder, event);
    if (this.rooms.get(room.id) !== holder) return;
    const patch = roomPatch(before, holder.view);
    for (const channel of holder.channels.values()) channel.send({ type: 'patch', patch });
    for (const event of events) this.afterPatch(holder, event);
  }

  /**
   * Publishes the events (then `extra` CCES events) in order; all of them must be durable before the
   * change is committed. Every input is checked against its contract first, so a refused one journals
   * nothing of the batch.
   */
  private async journal(events: RoomEvent[], extra: CcesAnyPublishInput[] = []): Promise<void> {
    await this.publishAll(this.checked(events, extra));
  }

  /** The CCES inputs of the events (then `extra`), each checked against its contract. */
  private checked(events: RoomEvent[], extra: CcesAnyPublishInput[] = []): CcesAnyPublishInput[] {
    const inputs = [...this.ccesInputsOf(events), ...extra];
    try {
      for (const input of inputs) validateCcesPublishInput(input, this.options.clock);
    } catch (error) {
      throw this.refused(error);
    }
    return inputs;
  }

  /** Publishes checked inputs, all in this tick (one journal write can carry them); resolves once durable. */
  private async publishAll(inputs: CcesAnyPublishInput[]): Promise<void> {
    const started = performance.now();
    try {
      await Promise.all(inputs.map((input) => this.options.events.publish(input)));
    } catch (error) {
      throw this.refused(error);
    }
    this.waitObserver?.('journal', performance.now() - started);
  }

  private refused(error: unknown): CashError {
    this.logger.warn({ err: error }, 'CCES events refused; the room change is not made');
    return new CashError(
      CashErrorCode.EventsUnavailable,
      `the event journal refused the change: ${error instanceof Error ? error.message : String(error)}`,
    );
  }

  /**
   * Journals the events that made a room by a join, and then `events` (the join's), both handed to the
   * journal in the same tick so that one write and one wait for the disk carry them. As when they were
   * journaled one after the other: if the room's events are refused the room is forgotten (and the
   * join's are not journaled); if only the join's are refused the room stays.
   */
  private async journalCreated(
    holder: RoomHolder,
    creation: RoomEvent[],
    events: RoomEvent[] = [],
  ): Promise<void> {
    const forget = () => {
      if (this.rooms.get(holder.room.id) === holder) this.rooms.delete(holder.room.id);
    };
    let creationInputs: CcesAnyPublishInput[];
    try {
      creationInputs = this.checked(creation);
    } catch (error) {
      forget();
      throw error;
    }
    let eventInputs: CcesAnyPublishInput[] | undefined;
    let eventsRefused: unknown;
    try {
      eventInputs = this.checked(events);
    } catch (error) {
      eventsRefused = error;
    }
    const first = this.publishAll(creationInputs);
    const rest = eventInputs && this.publishAll(eventInputs);
    try {
      await first;
    } catch (error) {
      rest?.catch(() => undefined);
      forget();
      throw error;
    }
    if (!rest) throw eventsRefused;
    await rest;
  }

  private ccesInputsOf(events: RoomEvent[]): CcesAnyPublishInput[] {
    return events
      .map((e) => ccesInputOf(e, this.options.mixerAddress, this.options.chatEvents))
      .filter((i) => i !== undefined);
  }

  /**
   * Refuses a reservation whose events every CCES consumer would refuse as too large (and dead-letter),
   * before anything exists. Contract refusals are left to `journal`.
   */
  private checkEventSizes(inputs: CcesAnyPublishInput[]): void {
    for (const input of inputs) {
      let bytes: number;
      try {
        bytes = ccesValueBytesAtMost(input, this.options.coremxId);
      } catch {
        continue;
      }
      if (bytes > CCES_MAX_VALUE_BYTES) {
        throw new CashError(
          CashErrorCode.ReservationTooLarge,
          `the reservation makes a ${input.type} event of up to ${bytes} bytes; CCES consumers accept at most ${CCES_MAX_VALUE_BYTES} (shorten allowed)`,
        );
      }
    }
  }

  /** Effects that remove participants (before the patch goes out, so they do not receive it). */
  private beforePatch(holder: RoomHolder, event: RoomEvent): void {
    switch (event.type) {
      case 'stream.unpublished':
        if (event.kinds.includes('screen')) this.dropPublishEndpoint(holder, event.participantId, 'screen');
        if (event.kinds.some((k) => streamSourceOf(k) === 'camera'))
          this.dropPublishEndpoint(holder, event.participantId, 'camera');
        break;
      case 'participant.left': {
        const channel = holder.channels.get(event.participantId);
        this.dropParticipant(holder, event.participantId);
        if (event.replacedBy !== undefined) {
          // A new session of the same identity took this one's place (a reload, another tab): say so
          // and close, so the old client does not reconnect in a loop.
          channel?.send({
            type: 'error',
            code: CashErrorCode.SessionReplaced,
            message: 'a new session of your account joined this room and took your place: this one is closed',
          });
          channel?.close(CLOSE_CODES.replaced, 'replaced by a new session');
        }
        break;
      }
      case 'participant.kicked': {
        const channel = holder.channels.get(event.participantId);
        this.dropParticipant(holder, event.participantId);
        channel?.send({ type: 'kicked', by: event.by });
        channel?.close(CLOSE_CODES.kicked, 'kicked');
        break;
      }
      case 'room.ended': {
        this.rooms.delete(holder.room.id);
        this.ended.set(holder.room.id, this.now());
        this.endedAccessById.set(holder.room.id, {
          creator: holder.room.creator,
          public: holder.room.public,
          allowed: holder.room.allowed,
        });
        const channels = [...holder.channels.values()];
        holder.channels.clear();
        // The pipeline's release takes its endpoints with it (on the server and in the port): one call
        // instead of one per endpoint, each of which kurento-client makes every later call wait for.
        const endpointsGoWithPipeline = holder.pipeline !== undefined;
        for (const id of [...holder.media.keys()]) {
          this.dropParticipant(holder, id, !endpointsGoWithPipeline);
        }
        this.ice.forgetAll(holder.room.id);
        if (holder.pipeline) this.release(holder.pipeline);
        holder.pipeline = undefined;
        for (const channel of channels) {
          channel.send({ type: 'room-ended', reason: event.reason });
          channel.close(CLOSE_CODES.roomEnded, 'room ended');
        }
        break;
      }
      default:
        break;
    }
  }

  private afterPatch(holder: RoomHolder, event: RoomEvent): void {
    if (event.type === 'hand.raised' && event.ownerId !== null) {
      holder.channels
        .get(event.ownerId)
        ?.send({ type: 'publish-request', participantId: event.participantId });
    }
  }

  /** `release`: false when the endpoints go with the room's pipeline (released right after). */
  private dropPublishEndpoint(
    holder: RoomHolder,
    publisherId: string,
    stream: StreamSource,
    release = true,
  ): void {
    const roomId = holder.room.id;
    const tag = screenTag(stream);
    const key = streamKey(publisherId, stream);
    this.ice.forget({ roomId, participantId: publisherId, publisherId, ...tag });
    const pm = holder.media.get(publisherId);
    const own = ownEndpoint(pm, stream);
    if (pm && own) {
      own.stopIce();
      if (release) this.release(own.endpoint);
      if (stream === 'screen') pm.screen = undefined;
      else pm.publish = undefined;
    }
    for (const [subscriberId, other] of holder.media) {
      const sub = other.subscriptions.get(key);
      if (!sub) continue;
      other.subscriptions.delete(key);
      this.ice.forget({ roomId, participantId: subscriberId, publisherId, ...tag });
      sub.stopIce();
      if (release) this.release(sub.endpoint);
      holder.channels.get(subscriberId)?.send({ type: 'stream-ended', publisherId, ...tag });
    }
  }

  private dropParticipant(holder: RoomHolder, participantId: string, release = true): void {
    this.dropPublishEndpoint(holder, participantId, 'camera', release);
    this.dropPublishEndpoint(holder, participantId, 'screen', release);
    this.ice.forgetAll(holder.room.id, participantId);
    const pm = holder.media.get(participantId);
    for (const sub of pm?.subscriptions.values() ?? []) {
      sub.stopIce();
      if (release) this.release(sub.endpoint);
    }
    holder.media.delete(participantId);
    holder.channels.delete(participantId);
  }

  private async ensurePipeline(holder: RoomHolder): Promise<MediaPipelineRef> {
    if (!holder.pipeline && holder.pipelinePending) await holder.pipelinePending;
    holder.pipeline ??= await this.media(() => this.options.media.createPipeline(holder.room.id));
    return holder.pipeline;
  }

  /**
   * Starts making the pipeline of a room on the media server once someone is in it, so that the first
   * publish (or subscribe) does not wait for it: a round trip off the path of the SDP answer. Not
   * awaited: it runs beside the room's queue, and `ensurePipeline` waits for it. One that fails is
   * forgotten (the next publish makes one and reports the failure); one that comes after the room
   * ended, or after a media server restart replaced it, is released.
   */
  private prewarmPipeline(holder: RoomHolder): void {
    if (!this.usesMediaServer(holder) || holder.pipeline || holder.pipelinePending) return;
    const pending: Promise<MediaPipelineRef | undefined> = this.options.media
      .createPipeline(holder.room.id)
      .then(
        (pipeline) => {
          const wanted = holder.pipelinePending === pending && this.rooms.get(holder.room.id) === holder;
          if (holder.pipelinePending === pending) holder.pipelinePending = undefined;
          if (!wanted || holder.pipeline) {
            this.release(pipeline);
            return undefined;
          }
          holder.pipeline = pipeline;
          return pipeline;
        },
        () => {
          // Not logged: the next publish or subscribe makes the pipeline and reports its failure.
          if (holder.pipelinePending === pending) holder.pipelinePending = undefined;
          return undefined;
        },
      );
    holder.pipelinePending = pending;
  }

  private async gather(endpoint: MediaEndpointRef, participantId: string): Promise<void> {
    try {
      await this.options.media.gatherCandidates(endpoint);
    } catch (error) {
      this.logger.warn({ err: error, participantId }, 'gathering server candidates failed');
    }
  }

  /** Best effort: release is idempotent, and a failure only leaks until the pipeline goes. */
  private release(ref: MediaEndpointRef | MediaPipelineRef): void {
    this.options.media
      .release(ref)
      .catch((error: unknown) => this.logger.warn({ err: error, id: ref.id }, 'media release failed'));
  }

  /** A media call; its `MediaError` becomes a CashError with a client-facing code. */
  private async media<T>(call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } catch (error) {
      throw mediaFailure(error);
    } finally {
      this.waitObserver?.('media', performance.now() - started);
    }
  }

  private infoOf(h: RoomHolder): RoomInfo {
    return {
      id: h.room.id,
      type: h.room.type,
      status: h.room.status,
      version: h.room.version,
      createdAt: new Date(h.room.createdAt).toISOString(),
      creator: h.room.creator,
      ownerId: h.room.ownerId,
      participants: h.room.participants.length,
      publishers: h.room.participants.filter((p) => p.role === 'publisher').length,
      viewers: h.room.participants.filter((p) => p.role === 'viewer').length,
      mediaStreams: [...h.media.values()].filter((m) => m.publish).length,
      hasPipeline: h.pipeline !== undefined,
    };
  }
}

/**
 * Refuses a reserve that says the conference moves from this very CoreMX (`MOVED_FROM_SELF`), or that
 * names its returning people twice (`returning` and `movedFrom.participants`: `INVALID_ROOM`).
 */
export function checkMove(input: Pick<ReserveInput, 'movedFrom' | 'returning'>, coremxId: string): void {
  if (input.returning !== undefined && input.movedFrom?.participants !== undefined) {
    throw new CashError(
      RoomErrorCode.INVALID_ROOM,
      'returning and movedFrom.participants name the same people: send one of them',
    );
  }
  if (input.movedFrom?.coremxId === coremxId) {
    throw new CashError(
      CashErrorCode.MovedFromSelf,
      `movedFrom.coremxId is this CoreMX (${coremxId}): a conference cannot move to where it already is`,
    );
  }
}

/** The endpoint an ICE target names: the participant's own (camera or screen) or a subscription. */
function endpointOf(pm: ParticipantMedia | undefined, target: IceTarget): MediaEndpointRef | undefined {
  if (target.publisherId === target.participantId) return ownEndpoint(pm, target.stream)?.endpoint;
  return pm?.subscriptions.get(streamKey(target.publisherId, target.stream))?.endpoint;
}

function sameKinds(a: readonly MediaKind[], b: readonly MediaKind[]): boolean {
  return a.length === b.length && a.every((k) => b.includes(k));
}

/** Media failures as clients see them. */
export function mediaFailure(error: unknown): CashError {
  if (error instanceof CashError) return error;
  if (error instanceof MediaError) {
    switch (error.code) {
      case MediaErrorCode.SdpRejected:
        return new CashError(CashErrorCode.SdpRejected, `the media server refused the SDP: ${error.message}`);
      case MediaErrorCode.InvalidArgument:
        return new CashError(CashErrorCode.InvalidMessage, error.message);
      case MediaErrorCode.ObjectGone:
        return new CashError(
          CashErrorCode.MediaUnavailable,
          'the media server restarted; re-offer shortly',
          2,
        );
      default:
        return new CashError(CashErrorCode.MediaUnavailable, `media server: ${error.message}`, 5);
    }
  }
  return new CashError(CashErrorCode.MediaUnavailable, 'media server call failed', 5);
}
