/**
 * A room's life on this CoreMX: reserved by the registry (or made by a first join), joined and left by
 * participants, changed by their commands (hands, approvals, kicks, chat, end), ended by its owner, the
 * platform or its timeouts (the sweep), and rebuilt on a new media server. Each step runs in the room's
 * queue and goes through the commit pipeline, so it is checked by the rules, journaled, and only then
 * committed and sent to observers. An ended room's id refuses joins for a while.
 */
import {
  applyRoomCommand,
  createRoom,
  expiryReason,
  findParticipant,
  p2pPeers,
  RoomErrorCode,
  type RoomCommand,
  type RoomEvent,
  type TimerHandle,
} from '@hoot/domain';
import { CashError, CashErrorCode } from '../cash-error';
import {
  checkMove,
  conferenceMovedInput,
  participantRoomCommand,
  type ParticipantCommand,
} from './room-commands';
import type { RoomCommit } from './room-commit';
import type { RoomJournal } from './room-journal';
import { usesMediaServer, type RoomMedia } from './room-media';
import { runInQueue } from './room-queue';
import { roomInfoOf, type RoomContext } from './room-table';
import {
  ROOM_MANAGER_DEFAULTS,
  type JoinInput,
  type ParticipantChannel,
  type ReserveInput,
  type RoomHolder,
  type RoomInfo,
} from './room-types';

export class RoomLifecycle {
  private sweepTimer: TimerHandle | undefined;

  constructor(
    private readonly ctx: RoomContext,
    private readonly journal: RoomJournal,
    private readonly commit: RoomCommit,
    private readonly media: RoomMedia,
    private readonly newParticipantId: () => string,
    /** What `joined` adds for the joiner: the live HLS streams it may play, the recording under way. */
    private readonly joinExtras: (holder: RoomHolder, participantId: string) => object = () => ({}),
  ) {}

  async reserve(input: ReserveInput): Promise<{ created: boolean; info: RoomInfo }> {
    const { options, table } = this.ctx;
    checkMove(input, options.coremxId);
    const { movedFrom, returning, ...room } = input;
    const existing = table.get(input.id);
    if (existing) {
      if (existing.room.type !== input.type) {
        throw new CashError(
          CashErrorCode.RoomExists,
          `room ${input.id} exists already as a ${existing.room.type} room`,
        );
      }
      return { created: false, info: roomInfoOf(existing) };
    }
    const createdAt = this.now();
    const created = createRoom({
      ...room,
      ...(movedFrom?.participants
        ? {
            returning: movedFrom.participants,
            returningLeftBy: createdAt + (options.movedLeaveWithinMs ?? 0),
          }
        : {}),
      ...(returning ? { returning } : {}),
      createdAt,
    });
    if (!created.ok) throw new CashError(created.code, created.message);
    const moved = conferenceMovedInput(created.room, movedFrom, options);
    this.journal.checkEventSizes([...this.journal.ccesInputsOf(created.events), ...moved]);
    table.clearEnded(input.id);
    const holder = table.open(created.room);
    await runInQueue(holder, async () => {
      try {
        await this.journal.journal(created.events, moved);
      } catch (error) {
        table.rooms.delete(holder.room.id);
        throw error;
      }
    });
    return { created: true, info: roomInfoOf(holder) };
  }

  async end(
    roomId: string,
    how: { by: string } | 'system' | 'empty-timeout' | 'reservation-timeout' = 'system',
  ): Promise<void> {
    const holder = this.ctx.table.require(roomId);
    const at = this.now();
    const command: RoomCommand =
      typeof how === 'string' ? { type: 'end', at, reason: how } : { type: 'end', at, byIdentity: how.by };
    await runInQueue(holder, () => this.commit.apply(holder, command));
  }

  async endAll(reason: 'system' = 'system'): Promise<void> {
    await Promise.all(
      [...this.ctx.table.rooms.keys()].map((id) =>
        this.end(id, reason).catch((error: unknown) =>
          this.ctx.logger.warn({ err: error, roomId: id }, 'could not end the room'),
        ),
      ),
    );
  }

  async join(input: JoinInput, channel: ParticipantChannel, re?: string): Promise<string> {
    const { options, table } = this.ctx;
    if (table.hasEnded(input.roomId)) {
      throw new CashError(RoomErrorCode.ROOM_ENDED, 'The room has ended');
    }
    let holder = table.get(input.roomId);
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
      holder = table.open(created.room);
      creation = created.events;
    }
    const h = holder;
    return runInQueue(h, async () => {
      table.assertOpen(h);
      const participantId = this.newParticipantId();
      const command: RoomCommand = {
        type: 'join',
        at: this.now(),
        participantId,
        identity: input.identity,
        ticketId: input.ticketId,
        ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
        ...(input.role !== undefined ? { role: input.role } : {}),
        ...(options.reconnectGraceMs !== undefined ? { resumeWithinMs: options.reconnectGraceMs } : {}),
      };
      if (creation) {
        const result = applyRoomCommand(h.room, command);
        if (!result.ok) {
          // The room stays (reserved, empty) as when its creation was journaled apart; the join is refused.
          await this.journal.journalCreated(h, creation);
          throw new CashError(result.code, result.message);
        }
        await this.commit.commit(h, result.room, result.events, creation);
      } else {
        await this.commit.apply(h, command);
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
        ...this.joinExtras(h, participantId),
      });
      this.media.prewarmPipeline(h);
      return participantId;
    });
  }

  async leave(roomId: string, participantId: string): Promise<void> {
    const holder = this.ctx.table.get(roomId);
    if (!holder) return;
    await runInQueue(holder, async () => {
      if (!this.ctx.table.isCurrent(holder) || !findParticipant(holder.room, participantId)) return;
      await this.commit.apply(holder, { type: 'leave', at: this.now(), participantId });
    });
  }

  async command(
    roomId: string,
    participantId: string,
    command: ParticipantCommand,
    re?: string,
  ): Promise<void> {
    const holder = this.ctx.table.require(roomId);
    await runInQueue(holder, async () => {
      this.ctx.table.assertOpen(holder);
      const full = participantRoomCommand(command, participantId, this.now());
      const channel = holder.channels.get(participantId);
      await this.commit.apply(holder, full);
      channel?.send({ type: 'ok', ...(re !== undefined ? { re } : {}) });
    });
  }

  async rebuildAll(reason: 'media-server-restarted' | 'media-session-lost' | 'manual'): Promise<void> {
    await Promise.all(
      this.ctx.table
        .holders()
        .filter((h) => usesMediaServer(h))
        .map((holder) =>
          runInQueue(holder, () => this.media.rebuild(holder, reason)).catch((error: unknown) =>
            this.ctx.logger.warn({ err: error, roomId: holder.room.id }, 'rebuild failed'),
          ),
        ),
    );
  }

  async sweep(): Promise<void> {
    const { options, table, timeouts } = this.ctx;
    table.forgetEndedBefore(this.now(), options.endedRetentionMs ?? ROOM_MANAGER_DEFAULTS.endedRetentionMs);
    await Promise.all(
      table.holders().map((holder) =>
        runInQueue(holder, async () => {
          if (!table.isCurrent(holder)) return;
          const reason = expiryReason(holder.room, this.now(), timeouts);
          if (reason === 'empty-timeout' || reason === 'reservation-timeout') {
            await this.commit.apply(holder, { type: 'end', at: this.now(), reason });
          }
        }).catch((error: unknown) =>
          this.ctx.logger.warn({ err: error, roomId: holder.room.id }, 'expiry failed'),
        ),
      ),
    );
  }

  start(): void {
    if (this.sweepTimer !== undefined) return;
    const { clock, sweepIntervalMs } = this.ctx.options;
    const schedule = () => {
      this.sweepTimer = clock.setTimeout(() => {
        void this.sweep().finally(() => {
          if (this.sweepTimer !== undefined) schedule();
        });
      }, sweepIntervalMs ?? ROOM_MANAGER_DEFAULTS.sweepIntervalMs);
      (this.sweepTimer as { unref?: () => void }).unref?.();
    };
    schedule();
  }

  stop(): void {
    if (this.sweepTimer !== undefined) this.ctx.options.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
  }

  private now(): number {
    return this.ctx.options.clock.now();
  }
}
