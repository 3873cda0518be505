import { FakeClock } from './fake-clock';

describe('FakeClock', () => {
  it('stands still until advanced', () => {
    const clock = new FakeClock(1_000);
    expect(clock.now()).toBe(1_000);
    clock.advance(250);
    expect(clock.now()).toBe(1_250);
  });

  it('fires timers in due order, each at its own time', () => {
    const clock = new FakeClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 30);
    clock.advance(25);
    expect(seen).toEqual(['a@10', 'b@20']);
    clock.advance(5);
    expect(seen).toEqual(['a@10', 'b@20', 'c@30']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('fires a timer scheduled by a firing timer when it falls due in the same advance', () => {
    const clock = new FakeClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 10);
    }, 10);
    clock.advance(100);
    expect(seen).toEqual([10, 20]);
  });

  it('does not fire cleared timers', () => {
    const clock = new FakeClock(0);
    const fired = jest.fn();
    const handle = clock.setTimeout(fired, 10);
    clock.clearTimeout(handle);
    clock.advance(50);
    expect(fired).not.toHaveBeenCalled();
  });

  it('refuses to go backwards', () => {
    const clock = new FakeClock(100);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.set(50)).toThrow(RangeError);
  });
});
