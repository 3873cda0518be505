import type { Clock } from '@hoot/domain';

export interface RateDecision {
  allowed: boolean;
  /** When refused: how long until the window resets. */
  retryAfterMs: number;
}

/**
 * Fixed-window counters per key, in memory (per replica: with N replicas an attacker gets N× the
 * budget, still far below what brute force needs). Entries of past windows are dropped as it goes.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {}

  /** Would one more event for `key` be within the limit? (Does not count it.) */
  check(key: string): RateDecision {
    const now = this.clock.now();
    const w = this.current(key, now);
    if (w && w.count >= this.limit) return { allowed: false, retryAfterMs: w.start + this.windowMs - now };
    return { allowed: true, retryAfterMs: 0 };
  }

  /** Counts one event for `key`. */
  hit(key: string): void {
    const now = this.clock.now();
    const w = this.current(key, now);
    if (w) w.count += 1;
    else {
      if (this.windows.size >= this.maxKeys) this.dropExpired(now);
      this.windows.set(key, { start: now, count: 1 });
    }
  }

  /** `check` then `hit` when allowed. */
  take(key: string): RateDecision {
    const decision = this.check(key);
    if (decision.allowed) this.hit(key);
    return decision;
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private current(key: string, now: number): { start: number; count: number } | undefined {
    const w = this.windows.get(key);
    if (w && now - w.start >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  private dropExpired(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(key);
    // Still full (a flood of distinct keys): forget the oldest half rather than grow without bound.
    if (this.windows.size >= this.maxKeys) {
      let n = Math.floor(this.maxKeys / 2);
      for (const key of this.windows.keys()) {
        if (n-- <= 0) break;
        this.windows.delete(key);
      }
    }
  }
}
