import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '@hoot/domain';
import type { CcesEventType } from './cces-catalog';
import { ccesMessageOf, type CcesEvent, type CcesEventOf } from './cces-envelope';
import { CcesError, CcesErrorCode } from './cces-error-code';
import { COREMX_ID_PATTERN } from './cces-fields';
import { CcesJournal, type CcesJournalRecord } from './cces-journal';
import { CcesSequencer } from './cces-sequencer';
import type { CcesSender } from './cces-sender.port';
import { cceTopicFor } from './cces-topic';
import { validateCcesPublishInput, type CcesPublishInput, type CcesPublisher } from './cces-publisher.port';

/** Producer tunables (defaults in `JOURNALED_PRODUCER_DEFAULTS`). */
export interface JournaledProducerOptions {
  coremxId: string;
  /** A folder of its own on a persistent volume; one producer at a time (locked). */
  journalDir: string;
  sender: CcesSender;
  clock?: Clock;
  /** fsync the journal before `publish` resolves. Default true; false only for throw-away runs. */
  fsync?: boolean;
  maxBatch?: number;
  /** Bytes of event values per Kafka request (a batch ends at `maxBatch` events or this, whichever first). */
  maxBatchBytes?: number;
  /** Bytes of journal lines per write and fsync (see `CcesJournalOptions.maxGroupBytes`). */
  journalGroupBytes?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  compactAfterLines?: number;
  maxBacklog?: number;
  /** Told about every failed send or topic check (a logger fits); the producer keeps retrying. */
  onSendError?: (error: Error, attempt: number) => void;
  newId?: () => string;
}

export const JOURNALED_PRODUCER_DEFAULTS = {
  /**
   * Events per Kafka request. Sends are one at a time (order is the contract), so a backlog drains at
   * about `maxBatch` events per broker round trip: large enough that a burst of many rooms is not bound by
   * round trips, while `maxBatchBytes` keeps a request well under the broker's 1 MiB message limits.
   */
  maxBatch: 1_000,
  /** ≈ 1,000 typical events of ≈ 0.5 KiB; at most a third of it lands in one partition's record batch. */
  maxBatchBytes: 512 * 1024,
  /** First pause after a failed send; doubles on each further failure… */
  retryInitialMs: 200,
  /** … up to this, so a returning broker is noticed within seconds without hammering a dead one. */
  retryMaxMs: 5_000,
  /** Rewrite the journal once it has this many lines, most of them acknowledged (keeps start-up reads short). */
  compactAfterLines: 10_000,
  /** Unsent events kept on disk (≈ 0.5 KiB each) before `publish` refuses: ≈ 500 MiB of journal. */
  maxBacklog: 1_000_000,
} as const;

export interface JournaledProducerStatus {
  topic: string;
  /** Events journaled but not yet acknowledged by Kafka. */
  backlog: number;
  /** `occurredAt` of the oldest of them. */
  oldestUnsentAt: string | undefined;
  consecutiveFailures: number;
  lastError: string | undefined;
  /** Epoch ms of the last acknowledged send. */
  lastSentAtMs: number | undefined;
  /** Set once the journal failed: the producer accepts nothing more until reopened. */
  failed: { code: CcesErrorCode; message: string } | undefined;
  /** Bytes of a torn last line cut from the journal at open (a crash during a write). */
  tornBytesAtOpen: number;
}

interface Entry extends CcesJournalRecord {
  durable: boolean;
  /** The Kafka message, made once at the first send (a retried batch is resent unchanged). */
  message?: ReturnType<typeof ccesMessageOf>;
}

/**
 * Publishes CCES events for one CoreMX without ever losing one:
 *
 * 1. `publish` validates the event, gives it the conference's next `seq` and appends it to the on-disk
 *    journal; it resolves once the journal is fsynced (the event now survives a crash).
 * 2. A single sender loop sends journaled events in journal order, in batches, through the idempotent
 *    producer with `acks=all`; on failure it keeps the batch and retries it unchanged with backoff.
 * 3. Acknowledged events are marked in the journal and compacted away; at open, the unacknowledged ones
 *    are sent first, in order, and seq numbering continues where it stopped.
 */
export class JournaledProducer implements CcesPublisher {
  readonly topic: string;
  private readonly entries: Entry[] = [];
  private nextN: number;
  private acked = 0;
  private closing = false;
  private failure: CcesError | undefined;
  private wake: (() => void) | undefined;
  private backoffTimer: ReturnType<Clock['setTimeout']> | undefined;
  private readonly flushWaiters: { n: number; resolve: () => void; reject: (e: Error) => void }[] = [];
  private consecutiveFailures = 0;
  private lastError: string | undefined;
  private lastSentAtMs: number | undefined;
  private readonly loop: Promise<void>;
  private readonly clock: Clock;
  private readonly settings: Record<keyof typeof JOURNALED_PRODUCER_DEFAULTS, number>;
  private readonly newId: () => string;

  private constructor(
    private readonly options: JournaledProducerOptions,
    private readonly journal: CcesJournal,
    private readonly sequencer: CcesSequencer,
    unacked: CcesJournalRecord[],
    nextN: number,
    private readonly tornBytes: number,
  ) {
    this.topic = cceTopicFor(options.coremxId);
    this.clock = options.clock ?? systemClock;
    this.newId = options.newId ?? randomUUID;
    this.settings = {
      maxBatch: options.maxBatch ?? JOURNALED_PRODUCER_DEFAULTS.maxBatch,
      maxBatchBytes: options.maxBatchBytes ?? JOURNALED_PRODUCER_DEFAULTS.maxBatchBytes,
      retryInitialMs: options.retryInitialMs ?? JOURNALED_PRODUCER_DEFAULTS.retryInitialMs,
      retryMaxMs: options.retryMaxMs ?? JOURNALED_PRODUCER_DEFAULTS.retryMaxMs,
      compactAfterLines: options.compactAfterLines ?? JOURNALED_PRODUCER_DEFAULTS.compactAfterLines,
      maxBacklog: options.maxBacklog ?? JOURNALED_PRODUCER_DEFAULTS.maxBacklog,
    };
    for (const record of unacked) this.entries.push({ ...record, durable: true });
    this.nextN = nextN;
    this.acked = unacked.length > 0 ? unacked[0].n - 1 : nextN - 1;
    this.loop = this.run();
  }

  /**
   * Opens the journal in `journalDir` (creating it), rebuilds the seq numbers and starts sending what it
   * holds. Kafka need not be reachable: the topic is ensured by the sender loop before its first send.
   */
  static async open(options: JournaledProducerOptions): Promise<JournaledProducer> {
    if (!COREMX_ID_PATTERN.test(options.coremxId)) {
      throw new RangeError(`not a CoreMX id: ${JSON.stringify(options.coremxId)}`);
    }
    const { journal, contents } = await CcesJournal.open(options.journalDir, {
      fsync: options.fsync,
      maxGroupBytes: options.journalGroupBytes,
    });
    const foreign = contents.unacked.find((record) => record.event.coremxId !== options.coremxId);
    if (foreign) {
      await journal.close();
      throw new CcesError(
        CcesErrorCode.JournalCorrupt,
        `journal ${options.journalDir} holds events of CoreMX ${foreign.event.coremxId}, not ${options.coremxId}`,
      );
    }
    const sequencer = new CcesSequencer(contents.seqs);
    return new JournaledProducer(
      options,
      journal,
      sequencer,
      contents.unacked,
      contents.nextN,
      contents.tornBytes,
    );
  }

  /**
   * Journals one event and resolves with it (seq assigned) once it is durable; sending happens after.
   * Rejects with a `CcesError` (changing nothing) for invalid input, a full journal, or a closed or failed producer.
   */
  publish<T extends CcesEventType>(input: CcesPublishInput<T>): Promise<CcesEventOf<T>> {
    try {
      const event = this.build(input);
      // The Kafka message is made once, here: its value is also the journal line's event.
      const message = ccesMessageOf(event);
      const entry: Entry = { n: this.nextN, event, eventJson: message.value, durable: false, message };
      this.nextN += 1;
      this.entries.push(entry);
      // One promise per event: the journal calls back once the line is on disk (or failed).
      return new Promise<CcesEventOf<T>>((resolve, reject) =>
        this.journal.appendThen(entry, (error) => {
          if (error) {
            // The journal is now failed for good; this entry never reached the disk and is never sent.
            this.failure ??= error;
            this.dropNonDurable();
            reject(error);
            return;
          }
          entry.durable = true;
          this.wake?.();
          resolve(event as CcesEventOf<T>);
        }),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Events journaled but not yet acknowledged by Kafka (for readiness and metrics). */
  backlog(): number {
    return this.entries.length;
  }

  status(): JournaledProducerStatus {
    return {
      topic: this.topic,
      backlog: this.entries.length,
      oldestUnsentAt: this.entries[0]?.event.occurredAt,
      consecutiveFailures: this.consecutiveFailures,
      lastError: this.lastError,
      lastSentAtMs: this.lastSentAtMs,
      failed: this.failure && { code: this.failure.code, message: this.failure.message },
      tornBytesAtOpen: this.tornBytes,
    };
  }

  /** Resolves once every event published before the call is acknowledged by Kafka. */
  flushed(): Promise<void> {
    const n = this.nextN - 1;
    if (this.acked >= n) return Promise.resolve();
    if (this.closing) return Promise.reject(new CcesError(CcesErrorCode.ProducerClosed, 'producer closed'));
    return new Promise((resolve, reject) => this.flushWaiters.push({ n, resolve, reject }));
  }

  /**
   * Stops sending and closes the journal (what was not sent stays in it for the next start). With
   * `drainTimeoutMs`, first waits up to that long for the backlog to be sent.
   */
  close(options: { drainTimeoutMs?: number } = {}): Promise<void> {
    this.closed ??= this.shutDown(options.drainTimeoutMs);
    return this.closed;
  }

  private closed: Promise<void> | undefined;

  private async shutDown(drainTimeoutMs: number | undefined): Promise<void> {
    if (drainTimeoutMs !== undefined && this.entries.length > 0 && !this.failure) {
      await new Promise<void>((resolve) => {
        const timer = this.clock.setTimeout(resolve, drainTimeoutMs);
        this.flushed().then(
          () => {
            this.clock.clearTimeout(timer);
            resolve();
          },
          () => resolve(),
        );
      });
    }
    this.closing = true;
    this.interrupt();
    await this.loop;
    for (const waiter of this.flushWaiters.splice(0)) {
      waiter.reject(
        new CcesError(CcesErrorCode.ProducerClosed, 'producer closed before the events were sent'),
      );
    }
    await this.journal.close();
    await this.options.sender.close().catch(() => undefined);
  }

  private build<T extends CcesEventType>(input: CcesPublishInput<T>): CcesEvent {
    if (this.closing) throw new CcesError(CcesErrorCode.ProducerClosed, 'producer closed');
    if (this.failure) throw this.failure;
    const valid = validateCcesPublishInput(input, this.clock);
    if (this.entries.length >= this.settings.maxBacklog) {
      throw new CcesError(
        CcesErrorCode.JournalFull,
        `${this.entries.length} events wait for Kafka (limit ${this.settings.maxBacklog})`,
      );
    }
    const seq = this.sequencer.next(valid.conferenceId);
    // The room's life is over: its numbering joins the recent ends (memory holds live rooms and those).
    if (valid.type === 'room.ended') this.sequencer.end(valid.conferenceId);
    return {
      id: this.newId(),
      type: valid.type,
      schemaVersion: valid.schemaVersion,
      coremxId: this.options.coremxId,
      conferenceId: valid.conferenceId,
      seq,
      occurredAt: valid.occurredAt,
      data: valid.data,
    } as CcesEvent;
  }

  private dropNonDurable(): void {
    const kept = this.entries.filter((entry) => entry.durable);
    this.entries.splice(0, this.entries.length, ...kept);
    // Events that never reached the disk were refused to their publisher: flushing no longer waits for them.
    const lastKept = kept.length > 0 ? kept[kept.length - 1].n : this.acked;
    for (const waiter of this.flushWaiters) waiter.n = Math.min(waiter.n, lastKept);
    this.settleFlushWaiters();
  }

  private async run(): Promise<void> {
    let topicReady = false;
    let inflight: Entry[] | undefined;
    while (!this.closing) {
      if (!inflight) {
        const ready: Entry[] = [];
        let bytes = 0;
        for (const entry of this.entries) {
          if (!entry.durable || ready.length >= this.settings.maxBatch) break;
          entry.message ??= ccesMessageOf(entry.event);
          bytes += entry.message.value.length;
          if (ready.length > 0 && bytes > this.settings.maxBatchBytes) break;
          ready.push(entry);
        }
        if (ready.length === 0) {
          await new Promise<void>((resolve) => {
            this.wake = resolve;
            if (this.closing) resolve();
          });
          this.wake = undefined;
          continue;
        }
        inflight = ready;
      }
      try {
        if (!topicReady) {
          await this.options.sender.ensureTopic(this.topic);
          topicReady = true;
        }
        // A failed batch is resent unchanged, so the broker can recognise what it already has.
        await this.options.sender.send(
          this.topic,
          inflight.map((entry) => entry.message ?? ccesMessageOf(entry.event)),
        );
      } catch (error) {
        this.consecutiveFailures += 1;
        const err = error instanceof Error ? error : new Error(String(error));
        this.lastError = err.message;
        this.options.onSendError?.(err, this.consecutiveFailures);
        await this.backoff();
        continue;
      }
      const sent = inflight;
      inflight = undefined;
      this.consecutiveFailures = 0;
      this.lastError = undefined;
      this.lastSentAtMs = this.clock.now();
      this.entries.splice(0, sent.length);
      this.acked = sent[sent.length - 1].n;
      this.settleFlushWaiters();
      // The ack line is written behind the next send, not before it: it is not fsynced and a lost one only
      // means a resend (the broker drops what it has), so the next batch need not wait for the disk. Ack
      // writes stay in order (one chain) and are finished before the loop ends.
      // The journal's queue is FIFO, so the ack line is queued at once, in order.
      const written = this.journal.ack(this.acked);
      written.catch(() => undefined); // awaited (and its failure handled) in recordAck, maybe a little later
      this.ackChain = this.ackChain.then(() => this.recordAck(written));
    }
    await this.ackChain;
  }

  private ackChain: Promise<void> = Promise.resolve();

  private async recordAck(written: Promise<void>): Promise<void> {
    try {
      await written;
      if (this.journal.lineCount >= this.settings.compactAfterLines) await this.journal.compact();
    } catch (error) {
      // The journal failed: keep sending what is durable, refuse new events (see `status().failed`).
      this.failure ??= error as CcesError;
      this.dropNonDurable();
    }
  }

  private settleFlushWaiters(): void {
    for (let i = this.flushWaiters.length - 1; i >= 0; i -= 1) {
      if (this.flushWaiters[i].n <= this.acked) this.flushWaiters.splice(i, 1)[0].resolve();
    }
  }

  private backoff(): Promise<void> {
    const delay = Math.min(
      this.settings.retryMaxMs,
      this.settings.retryInitialMs * 2 ** Math.min(this.consecutiveFailures - 1, 20),
    );
    return new Promise((resolve) => {
      this.wake = undefined;
      if (this.closing) return resolve();
      this.backoffTimer = this.clock.setTimeout(() => {
        this.backoffTimer = undefined;
        resolve();
      }, delay);
      this.interruptBackoff = () => {
        if (this.backoffTimer !== undefined) this.clock.clearTimeout(this.backoffTimer);
        this.backoffTimer = undefined;
        resolve();
      };
    });
  }

  private interruptBackoff: (() => void) | undefined;

  private interrupt(): void {
    this.wake?.();
    this.interruptBackoff?.();
  }
}
