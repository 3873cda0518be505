import type { Clock } from '@hoot/domain';
import type { CcesEvent, CcesParseResult, CcesPublishInput, CcesPublisher } from '@hoot/events';

/** A room the previous process of this CoreMX left open on its topic, with who was still in it. */
export interface LostRoom {
  conferenceId: string;
  /** Participant ids still present, in join order. */
  participantIds: string[];
  /** The last seq of the conference read from the topic. */
  lastSeq: number;
}

interface Stream {
  open: boolean;
  lastSeq: number;
  /** participantId → identity, in join order. */
  present: Map<string, string>;
}

/**
 * Folds a CoreMX's own topic, read from its beginning, into the rooms still open on it: a room is open
 * from its `room.reserved` / `room.started` (or a first `participant.joined`) until its `room.ended`; a
 * participant is present from `participant.joined` until `participant.left` / `participant.kicked`.
 * Skipped (counted): messages that fail validation, events of another CoreMX, and resends (a seq of the
 * conference already folded: the producer resends its unacknowledged tail after a crash).
 */
export class LostRoomFold {
  private readonly streams = new Map<string, Stream>();
  skipped = 0;
  resent = 0;

  constructor(private readonly coremxId: string) {}

  add(result: CcesParseResult): void {
    if (!result.ok) {
      this.skipped += 1;
      return;
    }
    this.addEvent(result.event);
  }

  addEvent(event: CcesEvent): void {
    if (event.coremxId !== this.coremxId) {
      this.skipped += 1;
      return;
    }
    if (event.type === 'coremx.state-changed' || event.type === 'conference.moved') return;
    let stream = this.streams.get(event.conferenceId);
    if (stream && event.seq <= stream.lastSeq) {
      this.resent += 1;
      return;
    }
    stream ??= { open: false, lastSeq: 0, present: new Map() };
    this.streams.set(event.conferenceId, stream);
    stream.lastSeq = event.seq;
    switch (event.type) {
      case 'room.reserved':
      case 'room.started':
        if (!stream.open) stream.present.clear();
        stream.open = true;
        return;
      case 'participant.joined':
        if (!stream.open) stream.present.clear();
        stream.open = true;
        stream.present.set(event.data.participantId, event.data.identity);
        return;
      case 'participant.left':
      case 'participant.kicked':
        stream.present.delete(event.data.participantId);
        return;
      case 'room.ended':
        stream.open = false;
        stream.present.clear();
        return;
      default:
        return;
    }
  }

  /** The rooms still open, by conference id. */
  openRooms(): LostRoom[] {
    return [...this.streams.entries()]
      .filter(([, s]) => s.open)
      .map(([conferenceId, s]) => ({
        conferenceId,
        participantIds: [...s.present.keys()],
        lastSeq: s.lastSeq,
      }))
      .sort((a, b) => (a.conferenceId < b.conferenceId ? -1 : a.conferenceId > b.conferenceId ? 1 : 0));
  }
}

/**
 * What closes a lost room: one `room.ended` with reason `system` (the platform ended it, `by: null`) listing
 * everyone still in it — exactly what a drain of the room publishes. The contract says no
 * `participant.left` comes for the participants a `room.ended` lists (they are out with it), and the
 * registries' directory keeps that list as the room's returning roster (they come back with their roles).
 */
export function closingEventsOf(room: LostRoom): CcesPublishInput<'room.ended'>[] {
  return [
    {
      type: 'room.ended',
      conferenceId: room.conferenceId,
      data: { by: null, reason: 'system', participantIds: [...room.participantIds] },
    },
  ];
}

/** The producer as recovery uses it (`JournaledProducer`). */
export interface RecoveryProducer extends CcesPublisher {
  /** Resolves once every event journaled before the call is acknowledged by Kafka. */
  flushed(): Promise<void>;
}

export interface RecoveryLogger {
  log(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CloseLostRoomsOptions {
  coremxId: string;
  producer: RecoveryProducer;
  /** Reads this CoreMX's topic from its beginning to its current end (`readCcesTopicToEnd`); rejects on failure. */
  readTopic: (onMessage: (result: CcesParseResult) => void) => Promise<unknown>;
  clock: Pick<Clock, 'now' | 'setTimeout'>;
  logger: RecoveryLogger;
  /** First pause after a failed read, doubled on each failure up to `retryMaxMs`. */
  retryInitialMs?: number;
  retryMaxMs?: number;
}

export interface LostRoomsClosed {
  rooms: number;
  participants: number;
  /** Messages read from the topic. */
  read: number;
  /** Of them, not valid or not this CoreMX's. */
  skipped: number;
}

/**
 * Closes every room the previous process of this CoreMX left open on its own topic, before the CASH takes a
 * join: waits until the journal's backlog from before the crash is in Kafka, reads the topic to its current
 * end, and publishes the closing events of each open room through the producer (seq continues from the
 * journal: gap-free, never repeated). A read that fails is retried with backoff, logged; a publish that
 * fails (the journal failed) rejects — the process must not serve.
 */
export async function closeLostRooms(options: CloseLostRoomsOptions): Promise<LostRoomsClosed> {
  const { producer, logger, clock } = options;
  const startedAt = clock.now();
  const initial = options.retryInitialMs ?? 500;
  const max = options.retryMaxMs ?? 10_000;
  const backlog = producer.backlog();
  if (backlog > 0)
    logger.log({ backlog }, 'closing lost rooms: waiting for the journal backlog to reach Kafka');
  await producer.flushed();

  let fold: LostRoomFold;
  let read = 0;
  for (let attempt = 1, pause = initial; ; attempt += 1, pause = Math.min(max, pause * 2)) {
    fold = new LostRoomFold(options.coremxId);
    read = 0;
    const current = fold;
    try {
      await options.readTopic((result) => {
        read += 1;
        current.add(result);
      });
      break;
    } catch (error) {
      logger.warn({ err: error, attempt, retryInMs: pause }, 'closing lost rooms: could not read the topic');
      await new Promise<void>((resolve) => clock.setTimeout(resolve, pause));
    }
  }

  let participants = 0;
  const rooms = fold.openRooms();
  for (const room of rooms) {
    for (const input of closingEventsOf(room)) await producer.publish(input);
    participants += room.participantIds.length;
    logger.log(
      { conferenceId: room.conferenceId, participants: room.participantIds.length, lastSeq: room.lastSeq },
      'closed a room left open by the previous process',
    );
  }
  const summary = { rooms: rooms.length, participants, read, skipped: fold.skipped };
  logger.log({ ...summary, resent: fold.resent, ms: clock.now() - startedAt }, 'lost rooms closed');
  return summary;
}
