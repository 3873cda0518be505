/**
 * CPU profiles of a service under test, for the benchmarks. The service is started with `--inspect` on a
 * loopback port (through `NODE_OPTIONS` in the env the harness passes to that one process: `inspectEnv`),
 * and the benchmark drives V8's sampling profiler over the inspector protocol for exactly the phase it
 * measures. This needs no change to the harness and no graceful exit of the service (`--cpu-prof` writes
 * only on a normal exit, and a NestJS service re-raises SIGTERM after its shutdown hooks).
 * `topSelf` sums self time per function over a `.cpuprofile` (nodes / samples / timeDeltas). Services run
 * through tools/ts-node/register.js, so a `.ts` location is the line in the SWC output, near the source line.
 */
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { workspaceRoot } from '@hoot/testing';

/** Env for the child: its `NODE_OPTIONS` plus an inspector on `127.0.0.1:<port>`. */
export function inspectEnv(port: number): Record<string, string> {
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:${port}`.trim() };
}

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface Profiling {
  /** Stops the profiler, writes the profile to `file` and returns it. */
  stop(file: string): Promise<CpuProfile>;
}

/** Connects to the inspector of the process at `127.0.0.1:<port>` and starts sampling (every 200 µs). */
export async function startProfiling(port: number, samplingIntervalUs = 200): Promise<Profiling> {
  const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
    webSocketDebuggerUrl: string;
  }[];
  const ws = new WebSocket(list[0].webSocketDebuggerUrl, { maxPayload: 1024 * 1024 * 1024 });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let n = 0;
  const pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as {
      id?: number;
      result?: unknown;
      error?: { message: string };
    };
    const waiter = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id!);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve, reject) => {
      n += 1;
      pending.set(n, { resolve, reject });
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  await call('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = (await call('Profiler.stop')) as { profile: CpuProfile };
      await call('Profiler.disable');
      ws.close();
      writeFileSync(file, JSON.stringify(profile));
      return profile;
    },
  };
}

export interface SelfCost {
  function: string;
  where: string;
  selfMs: number;
  selfPercent: number;
}

/**
 * The `limit` functions with the most self time (samples × their time deltas), by name and location;
 * `(idle)` is left out and the percentages are of the busy time (`scriptsOnly`: JavaScript functions only,
 * without GC, native calls and VM states; the percentages stay of all busy time).
 */
export function topSelf(profile: CpuProfile, limit = 5, options: { scriptsOnly?: boolean } = {}): SelfCost[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    // A sample's time is the delta to the next sample (the last one gets the previous delta).
    const us = deltas[i + 1] ?? deltas[i] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + us);
  }
  const root = `${workspaceRoot()}/`;
  let total = 0;
  const byFunction = new Map<string, { function: string; where: string; us: number }>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const name = frame.functionName || '(anonymous)';
    if (name === '(idle)') continue;
    total += us;
    const url = frame.url
      .replace(/^file:\/\//, '')
      .replace(root, '')
      .replace(/^.*\/node_modules\//, 'node_modules/');
    const where = url ? `${url}:${frame.lineNumber + 1}` : '(native or VM)';
    if (options.scriptsOnly && !url) continue;
    const key = `${name}@${where}`;
    const entry = byFunction.get(key) ?? { function: name, where, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
  }
  total ||= 1;
  return [...byFunction.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, limit)
    .map((e) => ({
      function: e.function,
      where: e.where,
      selfMs: Math.round(e.us / 100) / 10,
      selfPercent: Math.round((e.us / total) * 1000) / 10,
    }));
}

/** Prints the top self-time functions as a table. */
export function printTopSelf(title: string, costs: SelfCost[]): void {
  console.log(`\ntop self time: ${title}`);
  console.table(
    Object.fromEntries(
      costs.map((c, i) => [
        i + 1,
        { function: c.function, where: c.where, 'self ms': c.selfMs, 'self %': c.selfPercent },
      ]),
    ),
  );
}
