import type { Clock, TimerHandle } from '@hoot/domain';

export interface KeepaliveOptions {
  clock: Clock;
  /** A ping this often; 0 turns the keepalive off. */
  intervalMs: number;
  /** Pings in a row left unanswered before the connection counts as dead. */
  missedMax: number;
  /** Sends a WebSocket ping frame (browsers answer with a pong by themselves). */
  ping(): void;
  /** The peer is gone: terminate the connection (its participant leaves). */
  dead(): void;
}

export const KEEPALIVE_DEFAULTS = {
  /** Cheap (a 2-byte frame); often enough that a dead peer leaves its room within seconds. */
  intervalMs: 5_000,
  /** One lost pong on a busy link is not death; two in a row (10–15 s of silence) is. */
  missedMax: 2,
} as const;

/**
 * WebSocket liveness of one connection: a ping every `intervalMs`; any pong (or message) proves the peer
 * alive; after `missedMax` pings in a row without an answer the connection is declared dead. Runs on the
 * injectable clock, so specs drive it with a fake one.
 */
export class Keepalive {
  private timer: TimerHandle | undefined;
  private missed = 0;
  private stopped = false;

  constructor(private readonly options: KeepaliveOptions) {}

  start(): void {
    if (this.options.intervalMs <= 0 || this.stopped) return;
    this.schedule();
  }

  /** A pong or any frame from the peer. */
  alive(): void {
    this.missed = 0;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.options.clock.setTimeout(() => this.tick(), this.options.intervalMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private tick(): void {
    this.timer = undefined;
    if (this.stopped) return;
    if (this.missed >= this.options.missedMax) {
      this.stop();
      this.options.dead();
      return;
    }
    this.missed += 1;
    try {
      this.options.ping();
    } catch {
      // A socket that cannot send a ping is as good as dead: the next tick decides.
    }
    this.schedule();
  }
}
