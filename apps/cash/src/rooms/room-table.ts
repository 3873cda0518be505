/**
 * The rooms of this CoreMX and what the room units share. `RoomTable` holds the open rooms by id and the
 * recently ended ids (which refuse joins for `endedRetentionMs`, remembering who could have joined so a
 * refusal to others does not reveal that the room existed); it answers "this room, or why not"
 * (`require`, `assertOpen`). `RoomContext` is what every unit of the manager is built with: the options,
 * the table, the ICE candidate queue, the logger, the timeouts and the wait observer. `roomInfoOf` is the
 * pure summary the service API and metrics read.
 */
import { RoomErrorCode, roomSnapshot, type Room, type RoomTimeouts } from '@hoot/domain';
import { CashError, CashErrorCode } from '../cash-error';
import type { IceCandidateQueue } from './ice-candidate-queue';
import type {
  ManagerLogger,
  RoomAccess,
  RoomHolder,
  RoomInfo,
  RoomManagerOptions,
  WaitObserver,
} from './room-types';

export class RoomTable {
  readonly rooms = new Map<string, RoomHolder>();
  /** Ended room ids, with when they ended. */
  private readonly ended = new Map<string, number>();
  /** Who could join each recently ended room (so a refusal to others does not reveal that it existed). */
  private readonly endedAccessById = new Map<string, RoomAccess>();

  get(roomId: string): RoomHolder | undefined {
    return this.rooms.get(roomId);
  }

  has(roomId: string): boolean {
    return this.rooms.has(roomId);
  }

  holders(): RoomHolder[] {
    return [...this.rooms.values()];
  }

  /** True while the holder is still its room's (not ended, not forgotten after a failed creation). */
  isCurrent(holder: RoomHolder): boolean {
    return this.rooms.get(holder.room.id) === holder;
  }

  /** Starts keeping a new room (its queue empty). */
  open(room: Room): RoomHolder {
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

  /** Forgets a room whose creation was refused (if it is still that holder's). */
  forget(holder: RoomHolder): void {
    if (this.isCurrent(holder)) this.rooms.delete(holder.room.id);
  }

  /** The room, or `ROOM_ENDED` / `cash.room-not-found`. */
  require(roomId: string): RoomHolder {
    const holder = this.rooms.get(roomId);
    if (!holder) {
      if (this.ended.has(roomId)) throw new CashError(RoomErrorCode.ROOM_ENDED, 'The room has ended');
      throw new CashError(CashErrorCode.RoomNotFound, `no room ${roomId} on this CoreMX`);
    }
    return holder;
  }

  /** The holder may have been removed (ended, or its reservation failed) while a task waited. */
  assertOpen(holder: RoomHolder): void {
    if (!this.isCurrent(holder)) {
      throw new CashError(
        this.ended.has(holder.room.id) ? RoomErrorCode.ROOM_ENDED : CashErrorCode.RoomNotFound,
        this.ended.has(holder.room.id) ? 'The room has ended' : `room ${holder.room.id} is gone`,
      );
    }
  }

  /** True for a room that ended recently (its id refuses joins). */
  hasEnded(roomId: string): boolean {
    return this.ended.has(roomId);
  }

  /** Who could join a room that ended recently (undefined for any other id). */
  endedAccess(roomId: string): RoomAccess | undefined {
    return this.ended.has(roomId) ? this.endedAccessById.get(roomId) : undefined;
  }

  /** The room ended at `at`: it is no longer open, and its id refuses joins for a while. */
  markEnded(room: Room, at: number): void {
    this.rooms.delete(room.id);
    this.ended.set(room.id, at);
    this.endedAccessById.set(room.id, { creator: room.creator, public: room.public, allowed: room.allowed });
  }

  /** The id is reserved again: it no longer counts as ended. */
  clearEnded(roomId: string): void {
    this.ended.delete(roomId);
    this.endedAccessById.delete(roomId);
  }

  /** Forgets ids that ended `retentionMs` or longer before `now`. */
  forgetEndedBefore(now: number, retentionMs: number): void {
    for (const [id, at] of this.ended) {
      if (now - at >= retentionMs) this.clearEnded(id);
    }
  }
}

/** What every unit of the room manager is built with. */
export interface RoomContext {
  readonly options: RoomManagerOptions;
  readonly table: RoomTable;
  readonly ice: IceCandidateQueue;
  readonly logger: ManagerLogger;
  readonly timeouts: RoomTimeouts;
  readonly waits: WaitObserver;
}

/** The summary of a room the service API and metrics read. */
export function roomInfoOf(h: RoomHolder): RoomInfo {
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
