import type { RevocationCheck } from '@hoot/auth-kit';
import type { Clock, TimerHandle } from '@hoot/domain';

/** What a joined session was admitted with: the ticket's (or access token's) id, subject and issue time. */
export interface SessionCredential {
  /** `jti` of the join ticket, or of the access token for a join with one. */
  jti: string;
  /** The identity (`sub`). */
  sub: string;
  /** `iat`, seconds (a subject revocation covers every token issued before it). */
  iat: number;
  kind: 'ticket' | 'token';
}

/** A session as the watch sees it. */
export interface WatchedSession {
  /** Undefined until it joined. */
  readonly credential: SessionCredential | undefined;
  /** Its credential was revoked: tell the client and close. */
  revoked(): void;
}

export interface RevocationWatchOptions {
  clock: Clock;
  /** How often every joined session is checked against the revocations (the revocation latency budget). */
  intervalMs: number;
  /** The revocation feed's set (the same one the verifiers consult). */
  revocations: RevocationCheck;
  sessions: () => Iterable<WatchedSession>;
}

/**
 * Closes live sessions whose credential was revoked after they joined: by its `jti` (that ticket or
 * token), or by its subject (every token issued before a time: sign-out everywhere, a disabled account).
 * Checks every joined session every `intervalMs` against the revocation set that the revocation feed
 * keeps current: a look-up per session, so thousands of sessions cost well under a millisecond.
 */
export class RevocationWatch {
  private timer: TimerHandle | undefined;

  constructor(private readonly options: RevocationWatchOptions) {}

  /** Checks every session now; answers how many were closed. */
  check(): number {
    let closed = 0;
    for (const session of [...this.options.sessions()]) {
      const credential = session.credential;
      if (credential && this.options.revocations.isRevoked(credential)) {
        session.revoked();
        closed += 1;
      }
    }
    return closed;
  }

  start(): void {
    if (this.timer !== undefined) return;
    const schedule = () => {
      this.timer = this.options.clock.setTimeout(() => {
        this.check();
        if (this.timer !== undefined) schedule();
      }, this.options.intervalMs);
      (this.timer as { unref?: () => void }).unref?.();
    };
    schedule();
  }

  stop(): void {
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
