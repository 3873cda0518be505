/**
 * The room's side of the event journal (CCES): a room change is made only once its events are durable.
 * Each room event becomes its CCES input (`cces-event.mapper`), every input of a batch is checked against
 * its contract before any is handed over (a refused one journals nothing of the batch), all of a batch
 * are handed over in one tick so one journal write can carry them, and the wait until durable is timed
 * for the metrics. A refusal becomes `cash.events-unavailable`, and nothing of the room changes.
 */
import type { RoomEvent } from '@hoot/domain';
import {
  CCES_MAX_VALUE_BYTES,
  ccesValueBytesAtMost,
  validateCcesPublishInput,
  type CcesAnyPublishInput,
} from '@hoot/events';
import { CashError, CashErrorCode } from '../cash-error';
import { ccesInputOf } from './cces-event.mapper';
import type { RoomContext } from './room-table';
import type { RoomHolder } from './room-types';

export class RoomJournal {
  constructor(private readonly ctx: RoomContext) {}

  /**
   * Publishes the events (then `extra` CCES events) in order; all of them must be durable before the
   * change is committed. Every input is checked against its contract first, so a refused one journals
   * nothing of the batch.
   */
  async journal(events: RoomEvent[], extra: CcesAnyPublishInput[] = []): Promise<void> {
    await this.publishAll(this.checked(events, extra));
  }

  /**
   * Journals the events that made a room by a join, and then `events` (the join's), both handed to the
   * journal in the same tick so that one write and one wait for the disk carry them. As when they were
   * journaled one after the other: if the room's events are refused the room is forgotten (and the
   * join's are not journaled); if only the join's are refused the room stays.
   */
  async journalCreated(holder: RoomHolder, creation: RoomEvent[], events: RoomEvent[] = []): Promise<void> {
    const forget = () => this.ctx.table.forget(holder);
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

  /** The CCES inputs of the room events (those that have one). */
  ccesInputsOf(events: RoomEvent[]): CcesAnyPublishInput[] {
    return events
      .map((e) => ccesInputOf(e, this.ctx.options.mixerAddress, this.ctx.options.chatEvents))
      .filter((i) => i !== undefined);
  }

  /**
   * Refuses a reservation whose events every CCES consumer would refuse as too large (and dead-letter),
   * before anything exists. Contract refusals are left to `journal`.
   */
  checkEventSizes(inputs: CcesAnyPublishInput[]): void {
    for (const input of inputs) {
      let bytes: number;
      try {
        bytes = ccesValueBytesAtMost(input, this.ctx.options.coremxId);
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

  /** The CCES inputs of the events (then `extra`), each checked against its contract. */
  private checked(events: RoomEvent[], extra: CcesAnyPublishInput[] = []): CcesAnyPublishInput[] {
    const inputs = [...this.ccesInputsOf(events), ...extra];
    try {
      for (const input of inputs) validateCcesPublishInput(input, this.ctx.options.clock);
    } catch (error) {
      throw this.refused(error);
    }
    return inputs;
  }

  /** Publishes checked inputs, all in this tick (one journal write can carry them); resolves once durable. */
  private async publishAll(inputs: CcesAnyPublishInput[]): Promise<void> {
    const started = performance.now();
    try {
      await Promise.all(inputs.map((input) => this.ctx.options.events.publish(input)));
    } catch (error) {
      throw this.refused(error);
    }
    this.ctx.waits.observe?.('journal', performance.now() - started);
  }

  private refused(error: unknown): CashError {
    this.ctx.logger.warn({ err: error }, 'CCES events refused; the room change is not made');
    return new CashError(
      CashErrorCode.EventsUnavailable,
      `the event journal refused the change: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
