import { FakeClock } from '@hoot/testing';
import { KEEPALIVE_DEFAULTS, Keepalive } from './keepalive';

function keepalive(options: { intervalMs?: number; missedMax?: number } = {}) {
  const clock = new FakeClock();
  let pings = 0;
  let dead = 0;
  const k = new Keepalive({
    clock,
    intervalMs: options.intervalMs ?? KEEPALIVE_DEFAULTS.intervalMs,
    missedMax: options.missedMax ?? KEEPALIVE_DEFAULTS.missedMax,
    ping: () => void pings++,
    dead: () => void dead++,
  });
  return { clock, k, pings: () => pings, dead: () => dead };
}

describe('Keepalive (issue 17 item 2)', () => {
  it('pings every 5 s and declares the peer dead after 2 unanswered pings (15 s)', () => {
    const t = keepalive();
    t.k.start();
    t.clock.advance(5_000);
    expect(t.pings()).toBe(1);
    t.clock.advance(5_000);
    expect(t.pings()).toBe(2);
    expect(t.dead()).toBe(0);
    t.clock.advance(5_000);
    expect(t.dead()).toBe(1);
    t.clock.advance(60_000);
    expect([t.pings(), t.dead()]).toEqual([2, 1]);
  });

  it('keeps a peer that answers alive for as long as it answers', () => {
    const t = keepalive();
    t.k.start();
    for (let i = 0; i < 20; i++) {
      t.clock.advance(5_000);
      t.k.alive();
    }
    expect(t.pings()).toBe(20);
    expect(t.dead()).toBe(0);
  });

  it('follows its configuration, is off at interval 0, and stops', () => {
    const fast = keepalive({ intervalMs: 1_000, missedMax: 1 });
    fast.k.start();
    fast.clock.advance(2_000);
    expect(fast.dead()).toBe(1);
    const off = keepalive({ intervalMs: 0 });
    off.k.start();
    off.clock.advance(60_000);
    expect([off.pings(), off.dead()]).toEqual([0, 0]);
    const stopped = keepalive();
    stopped.k.start();
    stopped.k.stop();
    stopped.clock.advance(60_000);
    expect(stopped.pings()).toBe(0);
  });
});
