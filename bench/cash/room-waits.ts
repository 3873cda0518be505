/**
 * CASH's `cash_room_wait_seconds{wait}` histogram, read from its /metrics: how long room commands waited for
 * the event journal (their events durable) and for each media server call. Two readings give the waits
 * of the phase between them (count, mean, and the bucket bounds of p50 and p99).
 */
import { round } from '../bench-cli';

type Buckets = Map<number, number>;
export interface WaitHistogram {
  count: number;
  sumS: number;
  buckets: Buckets;
}

/** `cash_room_wait_seconds` by its `wait` label, from CASH's /metrics. */
export async function roomWaits(cashUrl: string): Promise<Record<string, WaitHistogram>> {
  const text = await (await fetch(`${cashUrl}/metrics`)).text();
  const out: Record<string, WaitHistogram> = {};
  const of = (wait: string) => (out[wait] ??= { count: 0, sumS: 0, buckets: new Map() });
  for (const line of text.split('\n')) {
    const m = /^cash_room_wait_seconds_(bucket|sum|count)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const wait = /wait="([^"]+)"/.exec(m[2])?.[1];
    if (!wait) continue;
    const value = Number(m[3]);
    if (m[1] === 'count') of(wait).count = value;
    else if (m[1] === 'sum') of(wait).sumS = value;
    else {
      const le = /le="([^"]+)"/.exec(m[2])?.[1];
      if (le) of(wait).buckets.set(le === '+Inf' ? Infinity : Number(le), value);
    }
  }
  return out;
}

/** The waits between two readings: count, mean, and the p50/p99 bucket bounds (ms). */
export function waitsBetween(before: Record<string, WaitHistogram>, after: Record<string, WaitHistogram>) {
  return Object.fromEntries(
    Object.entries(after).map(([wait, a]) => {
      const b = before[wait] ?? { count: 0, sumS: 0, buckets: new Map() };
      const count = a.count - b.count;
      const bound = (p: number) => {
        for (const [le, n] of [...a.buckets].sort((x, y) => x[0] - y[0])) {
          if (n - (b.buckets.get(le) ?? 0) >= (p / 100) * count)
            return le === Infinity ? '> 1000' : `≤ ${le * 1000}`;
        }
        return 'n/a';
      };
      return [
        wait,
        {
          count,
          meanMs: count ? round(((a.sumS - b.sumS) * 1000) / count) : NaN,
          p50Ms: bound(50),
          p99Ms: bound(99),
        },
      ];
    }),
  );
}
