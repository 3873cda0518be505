import type { Clock, TimerHandle } from '@hoot/domain';
import type { ManagerLogger } from '../rooms/room-manager';
import type { CoreMxReport, RegistryAnswer, RegistryLink } from './registry-link.port';

export interface HeartbeatOptions {
  coremxId: string;
  link: RegistryLink;
  clock: Clock;
  intervalMs: number;
  /** Changes on every start (start time in ms). */
  incarnation: number;
  /** The report's figures, read at each beat. */
  figures: () => Omit<CoreMxReport, 'incarnation' | 'seq'>;
  logger?: ManagerLogger;
}

export interface HeartbeatStatus {
  seq: number;
  lastAnswer?: RegistryAnswer;
  /** Epoch ms of the last accepted report. */
  lastOkAt?: number;
  consecutiveFailures: number;
  lastError?: string;
}

/**
 * Registers and heartbeats this CoreMX with its registry every `intervalMs`, and at once when `beatNow()`
 * is called (a state change). `seq` increases with every report; one report is in flight at a time.
 */
export class HeartbeatService {
  private seq = 0;
  private timer: TimerHandle | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;
  private again = false;
  private readonly current: HeartbeatStatus = { seq: 0, consecutiveFailures: 0 };

  constructor(private readonly options: HeartbeatOptions) {}

  status(): HeartbeatStatus {
    return { ...this.current };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.beatNow();
  }

  /** Sends a report now (after the one in flight, if any). */
  beatNow(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.inFlight = this.beat().finally(() => {
      this.inFlight = undefined;
      if (this.again) {
        this.again = false;
        void this.beatNow();
      } else if (this.running) {
        this.timer = this.options.clock.setTimeout(() => {
          this.timer = undefined;
          void this.beatNow();
        }, this.options.intervalMs);
        (this.timer as { unref?: () => void }).unref?.();
      }
    });
    return this.inFlight;
  }

  /** Stops beating and deregisters (best effort). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    this.seq += 1;
    try {
      await this.options.link.deregister(this.options.coremxId, {
        incarnation: this.options.incarnation,
        seq: this.seq,
      });
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'deregistration failed');
    }
  }

  private async beat(): Promise<void> {
    this.seq += 1;
    this.current.seq = this.seq;
    const report: CoreMxReport = {
      ...this.options.figures(),
      incarnation: this.options.incarnation,
      seq: this.seq,
    };
    try {
      const answer = await this.options.link.report(this.options.coremxId, report);
      this.current.lastAnswer = answer;
      this.current.lastOkAt = this.options.clock.now();
      this.current.consecutiveFailures = 0;
      this.current.lastError = undefined;
    } catch (error) {
      this.current.consecutiveFailures += 1;
      this.current.lastError = error instanceof Error ? error.message : String(error);
      if (this.current.consecutiveFailures === 1 || this.current.consecutiveFailures % 12 === 0) {
        this.options.logger?.warn(
          { err: error, failures: this.current.consecutiveFailures },
          'heartbeat failed',
        );
      }
    }
  }
}
