import { randomUUID } from 'node:crypto';
import { ROOM_TIMEOUT_DEFAULTS, type MediaKind, type RoomView, type StreamSource } from '@hoot/domain';
import type { MediaIceCandidate } from '@hoot/media';
import type { ServerMessage } from '../signaling/signaling-protocol';
import type { RecordingCommandAnswer, RecordingSummary } from '@hoot/contracts';
import { HlsFeeds } from './hls-feeds';
import { IceCandidateQueue } from './ice-candidate-queue';
import { relayP2pSignal } from './p2p-relay';
import type { ParticipantCommand } from './room-commands';
import { RoomCommit } from './room-commit';
import { RoomJournal } from './room-journal';
import { RoomLifecycle } from './room-lifecycle';
import { RoomMedia } from './room-media';
import { RoomRecordings } from './room-recording';
import { RoomStreams } from './room-streams';
import { RoomTable, roomInfoOf, type RoomContext } from './room-table';
import {
  silentLogger,
  type JoinInput,
  type ParticipantChannel,
  type ReserveInput,
  type RoomAccess,
  type RoomInfo,
  type RoomManagerOptions,
  type RoomWait,
} from './room-types';

export { checkMove } from './room-commands';
export { mediaFailure } from './room-media';
export {
  CLOSE_CODES,
  ROOM_MANAGER_DEFAULTS,
  type JoinInput,
  type ManagerLogger,
  type ParticipantChannel,
  type ReserveInput,
  type RoomAccess,
  type RoomInfo,
  type RoomManagerOptions,
  type RoomWait,
} from './room-types';

/**
 * One room per conference on this CoreMX, on top of the pure room rules of `@hoot/domain`: the facade its
 * callers (signaling sessions, the service API, recovery, the app module) use. It answers the queries
 * itself and hands every command to the unit whose job it is: the room's life (`RoomLifecycle`), its
 * streams on the media server (`RoomStreams`), the p2p relay (`p2p-relay.ts`).
 *
 * Every command of a room runs in that room's queue (`room-queue.ts`), one at a time, so the rules
 * (publisher cap, p2p's two sides) decide atomically, and media calls of one room never interleave. A
 * command is first checked by the rules, then its media work is done (`RoomMedia`), then its events are
 * journaled (CCES, `RoomJournal`), and only then is the new room state committed and sent to observers as
 * a versioned patch (`RoomCommit`). A refusal at any step changes nothing.
 */
export class RoomManager {
  private readonly table = new RoomTable();
  private readonly ctx: RoomContext;
  private readonly lifecycle: RoomLifecycle;
  private readonly streams: RoomStreams;
  private readonly feeds: HlsFeeds;
  private readonly recordings: RoomRecordings;

  constructor(options: RoomManagerOptions) {
    const logger = options.logger ?? silentLogger;
    this.ctx = {
      options,
      table: this.table,
      logger,
      timeouts: options.timeouts ?? ROOM_TIMEOUT_DEFAULTS,
      waits: {},
      ice: new IceCandidateQueue({
        ...options.ice,
        clock: options.clock,
        logger,
        apply: (endpoint, candidate) => options.media.addIceCandidate(endpoint, candidate),
      }),
    };
    const media = new RoomMedia(this.ctx);
    this.feeds = new HlsFeeds(this.ctx, media);
    this.recordings = new RoomRecordings(this.ctx, this.feeds);
    media.feeds = this.feeds;
    media.onRoomReleased = (holder) => this.recordings.endWithRoom(holder);
    const journal = new RoomJournal(this.ctx);
    const commit = new RoomCommit(this.ctx, journal, media);
    this.lifecycle = new RoomLifecycle(
      this.ctx,
      journal,
      commit,
      media,
      options.newParticipantId ?? (() => `p-${randomUUID()}`),
      (holder, participantId) => {
        const hls = this.feeds.packager ? this.feeds.accessFor(holder, participantId) : [];
        const recording = this.recordings.statusOf(holder);
        return { ...(hls.length > 0 ? { hls } : {}), ...(recording ? { recording } : {}) };
      },
    );
    this.streams = new RoomStreams(this.ctx, commit, media, this.feeds);
  }

  // ---- queries -------------------------------------------------------------------------------------

  /**
   * Told how long each wait of a room command took, in wall-clock milliseconds (for metrics): the event
   * journal (the command's events handed over → durable) and each media server call.
   */
  observeWaits(observer: (wait: RoomWait, ms: number) => void): void {
    this.ctx.waits.observe = observer;
  }

  has(roomId: string): boolean {
    return this.table.has(roomId);
  }

  /** Who may join a room: its creator (owner), whether it is public, and its `allowed` list. */
  access(roomId: string): RoomAccess | undefined {
    const room = this.table.get(roomId)?.room;
    return room && { creator: room.creator, public: room.public, allowed: room.allowed };
  }

  /** Who could join a room that ended recently (undefined for any other id). */
  endedAccess(roomId: string): RoomAccess | undefined {
    return this.table.endedAccess(roomId);
  }

  /** True for a room that ended recently (its id refuses joins). */
  hasEnded(roomId: string): boolean {
    return this.table.hasEnded(roomId);
  }

  info(roomId: string): RoomInfo | undefined {
    const holder = this.table.get(roomId);
    return holder && roomInfoOf(holder);
  }

  list(): RoomInfo[] {
    return this.table.holders().map(roomInfoOf);
  }

  /** The observers' view of a room (tests, diagnostics). */
  view(roomId: string): RoomView | undefined {
    return this.table.get(roomId)?.view;
  }

  counts(): { rooms: number; participants: number } {
    let participants = 0;
    for (const h of this.table.holders()) participants += h.room.participants.length;
    return { rooms: this.table.rooms.size, participants };
  }

  // ---- service API -----------------------------------------------------------------------------------

  /**
   * Reserves a room; idempotent for the same id and type (`created: false`, nothing published). With
   * `movedFrom`, a created room journals `room.reserved` then `conference.moved` (consecutive seqs).
   */
  reserve(input: ReserveInput): Promise<{ created: boolean; info: RoomInfo }> {
    return this.lifecycle.reserve(input);
  }

  /**
   * Ends a room from outside it: for its conference's owner (`{ by: identity }`: reason `ended`, the
   * registry checked the ownership), or for the platform (a reason; `system` by default: operator, drain).
   */
  end(
    roomId: string,
    how: { by: string } | 'system' | 'empty-timeout' | 'reservation-timeout' = 'system',
  ): Promise<void> {
    return this.lifecycle.end(roomId, how);
  }

  /** Ends every room (drain deadline); failures are logged, the others still end. */
  endAll(reason: 'system' = 'system'): Promise<void> {
    return this.lifecycle.endAll(reason);
  }

  // ---- participants ----------------------------------------------------------------------------------

  /**
   * Admits a participant (creating the room on a first join without reservation) and sends it `joined`
   * with the room snapshot; every later change reaches it as a patch. Answers the participant id.
   */
  join(input: JoinInput, channel: ParticipantChannel, re?: string): Promise<string> {
    return this.lifecycle.join(input, channel, re);
  }

  /** A participant leaves (or its connection closed). Unknown participants are ignored. */
  leave(roomId: string, participantId: string): Promise<void> {
    return this.lifecycle.leave(roomId, participantId);
  }

  /**
   * A room command from a participant: raise/lower hand, approve, deny, kick, end, chat. Answers `ok` to
   * the participant's channel once committed.
   */
  command(roomId: string, participantId: string, command: ParticipantCommand, re?: string): Promise<void> {
    return this.lifecycle.command(roomId, participantId, command, re);
  }

  /**
   * Publishes the participant's stream. Rooms on the media server need an SDP offer: a publish
   * endpoint is created on the room's pipeline, the answer is sent back (`publish-answer`), then the
   * server's candidates (`ice`), and everyone else hears `stream-ready`. In p2p rooms only the room
   * state changes (media goes peer to peer). After a media server restart the same message re-offers
   * the streams already published. `kinds: ['screen']` publishes the shared screen: a second endpoint
   * of its own, addressed with `stream: 'screen'` in every message about it.
   */
  publish(
    roomId: string,
    participantId: string,
    kinds: MediaKind[],
    sdpOffer?: string,
    re?: string,
  ): Promise<void> {
    return this.streams.publish(roomId, participantId, kinds, sdpOffer, re);
  }

  /**
   * Stops publishing one stream (the camera, or the shared screen): the room state changes and every
   * subscription to that stream ends; the other stream goes on.
   */
  unpublish(
    roomId: string,
    participantId: string,
    re?: string,
    stream: StreamSource = 'camera',
  ): Promise<void> {
    return this.streams.unpublish(roomId, participantId, re, stream);
  }

  /**
   * Subscribes to one publisher's stream, its camera or its shared screen (one connection per
   * publisher stream, seed 001).
   */
  subscribe(
    roomId: string,
    participantId: string,
    publisherId: string,
    sdpOffer: string,
    re?: string,
    stream: StreamSource = 'camera',
  ): Promise<void> {
    return this.streams.subscribe(roomId, participantId, publisherId, sdpOffer, re, stream);
  }

  unsubscribe(
    roomId: string,
    participantId: string,
    publisherId: string,
    re?: string,
    stream: StreamSource = 'camera',
  ): Promise<void> {
    return this.streams.unsubscribe(roomId, participantId, publisherId, re, stream);
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
    this.streams.addIceCandidate(roomId, participantId, publisherId, candidate, stream);
  }

  /**
   * Relays a p2p signal to the other side of the call. The callee sends the offer to the caller
   * (seed 001): an offer from the caller is refused.
   */
  relayP2pSignal(
    roomId: string,
    participantId: string,
    signal: Extract<ServerMessage, { type: 'p2p-signal' }>['signal'],
  ): Promise<void> {
    return relayP2pSignal(this.table, roomId, participantId, signal);
  }

  // ---- HLS and recording (issue 18) -------------------------------------------------------------------

  /** Live HLS streams and rooms being recorded, over all rooms (metrics). */
  packagerCounts(): { hlsStreams: number; recordings: number } {
    return { hlsStreams: this.feeds.liveCount(), recordings: this.recordings.activeCount() };
  }

  /**
   * `record start|stop` from a participant: the conference's creator only (`NOT_CREATOR`), not in p2p
   * calls nor without a packager (`RECORDING_UNAVAILABLE`); `ALREADY_RECORDING` / `NOT_RECORDING`.
   */
  record(roomId: string, participantId: string, action: 'start' | 'stop', re?: string): Promise<void> {
    return this.recordings.command(roomId, participantId, action, re);
  }

  /** The registry starts or stops recording for the conference's owner (`by`); no live room: `ROOM_NOT_FOUND`. */
  recordFor(roomId: string, action: 'start' | 'stop', by: string): Promise<RecordingCommandAnswer> {
    return this.recordings.serviceCommand(roomId, action, by);
  }

  /** The recordings of a conference kept by the packager (live room or not), playback URLs signed. */
  listRecordings(conferenceId: string): Promise<RecordingSummary[]> {
    return this.recordings.list(conferenceId);
  }

  /** Ends every packager stream (shutdown without a drain): playlists get their end, recordings complete. */
  async closeFeeds(): Promise<void> {
    await Promise.all(
      this.table.holders().flatMap((holder) => {
        this.recordings.endWithRoom(holder);
        return this.feeds.dropAll(holder, 'room-ended', true);
      }),
    );
  }

  // ---- media server restarts and expiry -------------------------------------------------------------

  /**
   * The media server came back as a new server (every media object is gone): each room gets a fresh
   * pipeline, its endpoints are forgotten, `room.rebuilt` is published and every participant is asked
   * to re-offer (publish again, then subscribe again on `stream-ready`). Membership and roles stay.
   */
  rebuildAll(
    reason: 'media-server-restarted' | 'media-session-lost' | 'manual' = 'media-server-restarted',
  ): Promise<void> {
    return this.lifecycle.rebuildAll(reason);
  }

  /** Ends rooms whose reservation or empty timeout passed; forgets old ended ids. */
  sweep(): Promise<void> {
    return this.lifecycle.sweep();
  }

  /** Runs `sweep` every `sweepIntervalMs` on the clock. */
  start(): void {
    this.lifecycle.start();
  }

  stop(): void {
    this.lifecycle.stop();
  }
}
