/**
 * The commit pipeline of a room command. A command is checked by the pure room rules
 * (`applyRoomCommand`); its events are journaled (`RoomJournal`) and only once they are durable is the new
 * state made current; then the effects that remove people are done (a participant who left, was kicked,
 * or whose room ended is dropped with its media and told why before the patch goes out), every remaining
 * observer gets the versioned patch, and the effects that follow it (a raised hand reaches the owner as a
 * `publish-request`). A refusal at any step changes nothing. Runs inside the room's queue.
 */
import {
  applyRoomCommand,
  roomPatch,
  roomSnapshot,
  streamSourceOf,
  type Room,
  type RoomCommand,
  type RoomEvent,
} from '@hoot/domain';
import { CashError, CashErrorCode } from '../cash-error';
import type { RoomJournal } from './room-journal';
import type { RoomMedia } from './room-media';
import type { RoomContext } from './room-table';
import { CLOSE_CODES, type RoomHolder } from './room-types';

export class RoomCommit {
  constructor(
    private readonly ctx: RoomContext,
    private readonly journal: RoomJournal,
    private readonly media: RoomMedia,
  ) {}

  /** Applies a command through the rules; a refusal throws with the rule's code and changes nothing. */
  async apply(holder: RoomHolder, command: RoomCommand): Promise<void> {
    const result = applyRoomCommand(holder.room, command);
    if (!result.ok) throw new CashError(result.code, result.message);
    await this.commit(holder, result.room, result.events);
  }

  /**
   * Journals the events, then makes the new state current, tells observers, and does the side effects.
   * `creation`: the events that made the room, not journaled yet: journaled first, in the same write.
   */
  async commit(holder: RoomHolder, room: Room, events: RoomEvent[], creation?: RoomEvent[]): Promise<void> {
    // A room that ends stops its recording and its HLS streams first, so their events come before
    // `room.ended` on the topic (their seqs are taken now, ahead of the end's).
    if (events.some((e) => e.type === 'room.ended')) this.media.endPackagerFeeds(holder);
    if (creation) await this.journal.journalCreated(holder, creation, events);
    else await this.journal.journal(events);
    const before = holder.view;
    holder.room = room;
    holder.view = roomSnapshot(room);
    for (const event of events) this.beforePatch(holder, event, events);
    if (!this.ctx.table.isCurrent(holder)) return;
    const patch = roomPatch(before, holder.view);
    for (const channel of holder.channels.values()) channel.send({ type: 'patch', patch });
    for (const event of events) this.afterPatch(holder, event);
  }

  /** Effects that remove participants (before the patch goes out, so they do not receive it). */
  private beforePatch(holder: RoomHolder, event: RoomEvent, events: RoomEvent[]): void {
    switch (event.type) {
      case 'stream.unpublished': {
        // A leave or a kick unpublishes first: the HLS stream ends because its publisher left.
        const leaving = events.some(
          (e) =>
            (e.type === 'participant.left' || e.type === 'participant.kicked') &&
            e.participantId === event.participantId,
        );
        const reason = leaving ? 'left' : 'unpublished';
        if (event.kinds.includes('screen'))
          this.media.dropPublishEndpoint(holder, event.participantId, 'screen', true, reason);
        if (event.kinds.some((k) => streamSourceOf(k) === 'camera'))
          this.media.dropPublishEndpoint(holder, event.participantId, 'camera', true, reason);
        break;
      }
      case 'participant.left': {
        const channel = holder.channels.get(event.participantId);
        this.media.dropParticipant(holder, event.participantId);
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
        this.media.dropParticipant(holder, event.participantId);
        channel?.send({ type: 'kicked', by: event.by });
        channel?.close(CLOSE_CODES.kicked, 'kicked');
        break;
      }
      case 'room.ended': {
        this.ctx.table.markEnded(holder.room, this.ctx.options.clock.now());
        const channels = [...holder.channels.values()];
        holder.channels.clear();
        this.media.releaseRoom(holder);
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
}
