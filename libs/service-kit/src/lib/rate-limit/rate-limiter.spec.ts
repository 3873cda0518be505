import { FakeClock } from '@hoot/testing';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows up to the limit per window, then says when to retry', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(3, 60_000, clock);
    expect([1, 2, 3].map(() => limiter.take('ip:1').allowed)).toEqual([true, true, true]);
    clock.advance(20_000);
    expect(limiter.take('ip:1')).toEqual({ allowed: false, retryAfterMs: 40_000 });
    expect(limiter.take('ip:2').allowed).toBe(true);
    clock.advance(40_000);
    expect(limiter.take('ip:1').allowed).toBe(true);
  });

  it('check does not count', () => {
    const limiter = new RateLimiter(1, 1_000, new FakeClock());
    expect(limiter.check('k').allowed).toBe(true);
    expect(limiter.check('k').allowed).toBe(true);
    limiter.hit('k');
    expect(limiter.check('k').allowed).toBe(false);
  });

  it('stays bounded under a flood of distinct keys', () => {
    const limiter = new RateLimiter(1, 60_000, new FakeClock(), 100);
    for (let i = 0; i < 1_000; i++) limiter.hit(`k${i}`);
    expect(limiter.check('k999').allowed).toBe(false);
  });
});
