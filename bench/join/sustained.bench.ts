/**
 * Sustained joins at the registry, open loop, against a baseline measured in the same run: `POST /v1/join`
 * at reg-c2-1 for a conference created at reg-c1-1, on the platform of bench/join/join.bench.ts (auth, two
 * registries, a CASH per CoreMX, Kafka, FerretDB), and the bare Fastify route with the same JWT check, in a
 * process of its own (bench/join/bare-server.ts) as the registry is.
 * Requests are sent on a fixed schedule (`--rate` per second for `--seconds`) whatever the answers, and each
 * latency runs from the request's scheduled send time, so a server that falls behind shows its queue
 * (p50/p99/max, errors by HTTP status and error code, timeouts after 10 s). A short ramp (`--ramp` rates,
 * `--ramp-seconds` each, stopping at the first rate missed) finds the highest rate each side holds with
 * p99 ≤ `--p99-ms` and under 0.1% errors; it prints the ratios hoot / bare. Order: bare's sustained phase
 * and ramp, then hoot's ramp, then hoot's sustained phase (an overloaded registry leaves work behind that
 * would slow what runs next); the machine's load average is recorded. Last, `--profile-seconds`
 * more at `--rate` with V8's profiler attached to reg-c2-1 (apart, so the profiler's cost is not in the
 * figures): the profile is saved beside the results (`.registry.cpuprofile`) and its top five self-time
 * functions printed. Writes bench/results/join-sustained-<time>.json.
 *
 *   node -r ./tools/ts-node/register.js bench/join/sustained.bench.ts [--rate 500] [--seconds 30]
 *     [--ramp 10,25,50,100,200,300,500] [--ramp-seconds 4] [--p99-ms 50] [--profile-seconds 10]
 */
import { Agent, request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { freePort, workspaceRoot } from '@hoot/testing';
import { inspectEnv, printTopSelf, startProfiling, topSelf } from '../cpu-profile';
import {
  arg,
  authPublicKey,
  percentile,
  round,
  startBareServerProcess,
  startJoinBenchPlatform,
} from './join-support';

const RATE = Number(arg('rate', '500'));
const SECONDS = Number(arg('seconds', '30'));
const RAMP = arg('ramp', '10,25,50,100,200,300,500').split(',').map(Number);
const RAMP_SECONDS = Number(arg('ramp-seconds', '4'));
const P99_MS = Number(arg('p99-ms', '50'));
const PROFILE_SECONDS = Number(arg('profile-seconds', '10'));
const TIMEOUT_MS = 10_000;
const PROFILED = 'reg-c2-1';

interface Phase {
  rate: number;
  seconds: number;
  sent: number;
  ok: number;
  /** Answers per second that were 200, over the phase's schedule. */
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** How late the load generator sent (p99 of send time − scheduled time): its own lag, in the latencies. */
  sendLagP99Ms: number;
  /** By `<status> <code>`, `timeout` or `network <code>`. */
  errors: Record<string, number>;
}

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

/** One POST; resolves with its status and, for an error answer, the body's `code`. */
function send(url: URL, token: string, body: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
        timeout: TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode === 200) return resolve(undefined);
          let code = '';
          try {
            code = String((JSON.parse(Buffer.concat(chunks).toString()) as { code?: string }).code ?? '');
          } catch {
            // Not JSON: the status says it.
          }
          resolve(`${res.statusCode} ${code}`.trim());
        });
        res.on('error', (e: NodeJS.ErrnoException) => resolve(`network ${e.code ?? e.message}`));
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.on('error', (e: NodeJS.ErrnoException) =>
      resolve(e.code === 'timeout' ? 'timeout' : `network ${e.code ?? e.message}`),
    );
    req.end(body);
  });
}

/** Open loop: request i is due at t0 + i / rate and sent then (or as soon after as the timer fires). */
async function openLoop(target: string, token: string, body: string, rate: number, seconds: number) {
  const url = new URL('/v1/join', target);
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const inFlight: Promise<void>[] = [];
  const lags: number[] = [];
  const t0 = performance.now();
  let i = 0;
  while (i < total) {
    const now = performance.now();
    while (i < total && t0 + (i * 1000) / rate <= now) {
      const due = t0 + (i * 1000) / rate;
      lags.push(now - due);
      inFlight.push(
        send(url, token, body).then((error) => {
          if (error) errors[error] = (errors[error] ?? 0) + 1;
          else latencies.push(performance.now() - due);
        }),
      );
      i++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  const sorted = latencies.sort((a, b) => a - b);
  const phase: Phase = {
    rate,
    seconds,
    sent: total,
    ok: sorted.length,
    okPerSecond: round(sorted.length / seconds, 1),
    p50Ms: sorted.length ? round(percentile(sorted, 50)) : NaN,
    p99Ms: sorted.length ? round(percentile(sorted, 99)) : NaN,
    maxMs: sorted.length ? round(sorted[sorted.length - 1]) : NaN,
    sendLagP99Ms: round(
      percentile(
        lags.sort((a, b) => a - b),
        99,
      ),
    ),
    errors,
  };
  return phase;
}

const errorCount = (p: Phase) => Object.values(p.errors).reduce((a, b) => a + b, 0);
const holds = (p: Phase) => p.p99Ms <= P99_MS && errorCount(p) <= p.sent * 0.001;

async function main(): Promise<void> {
  const inspectPort = await freePort();
  const { platform, c1, c2, alice, bob, post, stop } = await startJoinBenchPlatform('benchsustained', (id) =>
    id === PROFILED ? inspectEnv(inspectPort) : {},
  );
  let bare: { url: string; close: () => Promise<void> } | undefined;
  try {
    const created = await post(`${c1}/v1/conferences`, alice, {
      id: 'sustained',
      type: 'm2m',
      allowed: ['bob'],
    });
    if (created.status !== 201) throw new Error(`create answered ${created.status}: ${await created.text()}`);
    const { address } = (await created.json()) as { address: string };
    // reg-c2-1 learns the conference from the CoreMX topic.
    for (const t0 = performance.now(); ;) {
      const res = await post(`${c2}/v1/join`, bob, { address });
      await res.arrayBuffer();
      if (res.status === 200) break;
      if (performance.now() - t0 > 60_000) throw new Error('the join at reg-c2-1 never succeeded');
      await new Promise((r) => setTimeout(r, 20));
    }
    bare = await startBareServerProcess(await authPublicKey(platform));
    const body = JSON.stringify({ address });
    const targets = { hoot: c2, bare: bare.url };

    // Warm both (JIT, connections, caches).
    for (const url of Object.values(targets)) await openLoop(url, bob, body, 100, 2);

    // Bare first, then hoot's ramp, then hoot's sustained rate: a phase the registry could not keep up with
    // leaves work behind (answers to requests that timed out) that would slow whatever runs next.
    const at = new Date().toISOString().replace(/[:.]/g, '-');
    const out = join(workspaceRoot(), 'bench/results');
    mkdirSync(out, { recursive: true });
    const profileFile = join(out, `join-sustained-${at}.registry.cpuprofile`);
    const loadBefore = loadavg().map((x) => round(x));
    const ramp: Record<'hoot' | 'bare', Phase[]> = { hoot: [], bare: [] };
    const rampUp = async (side: 'hoot' | 'bare') => {
      for (const rate of RAMP) {
        const phase = await openLoop(targets[side], bob, body, rate, RAMP_SECONDS);
        ramp[side].push(phase);
        if (!holds(phase)) break;
      }
    };
    const sustainedBare = await openLoop(targets.bare, bob, body, RATE, SECONDS);
    await rampUp('bare');
    await rampUp('hoot');
    const sustainedHoot = await openLoop(targets.hoot, bob, body, RATE, SECONDS);

    // 3. The sustained rate again with the profiler attached (apart, so its cost is not in the figures).
    const profiling = await startProfiling(inspectPort);
    const profiled = await openLoop(targets.hoot, bob, body, RATE, PROFILE_SECONDS);
    const profile = await profiling.stop(profileFile);

    const held = (phases: Phase[]) => phases.filter(holds).reduce((m, p) => Math.max(m, p.rate), 0);
    const top = topSelf(profile, 5);
    const topScripts = topSelf(profile, 5, { scriptsOnly: true });
    const result = {
      command:
        `node -r ./tools/ts-node/register.js bench/join/sustained.bench.ts ${process.argv.slice(2).join(' ')}`.trim(),
      at: new Date().toISOString(),
      machine: {
        cpus: availableParallelism(),
        model: cpus()[0]?.model,
        node: process.version,
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadavg().map((x) => round(x)),
      },
      setup:
        'POST /v1/join at reg-c2-1 (auth, reg-c1-1, reg-c2-1, CASH + kms-lite fake per CoreMX, Kafka, FerretDB; loopback) vs a bare Fastify route with the same JWT check in a process of its own (bench/join/bare-server.ts); open loop, latency from the scheduled send time, 10 s timeout',
      settings: {
        rate: RATE,
        seconds: SECONDS,
        profileSeconds: PROFILE_SECONDS,
        ramp: RAMP,
        rampSeconds: RAMP_SECONDS,
        p99BoundMs: P99_MS,
      },
      sustained: {
        hoot: sustainedHoot,
        bareFastifySameJwtCheck: sustainedBare,
        ratioP50HootOverBare: round(sustainedHoot.p50Ms / sustainedBare.p50Ms),
        ratioP99HootOverBare: round(sustainedHoot.p99Ms / sustainedBare.p99Ms),
      },
      ramp: {
        hoot: ramp.hoot,
        bareFastifySameJwtCheck: ramp.bare,
        highestRateHeld: { hoot: held(ramp.hoot), bare: held(ramp.bare) },
        ratioHeldHootOverBare: held(ramp.bare) ? round(held(ramp.hoot) / held(ramp.bare)) : null,
        note: `held = p99 ≤ ${P99_MS} ms and ≤ 0.1% errors; the ramp stops at the first rate missed`,
      },
      registryProfile: {
        file: profileFile.replace(`${workspaceRoot()}/`, ''),
        phase: profiled,
        topSelf: top,
        topSelfJavaScript: topScripts,
      },
    };

    const row = (p: Phase) => ({
      'rate /s': p.rate,
      'ok /s': p.okPerSecond,
      'p50 ms': p.p50Ms,
      'p99 ms': p.p99Ms,
      'max ms': p.maxMs,
      errors: Object.entries(p.errors)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', '),
    });
    console.log(`\nsustained joins, open loop, ${RATE}/s for ${SECONDS} s`);
    console.table({
      'hoot /v1/join': row(sustainedHoot),
      'bare Fastify + same JWT check': row(sustainedBare),
    });
    console.log(
      `ratio hoot / bare: p50 ${result.sustained.ratioP50HootOverBare}×, p99 ${result.sustained.ratioP99HootOverBare}×`,
    );
    console.log(`\nramp (${RAMP_SECONDS} s per rate; held = p99 ≤ ${P99_MS} ms, ≤ 0.1% errors)`);
    console.table(
      Object.fromEntries([
        ...ramp.hoot.map((p) => [`hoot @${p.rate}`, row(p)]),
        ...ramp.bare.map((p) => [`bare @${p.rate}`, row(p)]),
      ]),
    );
    console.log(
      `highest rate held: hoot ${result.ramp.highestRateHeld.hoot}/s, bare ${result.ramp.highestRateHeld.bare}/s → ratio ${result.ramp.ratioHeldHootOverBare}`,
    );
    printTopSelf(`${PROFILED}, ${PROFILE_SECONDS} s more at ${RATE}/s, profiled (${profileFile})`, top);
    printTopSelf(`${PROFILED}, JavaScript functions only`, topScripts);
    const file = join(out, `join-sustained-${at}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written to ${file}`);
  } finally {
    agent.destroy();
    await bare?.close();
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
