import type { Clock, TimerHandle } from '@hoot/domain';

/** One client socket as the RPC layer sees it. */
export interface RpcConnection {
  readonly id: number;
  /** The session this socket is bound to (Kurento fills it into requests that omit it). */
  sessionId?: string;
  send(message: object): void;
}

/**
 * Which socket each session is on, and when a session lost its socket. A session whose socket has been
 * gone for the grace period is handed to `collect` (a client that reconnects in time keeps its objects).
 */
export class SessionRegistry {
  private readonly socketOf = new Map<string, RpcConnection>();
  private readonly orphanedAt = new Map<string, number>();
  private timer?: TimerHandle;

  constructor(
    private readonly clock: Clock,
    private readonly graceMs: number,
    private readonly collect: (sessionId: string) => Promise<void>,
  ) {}

  bind(sessionId: string, connection: RpcConnection): void {
    connection.sessionId = sessionId;
    this.socketOf.set(sessionId, connection);
    this.orphanedAt.delete(sessionId);
  }

  connectionOf(sessionId: string): RpcConnection | undefined {
    return this.socketOf.get(sessionId);
  }

  /** The socket closed: its sessions start their grace period. */
  disconnected(connection: RpcConnection): void {
    for (const [sessionId, socket] of this.socketOf) {
      if (socket !== connection) continue;
      this.socketOf.delete(sessionId);
      this.orphanedAt.set(sessionId, this.clock.now());
    }
    this.schedule();
  }

  orphanCount(): number {
    return this.orphanedAt.size;
  }

  private schedule(): void {
    if (this.timer || this.orphanedAt.size === 0) return;
    const next = Math.min(...this.orphanedAt.values()) + this.graceMs;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        void this.sweep();
      },
      Math.max(0, next - this.clock.now()),
    );
  }

  /** Collects every session whose grace period is over. */
  async sweep(): Promise<void> {
    const now = this.clock.now();
    for (const [sessionId, since] of [...this.orphanedAt]) {
      if (now - since < this.graceMs) continue;
      this.orphanedAt.delete(sessionId);
      await this.collect(sessionId);
    }
    this.schedule();
  }

  /** Forgets everything (server restart). */
  clear(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.socketOf.clear();
    this.orphanedAt.clear();
  }
}
