import type { AuthRevocationEvent } from '@hoot/events';

/** What the verifier asks about a token whose signature and claims are fine. */
export interface RevocationCheck {
  /** True when the token (by `jti`) or everything its subject was issued before a time (by `iat`) is revoked. */
  isRevoked(token: { jti: string; sub: string; iat: number }): boolean;
}

/**
 * Revoked token ids (kept until the token would have expired anyway) and per-subject "not before" times.
 * Pure and in memory; fed by the revocation topic (`RevocationFeed`) or directly.
 */
export class RevocationSet implements RevocationCheck {
  private readonly jtis = new Map<string, number>();
  private readonly subjects = new Map<string, number>();

  revokeToken(jti: string, expiresAtMs: number): void {
    this.jtis.set(jti, Math.max(expiresAtMs, this.jtis.get(jti) ?? 0));
  }

  /** Every token of `sub` with `iat` (seconds) earlier than `beforeMs` is revoked. Only ever moves forward. */
  revokeSubject(sub: string, beforeMs: number): void {
    this.subjects.set(sub, Math.max(beforeMs, this.subjects.get(sub) ?? 0));
  }

  apply(event: AuthRevocationEvent): void {
    if (event.type === 'token.revoked') this.revokeToken(event.jti, event.expiresAtMs);
    else this.revokeSubject(event.sub, event.beforeMs);
  }

  isRevoked(token: { jti: string; sub: string; iat: number }): boolean {
    if (this.jtis.has(token.jti)) return true;
    const before = this.subjects.get(token.sub);
    return before !== undefined && token.iat * 1000 < before;
  }

  /** Forgets token revocations whose token has expired (with `graceMs` for clock skew). */
  prune(nowMs: number, graceMs = 0): number {
    let removed = 0;
    for (const [jti, expiresAt] of this.jtis) {
      if (expiresAt + graceMs < nowMs) {
        this.jtis.delete(jti);
        removed += 1;
      }
    }
    return removed;
  }

  get size(): { tokens: number; subjects: number } {
    return { tokens: this.jtis.size, subjects: this.subjects.size };
  }
}
