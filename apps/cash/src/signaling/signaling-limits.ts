import type { Clock } from '@hoot/domain';
import { TokenBucket } from './token-bucket';

/** A rate: `ratePerS` on average, `burst` at once. */
export interface Rate {
  ratePerS: number;
  burst: number;
}

export interface SignalingLimitsConfig {
  /** Every message of one connection (join, ICE, commands, chat). */
  connectionMessages: Rate;
  /** Chat messages of one connection (they fan out to everyone and stay in the room object). */
  connectionChat: Rate;
  /** Every message of one identity, over all its connections. */
  identityMessages: Rate;
  /** Chat messages of one identity, over all its connections. */
  identityChat: Rate;
  /**
   * Refusals (rate limited) a connection may collect before it is closed: a bucket of this size refilled
   * at one per second, so a client that backs off after a refusal is never closed.
   */
  abuseRefusals: number;
  /** Connections from one remote address that have not joined yet. */
  unjoinedPerAddress: number;
}

/**
 * Defaults. A participant's burst is its join: publish, up to 8 subscriptions (one per other publisher,
 * seed 001) and their ICE candidates (a dozen each) — about 120 messages in a second. After that a
 * client sends a few messages a second. Chat is a person typing.
 */
export const SIGNALING_LIMIT_DEFAULTS: SignalingLimitsConfig = {
  /** Twice the join burst, then 50 a second (ICE trickle of renegotiations). */
  connectionMessages: { ratePerS: 50, burst: 250 },
  /** A person types at most a message a second for long; 5 at once for a paste. */
  connectionChat: { ratePerS: 1, burst: 5 },
  /** Two devices (or a reconnection overlapping the old socket) of one person. */
  identityMessages: { ratePerS: 100, burst: 500 },
  identityChat: { ratePerS: 2, burst: 10 },
  /** 20 refusals in a row (faster than one a second) are no accident: close. */
  abuseRefusals: 20,
  /** An office behind one NAT opening its sockets at once (a meeting starting); a hundred idling is not that. */
  unjoinedPerAddress: 32,
};

/** What a limiter answers for a message: go on, refuse it (retry after), or refuse and close. */
export type LimitVerdict =
  { ok: true } | { ok: false; retryAfterMs: number; close: boolean; scope: 'connection' | 'identity' };

/** The buckets of one identity, shared by its connections (see `IdentityLimits`). */
export interface IdentityBuckets {
  messages: TokenBucket;
  chat: TokenBucket;
}

/** Per-identity buckets, kept while the identity has a connection. */
export class IdentityLimits {
  private readonly byIdentity = new Map<string, { buckets: IdentityBuckets; users: number }>();

  constructor(
    private readonly config: SignalingLimitsConfig,
    private readonly clock: Clock,
  ) {}

  acquire(identity: string): IdentityBuckets {
    let entry = this.byIdentity.get(identity);
    if (!entry) {
      const now = this.clock.now();
      const { identityMessages: m, identityChat: c } = this.config;
      entry = {
        buckets: {
          messages: new TokenBucket(m.ratePerS, m.burst, now),
          chat: new TokenBucket(c.ratePerS, c.burst, now),
        },
        users: 0,
      };
      this.byIdentity.set(identity, entry);
    }
    entry.users += 1;
    return entry.buckets;
  }

  release(identity: string): void {
    const entry = this.byIdentity.get(identity);
    if (!entry) return;
    entry.users -= 1;
    if (entry.users <= 0) this.byIdentity.delete(identity);
  }

  /** Identities tracked now. */
  get size(): number {
    return this.byIdentity.size;
  }
}

/**
 * The limits of one connection: its own buckets, its identity's once joined, and the refusal budget
 * that decides when persistent abuse closes the connection.
 */
export class ConnectionLimiter {
  private readonly messages: TokenBucket;
  private readonly chat: TokenBucket;
  private readonly refusals: TokenBucket;
  private identity: { name: string; buckets: IdentityBuckets } | undefined;

  constructor(
    config: SignalingLimitsConfig,
    private readonly clock: Clock,
    private readonly identities: IdentityLimits,
  ) {
    const now = clock.now();
    this.messages = new TokenBucket(config.connectionMessages.ratePerS, config.connectionMessages.burst, now);
    this.chat = new TokenBucket(config.connectionChat.ratePerS, config.connectionChat.burst, now);
    this.refusals = new TokenBucket(1, config.abuseRefusals, now);
  }

  /** The connection joined as `identity`: its messages count for the identity too. */
  joined(identity: string): void {
    if (this.identity) return;
    this.identity = { name: identity, buckets: this.identities.acquire(identity) };
  }

  /** The connection closed. */
  release(): void {
    if (this.identity) this.identities.release(this.identity.name);
    this.identity = undefined;
  }

  /** Any message (before it is parsed). */
  message(): LimitVerdict {
    return this.check(this.messages, this.identity?.buckets.messages);
  }

  /** A chat message (after it is parsed; it counted as a message already). */
  chatMessage(): LimitVerdict {
    return this.check(this.chat, this.identity?.buckets.chat);
  }

  private check(own: TokenBucket, shared: TokenBucket | undefined): LimitVerdict {
    const now = this.clock.now();
    const waitOwn = own.take(now);
    // The identity's bucket is only charged for what the connection's own limit let through.
    const waitShared = waitOwn === 0 && shared ? shared.take(now) : 0;
    if (waitOwn === 0 && waitShared === 0) return { ok: true };
    const close = this.refusals.take(now) > 0;
    return waitOwn > 0
      ? { ok: false, retryAfterMs: waitOwn, close, scope: 'connection' }
      : { ok: false, retryAfterMs: waitShared, close, scope: 'identity' };
  }
}

/** Connections per remote address that have not joined yet (a cap against idle-socket floods). */
export class UnjoinedSockets {
  private readonly byAddress = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts one more for `address`; false (nothing counted) when it has `max` already. */
  tryAdd(address: string): boolean {
    const n = this.byAddress.get(address) ?? 0;
    if (n >= this.max) return false;
    this.byAddress.set(address, n + 1);
    return true;
  }

  remove(address: string): void {
    const n = (this.byAddress.get(address) ?? 0) - 1;
    if (n > 0) this.byAddress.set(address, n);
    else this.byAddress.delete(address);
  }

  count(address: string): number {
    return this.byAddress.get(address) ?? 0;
  }
}
