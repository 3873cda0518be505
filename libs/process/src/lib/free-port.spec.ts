import { createServer } from 'node:net';
import { ephemeralRange, freePort, pickRange } from './free-port';

describe('freePort', () => {
  it('picks below the ephemeral and NodePort ranges when there is room, else above, else lets the OS pick', () => {
    expect(pickRange([32768, 60999])).toEqual([10_000, 29_999]);
    expect(pickRange([20000, 60999])).toEqual([10_000, 19_999]);
    expect(pickRange([1024, 50000])).toEqual([50_001, 65_535]);
    expect(pickRange([1024, 65000])).toBeUndefined();
  });

  it('gives ports outside the ephemeral range that can be bound, never the same one twice', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 40; i += 1) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    const [low, high] = ephemeralRange();
    for (const port of ports) expect(port >= low && port <= high).toBe(false);
    const [from, to] = pickRange([low, high]) ?? [1, 65_535];
    for (const port of ports) expect(port >= from && port <= to).toBe(true);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(ports[0], '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
