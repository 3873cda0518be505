import { Emitter } from './emitter';

class Thing extends Emitter<{ ping: number; pong: string }> {
  fire<K extends 'ping' | 'pong'>(name: K, payload: { ping: number; pong: string }[K]): void {
    this.emit(name, payload);
  }
}

describe('Emitter', () => {
  it('calls listeners in order; on returns the unsubscribe function; once fires once', () => {
    const thing = new Thing();
    const got: unknown[] = [];
    const off = thing.on('ping', (n) => got.push(['a', n]));
    thing.once('ping', (n) => got.push(['once', n]));
    thing.on('pong', (s) => got.push(['pong', s]));
    thing.fire('ping', 1);
    off();
    thing.fire('ping', 2);
    thing.fire('pong', 'x');
    expect(got).toEqual([
      ['a', 1],
      ['once', 1],
      ['pong', 'x'],
    ]);
    expect(thing.listenerCount('ping')).toBe(0);
  });

  it('keeps calling the other listeners when one throws', () => {
    const thing = new Thing();
    const got: number[] = [];
    thing.on('ping', () => {
      throw new Error('bug');
    });
    const listener = (n: number) => got.push(n);
    thing.on('ping', listener);
    expect(() => thing.fire('ping', 7)).not.toThrow();
    thing.off('ping', listener);
    thing.fire('ping', 8);
    expect(got).toEqual([7]);
  });
});
