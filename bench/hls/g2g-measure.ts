/**
 * The measuring loop of glass-to-glass.bench.ts: rounds of (join → first readable frame → warm-up → window)
 * per viewer, and what a phase sums up to. An HLS player that plays at 1× keeps the delay it started with,
 * so each round re-joins the viewers: the spread over starts is part of what a viewer gets.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { round } from '../bench-cli';
import {
  ARTIFACTS,
  firstStamp,
  pageSamples,
  retryWhenOffline,
  sleep,
  stats,
  type PageSamples,
  type Stats,
} from './g2g-support';

export interface Viewer {
  who: string;
  page: Page;
  /** Date.now() when the viewer clicked Join (for the loopback self-test: when it was wired). */
  joinedAt: number;
}

export interface RoundResult {
  count: number;
  p50?: number;
  p99?: number;
  /** Join click → first frame with a readable stamp. */
  joinToFirstFrameMs?: number;
  bufferAheadP50Ms?: number;
  note?: string;
}

export interface ViewerResult extends Partial<Stats> {
  who: string;
  rounds: RoundResult[];
  /** The player's buffer ahead of the frame shown (p50, ms) and how often it played faster than 1×. */
  bufferAheadP50Ms?: number;
  fasterThanRealTimeShare?: number;
  /** "Try again" clicks: the viewer's signaling was lost (the machine is shared; counted, not hidden). */
  retries: number;
  framesShown: number;
  unreadable: number;
}

export interface PhaseResult {
  phase: string;
  transport: string;
  viewers: ViewerResult[];
  /** Every viewer's delays together. */
  pooled?: Stats;
  /** Join click → first readable frame, over every viewer and round. */
  joinToFirstFrame?: Stats;
  publisherDrawsPerSecond?: number;
  load: number[];
  note?: string;
}

export interface MeasureOptions {
  phase: string;
  transport: string;
  rounds: number;
  warmupS: number;
  /** The window of each round (the viewers' samples over all rounds add up to rounds × this). */
  windowS: number;
  /** The publisher's page (its drawings per second are reported). */
  publisher?: Page;
  /** Joins a viewer again (a new page); absent: one round only. */
  rejoin?: (old: Viewer) => Promise<Viewer>;
}

interface Accumulated {
  who: string;
  delays: number[];
  ahead: [number, number, number][];
  rounds: RoundResult[];
  retries: number;
  frames: number;
  unreadable: number;
}

const FIRST_FRAME_TIMEOUT_MS = 90_000;

export async function measure(viewers: Viewer[], options: MeasureOptions): Promise<PhaseResult> {
  const acc: Accumulated[] = viewers.map((v) => ({
    who: v.who,
    delays: [],
    ahead: [],
    rounds: [],
    retries: 0,
    frames: 0,
    unreadable: 0,
  }));
  const rounds = options.rejoin ? options.rounds : 1;
  let current = [...viewers];
  let drawn = 0;
  let note: string | undefined;
  for (let r = 0; r < rounds; r += 1) {
    if (r > 0 && options.rejoin) {
      const next: Viewer[] = [];
      for (const v of current) next.push(await options.rejoin(v));
      current = next;
    }
    const retries = current.map((v) => retryWhenOffline(v.page));
    try {
      const firsts = await Promise.all(current.map((v) => firstStamp(v.page, FIRST_FRAME_TIMEOUT_MS)));
      if (firsts.every((f) => f === undefined)) {
        for (const v of [
          ...current,
          ...(options.publisher ? [{ who: 'publisher', page: options.publisher }] : []),
        ])
          await v.page
            .screenshot({ path: join(ARTIFACTS, `${options.phase}-round${r + 1}-${v.who}.png`) })
            .catch(() => undefined);
        note = `round ${r + 1}: no viewer showed a stamped frame in ${FIRST_FRAME_TIMEOUT_MS / 1000} s`;
        for (const [i, a] of acc.entries()) {
          const counters = await pageSamples(current[i].page);
          a.frames += counters.frames;
          a.unreadable += counters.unreadable;
          a.retries += retries[i].clicks();
          a.rounds.push({ count: 0, note: 'no readable frame' });
        }
        break;
      }
      process.stdout.write(
        `[bench] ${options.phase} round ${r + 1}/${rounds}: first readable frames ${firsts
          .map((f, i) => (f ? `${f[0] - current[i].joinedAt} ms after join (delay ${f[1]} ms)` : 'none'))
          .join(', ')}; warm-up ${options.warmupS} s, window ${options.windowS} s\n`,
      );
      await sleep(options.warmupS * 1000);
      const since = Date.now();
      const before = await Promise.all(current.map((v) => pageSamples(v.page, since)));
      const drawnBefore = options.publisher ? (await pageSamples(options.publisher)).drawn : 0;
      await sleep(options.windowS * 1000);
      const after: PageSamples[] = await Promise.all(current.map((v) => pageSamples(v.page, since)));
      if (options.publisher) drawn += (await pageSamples(options.publisher)).drawn - drawnBefore;
      for (const [i, a] of acc.entries()) {
        const delays = after[i].samples.map(([, d]) => d);
        const s = stats(delays);
        const ahead = after[i].ahead;
        a.delays.push(...delays);
        a.ahead.push(...ahead);
        a.frames += after[i].frames - before[i].frames;
        a.unreadable += after[i].unreadable - before[i].unreadable;
        a.retries += retries[i].clicks();
        a.rounds.push({
          count: delays.length,
          ...(s ? { p50: s.p50, p99: s.p99 } : {}),
          ...(firsts[i]
            ? { joinToFirstFrameMs: firsts[i][0] - current[i].joinedAt }
            : { note: 'no readable frame' }),
          ...(ahead.length > 0 ? { bufferAheadP50Ms: stats(ahead.map(([, x]) => x))?.p50 } : {}),
        });
      }
    } finally {
      for (const r of retries) r.stop();
    }
  }
  const results: ViewerResult[] = acc.map((a) => ({
    who: a.who,
    ...stats(a.delays),
    rounds: a.rounds,
    ...(a.ahead.length > 0
      ? {
          bufferAheadP50Ms: stats(a.ahead.map(([, x]) => x))?.p50,
          fasterThanRealTimeShare: round(a.ahead.filter(([, , rate]) => rate > 1).length / a.ahead.length, 3),
        }
      : {}),
    retries: a.retries,
    framesShown: a.frames,
    unreadable: a.unreadable,
  }));
  for (const v of results) {
    process.stdout.write(
      `[bench] ${options.phase.padEnd(9)} ${v.who.padEnd(6)} ${String(v.count ?? 0).padStart(5)} samples  p50 ${String(v.p50 ?? '-').padStart(5)} ms  p99 ${String(v.p99 ?? '-').padStart(5)} ms  rounds' p50 [${v.rounds.map((r) => r.p50 ?? '-').join(', ')}]  (${v.framesShown} frames shown, ${v.unreadable} unreadable, ${v.retries} retries${v.bufferAheadP50Ms === undefined ? '' : `; buffer ahead p50 ${v.bufferAheadP50Ms} ms, faster than 1× ${round((v.fasterThanRealTimeShare ?? 0) * 100)} % of frames`})\n`,
    );
  }
  const pooled = stats(acc.flatMap((a) => a.delays));
  const startups = stats(
    acc.flatMap((a) => a.rounds.map((r) => r.joinToFirstFrameMs).filter((x): x is number => x !== undefined)),
  );
  const seconds = rounds * options.windowS;
  return {
    phase: options.phase,
    transport: options.transport,
    viewers: results,
    ...(pooled ? { pooled } : {}),
    ...(startups ? { joinToFirstFrame: startups } : {}),
    ...(options.publisher ? { publisherDrawsPerSecond: round(drawn / seconds, 1) } : {}),
    load: loadavg().map((l) => round(l, 2)),
    ...(note ? { note } : {}),
  };
}
