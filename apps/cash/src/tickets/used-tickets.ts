/**
 * Join tickets are single use: the id (`jti`) of every ticket that joined is kept until the ticket
 * expires (plus the verifiers' clock skew), so a replay of a ticket within its lifetime is refused. A
 * join claims the ticket before it runs and gives it back if the join fails, so a client may retry a
 * refused join (overloaded, media down) with the same ticket, but two joins with one ticket never both
 * run. In memory: a CASH restart forgets them, which ends every room on it anyway.
 */
export class UsedTickets {
  private readonly used = new Map<string, number>();

  /** `skewMs`: how long after `exp` a verifier still accepts a ticket (the clock skew it allows). */
  constructor(private readonly skewMs = 30_000) {}

  /** True when `ticketId` was free (it is now taken until `expiresAtMs`); false when taken already. */
  claim(ticketId: string, expiresAtMs: number, nowMs: number): boolean {
    this.pruneOldest(nowMs);
    if (this.used.has(ticketId)) return false;
    this.used.set(ticketId, expiresAtMs + this.skewMs);
    return true;
  }

  /** Gives a claimed ticket back (its join failed). */
  release(ticketId: string): void {
    this.used.delete(ticketId);
  }

  /** Forgets tickets that expired (no verifier accepts them any more). */
  prune(nowMs: number): void {
    for (const [id, until] of this.used) if (until < nowMs) this.used.delete(id);
  }

  /**
   * Forgets expired tickets from the oldest on, stopping at the first that has not expired: tickets share
   * one lifetime, so insertion order is expiry order and a join costs O(1) amortized, not a walk over every
   * ticket of the last minutes (one that outlives a younger one is forgotten a little later: harmless,
   * the verifier refuses an expired ticket before it is claimed).
   */
  private pruneOldest(nowMs: number): void {
    for (const [id, until] of this.used) {
      if (until >= nowMs) return;
      this.used.delete(id);
    }
  }

  get size(): number {
    return this.used.size;
  }
}
