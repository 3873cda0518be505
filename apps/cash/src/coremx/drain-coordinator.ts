import type { Clock, TimerHandle } from '@hoot/domain';
import type { ManagerLogger, RoomManager } from '../rooms/room-manager';
import type { CoreMxStateService } from './coremx-state';

export const DRAIN_DEFAULTS = {
  /** How often a drain looks for rooms that emptied (people leave over minutes; a second is plenty). */
  pollMs: 1_000,
} as const;

export interface DrainStatus {
  draining: boolean;
  /** Epoch ms when the remaining rooms are ended. */
  deadlineAt?: number;
  drained: boolean;
}

/**
 * Drain: report `draining`, refuse new rooms, end rooms as soon as nobody is in them, and end the rest at
 * the deadline; then announce `drained`. `undrain` stops it (rooms ended meanwhile stay ended).
 */
export class DrainCoordinator {
  private deadlineAt: number | undefined;
  private timer: TimerHandle | undefined;
  private done: Promise<void> | undefined;
  private resolveDone: (() => void) | undefined;
  private drainedNow = false;

  constructor(
    private readonly rooms: RoomManager,
    private readonly state: CoreMxStateService,
    private readonly clock: Clock,
    private readonly logger?: ManagerLogger,
    private readonly pollMs: number = DRAIN_DEFAULTS.pollMs,
  ) {}

  status(): DrainStatus {
    return {
      draining: this.state.isDraining,
      ...(this.deadlineAt !== undefined ? { deadlineAt: this.deadlineAt } : {}),
      drained: this.drainedNow,
    };
  }

  /** Starts a drain (or shortens a running one's deadline); resolves once drained. */
  drain(deadlineMs: number, reason: string): Promise<void> {
    const deadlineAt = this.clock.now() + deadlineMs;
    this.deadlineAt = this.deadlineAt === undefined ? deadlineAt : Math.min(this.deadlineAt, deadlineAt);
    if (this.done) {
      this.schedule(0);
      return this.done;
    }
    this.drainedNow = false;
    this.state.startDrain(reason);
    this.done = new Promise<void>((resolve) => (this.resolveDone = resolve));
    this.schedule(0);
    return this.done;
  }

  undrain(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.deadlineAt = undefined;
    this.drainedNow = false;
    this.state.undrain();
    this.resolveDone?.();
    this.done = undefined;
    this.resolveDone = undefined;
  }

  /** One drain step (the timer calls it; tests may too). */
  async step(): Promise<void> {
    if (!this.state.isDraining || this.deadlineAt === undefined) return;
    const pastDeadline = this.clock.now() >= this.deadlineAt;
    for (const info of this.rooms.list()) {
      if (pastDeadline || info.participants === 0) {
        await this.rooms
          .end(info.id)
          .catch((error: unknown) =>
            this.logger?.warn({ err: error, roomId: info.id }, 'drain could not end the room'),
          );
      }
    }
    if (!this.state.isDraining) return;
    if (this.rooms.counts().rooms === 0) {
      this.drainedNow = true;
      await this.state.announce('drained', pastDeadline ? 'drain deadline reached' : 'every room ended');
      this.resolveDone?.();
      return;
    }
    this.schedule(Math.min(this.pollMs, Math.max(0, this.deadlineAt - this.clock.now())));
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.step();
    }, delayMs);
  }
}
