import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Ports are picked outside the kernel's ephemeral range: a port the OS hands out for `listen(0)` comes from
 * that range, which every outgoing connection (Chromium, Kafka and MongoDB clients, …) also draws its local
 * port from, so between picking it and the service binding it another process could take it
 * (EADDRINUSE at start). Below the range nothing takes a port unless asked to.
 */
const FALLBACK_RANGE: [number, number] = [32768, 60999];

export function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low > 0 && high >= low) return [low, high];
  } catch {
    // not Linux: the usual range
  }
  return FALLBACK_RANGE;
}

/** Kubernetes' NodePort range: on a host running the local cluster, traffic to these goes to Services. */
const NODE_PORTS: [number, number] = [30000, 32767];

/**
 * Where to pick from: below the ephemeral range (and below the NodePort range) when there is room, else
 * above it; undefined: let the OS pick.
 */
export function pickRange(ephemeral: [number, number]): [number, number] | undefined {
  const [low, high] = ephemeral;
  const below = Math.min(low, NODE_PORTS[0]) - 1;
  if (below - 10_000 >= 2_000) return [10_000, below];
  const above = Math.max(high, NODE_PORTS[1]) + 1;
  if (65_535 - above >= 2_000) return [above, 65_535];
  return undefined;
}

const handedOut = new Set<number>();
/** The range ports are picked from, read once per process (the kernel's setting does not change under us). */
let pickFrom: [number, number] | undefined | null = null;

function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, outside the ephemeral range where possible, and not
 * handed out before by this process.
 */
export async function freePort(): Promise<number> {
  if (pickFrom === null) pickFrom = pickRange(ephemeralRange());
  const range = pickFrom;
  if (range) {
    const [from, to] = range;
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const port = from + Math.floor(Math.random() * (to - from + 1));
      if (handedOut.has(port)) continue;
      if ((await listenOn(port)) === port) {
        handedOut.add(port);
        return port;
      }
    }
  }
  for (;;) {
    const port = await listenOn(0);
    if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
