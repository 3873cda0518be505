import { FakeClock } from '@hoot/testing';
import { SignInThrottle, type SignInThrottleLimits } from './sign-in-throttle';

const LIMITS: SignInThrottleLimits = {
  perAddress: 30,
  perIdentityAddress: 5,
  windowMs: 300_000,
  identityFreeFailures: 5,
  identityBackoffBaseMs: 1_000,
  identityBackoffMaxMs: 60_000,
};

describe('SignInThrottle', () => {
  let clock: FakeClock;
  let throttle: SignInThrottle;
  const OWNER = '198.51.100.10';
  const ATTACKER = '203.0.113.66';

  beforeEach(() => {
    clock = new FakeClock();
    throttle = new SignInThrottle(LIMITS, clock);
  });

  /** One password check that fails, if admitted; returns the decision. */
  const guess = (address: string, identity = 'user:alice') => {
    const decision = throttle.admit(identity, address);
    if (decision.allowed) throttle.failed(identity, address);
    return decision;
  };

  it('refuses an identity+address pair after its failures, and only that pair', () => {
    for (let i = 0; i < 5; i++) expect(guess(ATTACKER).allowed).toBe(true);
    expect(throttle.admit('user:alice', ATTACKER)).toMatchObject({
      allowed: false,
      reason: 'identity-address',
      retryAfterMs: 300_000,
    });
    // The same address may still try other identities (up to its own budget) …
    expect(throttle.admit('user:bob', ATTACKER).allowed).toBe(true);
  });

  it('never locks the owner out at an address they signed in from', () => {
    throttle.succeeded('user:alice', OWNER);
    // An attacker rotating addresses: five free failures, then only as the back-off allows, for a long time.
    let address = 0;
    for (let minute = 0; minute < 30; minute++) {
      for (let i = 0; i < 10; i++) guess(`203.0.113.${address++ % 250}`);
      expect(throttle.admit('user:alice', OWNER)).toEqual({ allowed: true });
      throttle.succeeded('user:alice', OWNER);
      clock.advance(60_000);
    }
  });

  it('slows an unfamiliar address exponentially, capped, instead of locking', () => {
    for (let i = 0; i < 5; i++) guess(`203.0.113.${i}`);
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      const refused = throttle.admit('user:alice', `192.0.2.${i}`);
      expect(refused).toMatchObject({ allowed: false, reason: 'identity-backoff' });
      delays.push(refused.allowed ? 0 : refused.retryAfterMs);
      clock.advance(delays[i]);
      expect(guess(`192.0.2.${i}`).allowed).toBe(true);
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('does not count refused attempts, so hammering does not extend the back-off', () => {
    for (let i = 0; i < 6; i++) guess(`203.0.113.${i}`);
    for (let i = 0; i < 100; i++) expect(guess(`192.0.2.${i}`).allowed).toBe(false);
    clock.advance(2_000);
    expect(throttle.admit('user:alice', '192.0.2.200').allowed).toBe(true);
  });

  it('forgets an identity that stayed quiet for a whole window', () => {
    for (let i = 0; i < 12; i++) {
      clock.advance(throttle.backoffRemainingMs('user:alice', `203.0.113.${i}`));
      guess(`203.0.113.${i}`);
    }
    expect(throttle.backoffRemainingMs('user:alice', '192.0.2.1')).toBe(60_000);
    clock.advance(300_000);
    expect(throttle.backoffRemainingMs('user:alice', '192.0.2.1')).toBe(0);
  });

  it('a success clears its own pair but not the identity back-off for other addresses', () => {
    for (let i = 0; i < 4; i++) guess(OWNER);
    throttle.succeeded('user:alice', OWNER);
    for (let i = 0; i < 5; i++) expect(guess(OWNER).allowed).toBe(true);
    expect(throttle.admit('user:alice', OWNER)).toMatchObject({ reason: 'identity-address' });
    expect(throttle.admit('user:alice', ATTACKER)).toMatchObject({ reason: 'identity-backoff' });
  });

  it('limits every attempt per address, whatever the identity', () => {
    for (let i = 0; i < 30; i++) expect(throttle.admit(`user:u${i}`, ATTACKER).allowed).toBe(true);
    expect(throttle.admit('user:other', ATTACKER)).toMatchObject({ allowed: false, reason: 'address' });
    expect(throttle.admit('user:other', OWNER).allowed).toBe(true);
  });
});
