/**
 * Structurally the `Clock` port of `@hoot/domain` (kept apart so this lib depends on nothing of ours and
 * every lib's specs may use it without a dependency cycle); a FakeClock is accepted wherever a Clock is.
 */
export interface ClockLike {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface FakeTimerHandle {
  readonly id: number;
}

interface Timer {
  readonly id: number;
  readonly dueAt: number;
  readonly callback: () => void;
}

/**
 * A clock that moves only when told to. Timers fire in due order (then in scheduling order) during
 * `advance`, and a timer scheduled by a firing callback fires in the same `advance` if it falls due.
 */
export class FakeClock implements ClockLike {
  private current: number;
  private nextId = 1;
  private timers: Timer[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): FakeTimerHandle {
    const timer = { id: this.nextId++, dueAt: this.current + Math.max(0, delayMs), callback };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: unknown): void {
    const id = (handle as FakeTimerHandle | undefined)?.id;
    this.timers = this.timers.filter((timer) => timer.id !== id);
  }

  /** Number of timers still waiting. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, each at its own time. */
  advance(ms: number): void {
    if (ms < 0) throw new RangeError('FakeClock cannot go backwards');
    const target = this.current + ms;
    for (;;) {
      const due = this.timers
        .filter((timer) => timer.dueAt <= target)
        .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.current = Math.max(this.current, due.dueAt);
      due.callback();
    }
    this.current = target;
  }

  /** Jumps to an absolute time (forward only). */
  set(ms: number): void {
    this.advance(ms - this.current);
  }
}
