/**
 * Join benchmark at the registry, against a baseline measured in the same run:
 *  - hoot: `POST /v1/join` at reg-c2-1 for a conference created at reg-c1-1 (user token check with the
 *    JWKS-cached verifier, address parse, directory lookup in MongoDB, entitlement, join ticket signed by
 *    the auth service, answer);
 *  - bare: a bare Fastify route in this process with the same JWT check (jsonwebtoken, RS256 pinned, same
 *    public key from the auth service's JWKS, issuer and audience) and nothing else.
 * Both run closed-loop with the same concurrency in interleaved rounds; it prints requests/s, p50/p99
 * latency and the ratio. It also measures the time from a creation at reg-c1-1 until a join for it
 * succeeds at reg-c2-1 (the directory learns it from the CoreMX topic). Writes bench/results/join-<time>.json.
 *
 *   node -r ./tools/ts-node/register.js bench/join/join.bench.ts [--rounds 3] [--seconds 5] [--concurrency 16] [--creations 20]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@hoot/testing';
import { arg, authPublicKey, bareServer, percentile, round, startJoinBenchPlatform } from './join-support';

const ROUNDS = Number(arg('rounds', '3'));
const SECONDS = Number(arg('seconds', '5'));
const CONCURRENCY = Number(arg('concurrency', '16'));
const CREATIONS = Number(arg('creations', '20'));

interface Sample {
  ops: number;
  seconds: number;
  latencies: number[];
  failures: number;
}

/** Closed loop: `CONCURRENCY` workers each sending the next request as soon as the last answered. */
async function load(send: () => Promise<Response>, seconds: number): Promise<Sample> {
  const latencies: number[] = [];
  let failures = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        const res = await send();
        await res.arrayBuffer();
        if (res.status !== 200) failures++;
        latencies.push(performance.now() - start);
      }
    }),
  );
  return { ops: latencies.length, seconds: (performance.now() - t0) / 1000, latencies, failures };
}

async function main(): Promise<void> {
  const { platform, c1, c2, alice, bob, post, stop } = await startJoinBenchPlatform('benchjoin');
  let bare: { url: string; close: () => Promise<void> } | undefined;
  try {
    // 1. Creation at cloud 1 → first successful join at cloud 2. The first conference on a CoreMX also
    // creates its topic, which other registries find at their next topic refresh: timed apart.
    const propagation: number[] = [];
    let firstOnNewTopicMs = 0;
    for (let i = -1; i < CREATIONS; i++) {
      const id = i < 0 ? 'bench-first' : `bench-${i}`;
      const created = await post(`${c1}/v1/conferences`, alice, { id, type: 'm2m', allowed: ['bob'] });
      if (created.status !== 201)
        throw new Error(`create answered ${created.status}: ${await created.text()}`);
      const { address } = (await created.json()) as { address: string };
      const t0 = performance.now();
      for (;;) {
        const res = await post(`${c2}/v1/join`, bob, { address });
        await res.arrayBuffer();
        if (res.status === 200) break;
        if (performance.now() - t0 > 60_000) throw new Error(`join of ${id} at c2 never succeeded`);
        await new Promise((r) => setTimeout(r, 5));
      }
      if (i < 0) firstOnNewTopicMs = performance.now() - t0;
      else propagation.push(performance.now() - t0);
      // The plan allows a few open conferences: end all but the one the join load uses.
      if (id !== 'bench-0') {
        const ended = await fetch(`${c1}/v1/conferences/${id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${alice}` },
        });
        if (ended.status !== 204) throw new Error(`end of ${id} answered ${ended.status}`);
      }
    }

    // 2. Join throughput and latency against the bare route.
    bare = await bareServer(await authPublicKey(platform));
    const address = 'hoot.mx://bench-0@coremx-1.c1.hoot.mx';
    const hootSend = () => post(`${c2}/v1/join`, bob, { address });
    const bareSend = () => post(`${bare!.url}/v1/join`, bob, { address });
    await load(hootSend, 1);
    await load(bareSend, 1);
    const hoot: Sample[] = [];
    const base: Sample[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      hoot.push(await load(hootSend, SECONDS));
      base.push(await load(bareSend, SECONDS));
    }
    const summary = (samples: Sample[]) => {
      const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
      const ops = samples.reduce((n, s) => n + s.ops, 0);
      const seconds = samples.reduce((n, s) => n + s.seconds, 0);
      return {
        requestsPerSecond: round(ops / seconds, 1),
        p50Ms: round(percentile(latencies, 50)),
        p99Ms: round(percentile(latencies, 99)),
        failures: samples.reduce((n, s) => n + s.failures, 0),
        perRound: samples.map((s) => round(s.ops / s.seconds, 1)),
      };
    };
    const hootSummary = summary(hoot);
    const baseSummary = summary(base);
    const sortedProp = [...propagation].sort((a, b) => a - b);
    const result = {
      at: new Date().toISOString(),
      machine: { cpus: availableParallelism(), model: cpus()[0]?.model, node: process.version },
      settings: { rounds: ROUNDS, secondsPerRound: SECONDS, concurrency: CONCURRENCY, creations: CREATIONS },
      join: {
        hoot: hootSummary,
        bareFastifySameJwtCheck: baseSummary,
        ratio: round(baseSummary.requestsPerSecond / hootSummary.requestsPerSecond),
      },
      createAtC1UntilJoinAtC2Ms: {
        p50: round(percentile(sortedProp, 50)),
        p99: round(percentile(sortedProp, 99)),
        max: round(sortedProp[sortedProp.length - 1]),
        samples: propagation.map((x) => round(x, 1)),
        firstConferenceOnANewTopic: round(firstOnNewTopicMs),
      },
    };
    console.log('\njoin at the registry (POST /v1/join at reg-c2-1, concurrency', CONCURRENCY, ')');
    console.table({
      'hoot /v1/join': {
        'req/s': hootSummary.requestsPerSecond,
        'p50 ms': hootSummary.p50Ms,
        'p99 ms': hootSummary.p99Ms,
        failures: hootSummary.failures,
      },
      'bare Fastify + same JWT check': {
        'req/s': baseSummary.requestsPerSecond,
        'p50 ms': baseSummary.p50Ms,
        'p99 ms': baseSummary.p99Ms,
        failures: baseSummary.failures,
      },
    });
    console.log(`ratio (bare / hoot requests per second): ${result.join.ratio}`);
    console.log(
      `creation at reg-c1-1 → join succeeds at reg-c2-1: p50 ${result.createAtC1UntilJoinAtC2Ms.p50} ms, p99 ${result.createAtC1UntilJoinAtC2Ms.p99} ms (${CREATIONS} creations); the first conference on a new CoreMX topic: ${result.createAtC1UntilJoinAtC2Ms.firstConferenceOnANewTopic} ms`,
    );
    const out = join(workspaceRoot(), 'bench/results');
    mkdirSync(out, { recursive: true });
    const file = join(out, `join-${result.at.replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written to ${file}`);
  } finally {
    await bare?.close();
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
