import type { Clock } from '@hoot/domain';
import { RateLimiter } from '@hoot/service-kit';

/** Protocol defaults of the sign-in throttle that are not settings, with why. */
export const SIGN_IN_THROTTLE_DEFAULTS = {
  /**
   * An address from which an identity signed in successfully is "familiar" for this long and skips the
   * identity-wide back-off (it still has its own per-identity+address budget): the owner at their usual
   * desk or phone is never slowed by an attacker elsewhere.
   */
  familiarAddressTtlMs: 30 * 24 * 3600_000,
  /** Familiar addresses kept per identity (the most recent ones). */
  familiarAddressesPerIdentity: 16,
  /** Identities tracked at most (back-off state and familiar addresses); the oldest are forgotten first. */
  maxIdentities: 100_000,
} as const;

export interface SignInThrottleLimits {
  /** Attempts (any outcome) per client address per window. */
  perAddress: number;
  /** Failures per identity from one client address per window; beyond, that pair is refused until the window ends. */
  perIdentityAddress: number;
  windowMs: number;
  /** Failures of an identity (all addresses together) before its back-off starts. */
  identityFreeFailures: number;
  /** First back-off delay; it doubles with each further failure up to `identityBackoffMaxMs`. */
  identityBackoffBaseMs: number;
  identityBackoffMaxMs: number;
}

export type ThrottleDecision =
  | { allowed: true }
  | { allowed: false; reason: 'address' | 'identity-address' | 'identity-backoff'; retryAfterMs: number };

interface IdentityState {
  /** Failures since the identity was last quiet for a whole window. */
  failures: number;
  lastFailureAt: number;
  /** address → familiar until (ms). */
  familiar: Map<string, number>;
}

/**
 * Sign-in throttling that slows guessing without letting anyone lock the owner out:
 *
 * - per client address: every attempt counts (one address cannot sweep many accounts);
 * - per identity + address: `perIdentityAddress` failures refuse *that pair* for the window, so an
 *   attacker's address is stopped while the owner's address is untouched;
 * - per identity, all addresses: after `identityFreeFailures` failures, each further password check from
 *   an unfamiliar address must wait `base · 2^(failures − free)` (capped) after the identity's last
 *   failure. This is a back-off, never a lock: a rotating-address attacker gets about one guess per
 *   `identityBackoffMaxMs`, the owner at an address they signed in from before is not slowed at all, and
 *   the owner at a new address waits at most `identityBackoffMaxMs`. Refused attempts check no password and
 *   do not count as failures, so hammering does not extend the back-off.
 *
 * In memory, per replica (with N replicas an attacker gets N× the budget; still hopeless for brute force).
 */
export class SignInThrottle {
  private readonly perAddress: RateLimiter;
  private readonly perPair: RateLimiter;
  private readonly identities = new Map<string, IdentityState>();

  constructor(
    private readonly limits: SignInThrottleLimits,
    private readonly clock: Clock,
  ) {
    this.perAddress = new RateLimiter(limits.perAddress, limits.windowMs, clock);
    this.perPair = new RateLimiter(limits.perIdentityAddress, limits.windowMs, clock);
  }

  /** May this attempt check a password? Every attempt counts against its address's budget. */
  admit(identity: string, address: string): ThrottleDecision {
    const perAddress = this.perAddress.take(address);
    if (!perAddress.allowed)
      return { allowed: false, reason: 'address', retryAfterMs: perAddress.retryAfterMs };
    const pair = this.perPair.check(pairKey(identity, address));
    if (!pair.allowed) return { allowed: false, reason: 'identity-address', retryAfterMs: pair.retryAfterMs };
    const backoff = this.backoffRemainingMs(identity, address);
    if (backoff > 0) return { allowed: false, reason: 'identity-backoff', retryAfterMs: backoff };
    return { allowed: true };
  }

  failed(identity: string, address: string): void {
    const now = this.clock.now();
    this.perPair.hit(pairKey(identity, address));
    const state = this.state(identity, now);
    state.failures += 1;
    state.lastFailureAt = now;
  }

  /** The pair's failures are forgiven and the address becomes familiar for the identity. */
  succeeded(identity: string, address: string): void {
    const now = this.clock.now();
    this.perPair.reset(pairKey(identity, address));
    const { familiar } = this.state(identity, now);
    familiar.delete(address);
    familiar.set(address, now + SIGN_IN_THROTTLE_DEFAULTS.familiarAddressTtlMs);
    while (familiar.size > SIGN_IN_THROTTLE_DEFAULTS.familiarAddressesPerIdentity) {
      familiar.delete(familiar.keys().next().value as string);
    }
  }

  /** The delay an identity's back-off imposes on an attempt from `address` now (0: none). */
  backoffRemainingMs(identity: string, address: string): number {
    const now = this.clock.now();
    const state = this.identities.get(identity);
    if (!state) return 0;
    this.forgetIfQuiet(state, now);
    const familiarUntil = state.familiar.get(address);
    if (familiarUntil !== undefined && familiarUntil > now) return 0;
    const excess = state.failures - this.limits.identityFreeFailures;
    if (excess < 0) return 0;
    const delay = Math.min(
      this.limits.identityBackoffMaxMs,
      this.limits.identityBackoffBaseMs * 2 ** Math.min(excess, 30),
    );
    return Math.max(0, state.lastFailureAt + delay - now);
  }

  private state(identity: string, now: number): IdentityState {
    let state = this.identities.get(identity);
    if (state) {
      this.forgetIfQuiet(state, now);
      // Most recently used last, so the oldest are evicted first.
      this.identities.delete(identity);
    } else {
      state = { failures: 0, lastFailureAt: 0, familiar: new Map() };
      if (this.identities.size >= SIGN_IN_THROTTLE_DEFAULTS.maxIdentities) {
        this.identities.delete(this.identities.keys().next().value as string);
      }
    }
    this.identities.set(identity, state);
    return state;
  }

  /** A whole window without failures resets the identity's count; expired familiar addresses go. */
  private forgetIfQuiet(state: IdentityState, now: number): void {
    if (state.failures > 0 && now - state.lastFailureAt >= this.limits.windowMs) state.failures = 0;
    for (const [address, until] of state.familiar) if (until <= now) state.familiar.delete(address);
  }
}

const pairKey = (identity: string, address: string) => `${identity}|${address}`;
