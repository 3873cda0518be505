import { randomUUID } from 'node:crypto';
import type { Clock } from '@hoot/domain';
import {
  CcesSequencer,
  validateCcesPublishInput,
  type CcesEnvelope,
  type CcesEventOf,
  type CcesEvent,
  type CcesEventType,
  type CcesPublishInput,
  type CcesPublisher,
} from '../lib/cces';

/**
 * A `CcesPublisher` for unit specs of services (CASH): validates like the real producer, numbers seqs per
 * conference, and keeps the events in memory instead of a journal and Kafka.
 */
export class InMemoryCcesPublisher implements CcesPublisher {
  readonly events: CcesEvent[] = [];
  private readonly sequencer = new CcesSequencer();

  constructor(
    private readonly coremxId: string,
    private readonly clock: Pick<Clock, 'now'> = { now: () => Date.now() },
  ) {}

  async publish<T extends CcesEventType>(input: CcesPublishInput<T>): Promise<CcesEventOf<T>> {
    const valid = validateCcesPublishInput(input, this.clock);
    const event = {
      id: randomUUID(),
      coremxId: this.coremxId,
      ...valid,
      seq: this.sequencer.next(valid.conferenceId),
    } as CcesEventOf<T>;
    this.events.push(event as CcesEvent);
    return event;
  }

  backlog(): number {
    return 0;
  }

  /** The events of one type (for assertions). */
  ofType<T extends CcesEventType>(type: T): CcesEnvelope<T>[] {
    return this.events.filter((event) => event.type === type) as CcesEnvelope<T>[];
  }
}
