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
import { createPublicKey, type KeyObject } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import jwt from 'jsonwebtoken';
import { describeKafkaCluster } from '@hoot/events';
import { pingMongo } from '@hoot/mongo';
import { startKafka, startMongo, workspaceRoot } from '@hoot/testing';
import { ConferencePlatform } from '../../apps/registry/test/support/conference-platform';
import { ISSUER } from '../../apps/registry/test/support/registry-cluster';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const ROUNDS = Number(arg('rounds', '3'));
const SECONDS = Number(arg('seconds', '5'));
const CONCURRENCY = Number(arg('concurrency', '16'));
const CREATIONS = Number(arg('creations', '20'));

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

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

async function bareServer(publicKey: KeyObject): Promise<{ url: string; close: () => Promise<void> }> {
  const app = Fastify({ logger: false });
  app.post('/v1/join', async (request, reply) => {
    const header = request.headers.authorization ?? '';
    try {
      const claims = jwt.verify(header.replace(/^Bearer /, ''), publicKey, {
        algorithms: ['RS256'],
        issuer: ISSUER,
        audience: 'hoot',
      });
      return { ok: true, sub: (claims as { sub: string }).sub };
    } catch {
      return reply.code(401).send({ code: 'token.invalid' });
    }
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

async function main(): Promise<void> {
  const kafka = await startKafka({ probe: (b) => describeKafkaCluster(b) });
  const mongo = await startMongo({ probe: (u) => pingMongo(u) });
  const env = { JOIN_RATE_PER_MIN: '100000000', CREATE_RATE_PER_MIN: '100000', LOG_LEVEL: 'warn' };
  const platform = new ConferencePlatform(
    {
      mongoUri: (db) => `${mongo.uri}${db}`,
      kafkaBrokers: kafka.brokers,
      prefix: `benchjoin_${Date.now().toString(36)}`,
    },
    [
      { registryId: 'reg-c1-1', env },
      { registryId: 'reg-c2-1', env },
    ],
    [
      { coremxId: 'coremx-1', cloud: 'c1' },
      { coremxId: 'coremx-2', cloud: 'c2' },
    ],
  );
  let bare: { url: string; close: () => Promise<void> } | undefined;
  try {
    await platform.start();
    const alice = await platform.cluster.userToken('alice');
    const bob = await platform.cluster.userToken('bob');
    const c1 = platform.cluster.urlOf('reg-c1-1');
    const c2 = platform.cluster.urlOf('reg-c2-1');
    const post = (url: string, token: string, body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });

    // Both CoreMX known everywhere before placing.
    for (let i = 0; ; i++) {
      const res = await fetch(`${c1}/v1/coremx`, { headers: { authorization: `Bearer ${alice}` } });
      const body = (await res.json()) as { coremx: { liveness: string }[] };
      if (body.coremx.filter((c) => c.liveness === 'alive').length === 2) break;
      if (i > 600) throw new Error('the CoreMX never registered');
      await new Promise((r) => setTimeout(r, 50));
    }

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
    const jwks = (await (await fetch(`${platform.cluster.authUrl}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, unknown>[];
    };
    bare = await bareServer(createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' }));
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
    await platform.stop();
    await mongo.stop();
    await kafka.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
