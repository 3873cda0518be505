import type { Clock, TimerHandle } from '@hoot/domain';

/**
 * Keeps one long-running service of the local platform up, as a cluster would: a crashed service is started
 * again (the same command, so the same ports, state and keys) after a backoff that doubles from
 * `backoffMs.initial` to `backoffMs.max`; only a crash loop (`crashLoop.crashes` crashes within
 * `crashLoop.withinMs`) makes it give up, which the launcher turns into stopping everything. `stop()` ends
 * it at any moment: while the service runs, during a backoff, or while a restart is not ready yet.
 */

/** The supervisor's clock: `@hoot/domain`'s (`systemClock`, or `@hoot/testing`'s FakeClock in specs). */
export type SupervisorClock = Clock;

export interface SupervisorPolicy {
  /** The first restart's delay; each crash that follows doubles it, up to `max`. */
  backoffMs: { initial: number; max: number };
  /** A service that stayed up this long after it was ready starts again from `backoffMs.initial`. */
  resetAfterMs: number;
  /** This many crashes (a failed restart counts) within `withinMs` is a crash loop: give up. */
  crashLoop: { crashes: number; withinMs: number };
}

/** 1 s, 2 s, 4 s … 30 s; 5 crashes within 60 s stop the platform; a minute up resets the backoff. */
export const DEFAULT_SUPERVISOR_POLICY: SupervisorPolicy = {
  backoffMs: { initial: 1_000, max: 30_000 },
  resetAfterMs: 60_000,
  crashLoop: { crashes: 5, withinMs: 60_000 },
};

/**
 * The policy a platform runs with: dev mode (`npm start`) supervises by default, test mode does not (a
 * crashed service stays down, as the specs that kill one to watch a failover expect) unless asked to. Fields
 * given override the defaults.
 */
export function supervisionPolicy(
  mode: 'dev' | 'test',
  supervise: false | Partial<SupervisorPolicy> | undefined,
): SupervisorPolicy | undefined {
  const given = supervise ?? (mode === 'dev' ? {} : false);
  if (given === false) return undefined;
  return {
    backoffMs: { ...DEFAULT_SUPERVISOR_POLICY.backoffMs, ...given.backoffMs },
    resetAfterMs: given.resetAfterMs ?? DEFAULT_SUPERVISOR_POLICY.resetAfterMs,
    crashLoop: { ...DEFAULT_SUPERVISOR_POLICY.crashLoop, ...given.crashLoop },
  };
}

/** How a process ended: its exit code, or the signal that killed it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What the supervisor needs of a running service (a `ManagedProcess` adapts to it). */
export interface SupervisedProcess {
  /** Resolves when the process has exited, however. */
  readonly exit: Promise<ProcessExit>;
  /** Stops it (and whatever it left in its process group); also called once it has exited. */
  stop(): Promise<void>;
  /** Its last lines of output. */
  recentOutput(): string;
}

export type SupervisorEvent =
  | {
      type: 'crashed';
      part: string;
      exit?: ProcessExit;
      crashes: number;
      restartInMs: number;
      attempt: number;
    }
  | { type: 'restarting'; part: string; attempt: number }
  | { type: 'restarted'; part: string; attempt: number; ms: number }
  | { type: 'restart-failed'; part: string; attempt: number; error: string }
  | { type: 'crash-loop'; part: string; crashes: number; withinMs: number; lastOutput: string };

/** Why a supervisor gave up: the service, how many crashes in which window, and its last lines of output. */
export interface CrashLoop {
  part: string;
  crashes: number;
  withinMs: number;
  lastExit: ProcessExit | undefined;
  lastOutput: string;
  message: string;
}

export interface ServiceSupervisorOptions {
  part: string;
  policy: SupervisorPolicy;
  clock: SupervisorClock;
  /** Starts the service again; resolves once it is ready; rejects if it fails first or `signal` aborts. */
  restart(attempt: number, signal: AbortSignal): Promise<SupervisedProcess>;
  onEvent?: (event: SupervisorEvent) => void;
}

/** The backoff before restart number `consecutive` (1-based) of a run of crashes. */
export function backoffFor(policy: SupervisorPolicy, consecutive: number): number {
  const { initial, max } = policy.backoffMs;
  return Math.min(max, initial * 2 ** Math.max(0, Math.min(consecutive - 1, 30)));
}

/** `signal SIGKILL` or `code 1`, as the launcher prints an exit. */
export function describeExit(exit: ProcessExit | undefined): string {
  if (!exit) return 'did not become ready';
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}

export class ServiceSupervisor {
  /** Resolves if the service crash-loops (the supervisor has then stopped trying); never rejects. */
  readonly gaveUp: Promise<CrashLoop>;
  private current: SupervisedProcess | undefined;
  private readonly crashTimes: number[] = [];
  private consecutive = 0;
  private attempts = 0;
  private readySince: number;
  private lastExit: ProcessExit | undefined;
  private lastOutput = '';
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private backoffTimer: TimerHandle | undefined;
  private wakeFromBackoff: (() => void) | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void>;
  private onGiveUp: (loop: CrashLoop) => void = () => undefined;

  constructor(
    private readonly options: ServiceSupervisorOptions,
    first: SupervisedProcess,
  ) {
    this.gaveUp = new Promise((resolve) => (this.onGiveUp = resolve));
    this.current = first;
    this.readySince = options.clock.now();
    this.loop = this.watch(first);
  }

  /** Restarts so far (successful or not). */
  get restarts(): number {
    return this.attempts;
  }

  /** The process running now, if any (none during a backoff or a restart that is not ready yet). */
  get process(): SupervisedProcess | undefined {
    return this.current;
  }

  /**
   * No more restarts (a backoff ends, a restart not ready yet is aborted), but what runs keeps running: the
   * platform's stop calls this on every service first, so a service that exits because its dependency was
   * stopped before it is not started again.
   */
  standDown(): void {
    this.stopped = true;
    this.abort.abort();
    if (this.backoffTimer !== undefined) this.options.clock.clearTimeout(this.backoffTimer);
    this.backoffTimer = undefined;
    this.wakeFromBackoff?.();
  }

  /** Stops the service and any restart in progress; idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.standDown();
      await this.current?.stop();
      await this.loop;
    })();
    return this.stopping;
  }

  private async watch(first: SupervisedProcess): Promise<void> {
    let running: SupervisedProcess | undefined = first;
    while (!this.stopped) {
      if (running) {
        const exit = await running.exit;
        if (this.stopped) return;
        this.lastExit = exit;
        this.lastOutput = running.recentOutput();
        this.current = undefined;
        await running.stop().catch(() => undefined); // the rest of its process group, its log
        if (this.options.clock.now() - this.readySince >= this.options.policy.resetAfterMs)
          this.consecutive = 0;
      }
      if (!this.recordCrash(running ? this.lastExit : undefined)) return;
      const waitMs = backoffFor(this.options.policy, this.consecutive);
      await this.sleep(waitMs);
      if (this.stopped) return;
      this.attempts += 1;
      const attempt = this.attempts;
      const t0 = this.options.clock.now();
      this.emit({ type: 'restarting', part: this.options.part, attempt });
      try {
        running = await this.options.restart(attempt, this.abort.signal);
      } catch (error) {
        if (this.stopped) return;
        const message = error instanceof Error ? error.message : String(error);
        this.lastExit = undefined;
        this.lastOutput = message.split('\n').slice(1).join('\n') || message;
        this.emit({
          type: 'restart-failed',
          part: this.options.part,
          attempt,
          error: message.split('\n')[0],
        });
        running = undefined;
        continue;
      }
      if (this.stopped) {
        await running.stop();
        return;
      }
      this.current = running;
      this.readySince = this.options.clock.now();
      this.emit({ type: 'restarted', part: this.options.part, attempt, ms: this.readySince - t0 });
    }
  }

  /** Counts a crash; false (and gives up) if it makes a crash loop. */
  private recordCrash(exit: ProcessExit | undefined): boolean {
    const { crashes, withinMs } = this.options.policy.crashLoop;
    const now = this.options.clock.now();
    this.crashTimes.push(now);
    while (this.crashTimes.length && this.crashTimes[0] <= now - withinMs) this.crashTimes.shift();
    this.consecutive += 1;
    const part = this.options.part;
    if (this.crashTimes.length >= crashes) {
      const lastOutput = this.lastOutput
        .split('\n')
        .filter((line) => line.trim())
        .slice(-20)
        .join('\n');
      this.emit({ type: 'crash-loop', part, crashes: this.crashTimes.length, withinMs, lastOutput });
      this.stopped = true;
      this.onGiveUp({
        part,
        crashes: this.crashTimes.length,
        withinMs,
        lastExit: exit,
        lastOutput,
        message:
          `${part} crashed ${this.crashTimes.length} times within ${Math.round(withinMs / 1000)} s ` +
          `(last: ${describeExit(exit)}); not restarting it again`,
      });
      return false;
    }
    this.emit({
      type: 'crashed',
      part,
      exit,
      crashes: this.crashTimes.length,
      restartInMs: backoffFor(this.options.policy, this.consecutive),
      attempt: this.attempts + 1,
    });
    return true;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeFromBackoff = resolve;
      this.backoffTimer = this.options.clock.setTimeout(() => {
        this.backoffTimer = undefined;
        resolve();
      }, ms);
    });
  }

  private emit(event: SupervisorEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch {
      // A listener's bug must not stop the supervision.
    }
  }
}
