/**
 * GCAS exchange benchmark: N = 2, 3, 5, 8 registry nodes as real processes on loopback (with the real auth
 * service, Kafka and the MongoDB-protocol server). For each N it reports
 *  - spread: for a CoreMX change reported at one registry, the time until every registry lists that version
 *    (p50/p99 over many changes), in ms and as a multiple of the exchange interval;
 *  - death: the time from `kill -9` of one registry until every survivor declares it dead, in ms and as a
 *    multiple of the death timeout (the configured lower bound).
 * Prints a table and writes bench/results/gossip-<time>.json.
 *
 *   node -r ./tools/ts-node/register.js bench/gossip/spread.bench.ts [--sizes 2,3,5,8] [--changes 40] [--interval-ms 200]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { describeKafkaCluster } from '@hoot/events';
import { pingMongo } from '@hoot/mongo';
import {
  REGISTRY_FAST_TUNABLES as FAST_TUNABLES,
  RegistryCluster,
  startKafka,
  startMongo,
  workspaceRoot,
} from '@hoot/testing';
import { arg, percentile, round } from '../bench-cli';

const SIZES = arg('sizes', '2,3,5,8').split(',').map(Number);
const CHANGES = Number(arg('changes', '40'));
const INTERVAL_MS = Number(arg('interval-ms', '200'));
const DEAD_AFTER_MS = Number(FAST_TUNABLES.DEAD_AFTER_MS);

function idsFor(n: number): string[] {
  // Two clouds, priorities 1.. in each.
  return Array.from({ length: n }, (_, i) => `reg-c${(i % 2) + 1}-${Math.floor(i / 2) + 1}`);
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await check()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function main(): Promise<void> {
  const kafka = await startKafka({ probe: (b) => describeKafkaCluster(b) });
  const mongo = await startMongo({ probe: (u) => pingMongo(u) });
  const results: Array<Record<string, unknown>> = [];
  try {
    for (const n of SIZES) {
      const ids = idsFor(n);
      const cluster = new RegistryCluster(
        {
          mongoUri: (db) => `${mongo.uri}${db}`,
          kafkaBrokers: kafka.brokers,
          prefix: `bench${n}_${Date.now().toString(36)}`,
        },
        ids.map((registryId) => ({ registryId, env: { GOSSIP_INTERVAL_MS: String(INTERVAL_MS) } })),
        'bench-logs',
        ['coremx-bench'],
      );
      await cluster.start();
      try {
        const user = await cluster.userToken('bench');
        const cash = await cluster.cashToken('coremx-bench');
        const versionAt = async (registryId: string): Promise<number> => {
          const res = await fetch(`${cluster.urlOf(registryId)}/v1/coremx`, {
            headers: { authorization: `Bearer ${user}` },
          });
          const body = (await res.json()) as {
            coremx: Array<{ coremxId: string; version: { seq: number } }>;
          };
          return body.coremx.find((c) => c.coremxId === 'coremx-bench')?.version.seq ?? -1;
        };
        const spread: number[] = [];
        for (let seq = 1; seq <= CHANGES; seq++) {
          const origin = ids[seq % n];
          const t0 = performance.now();
          const res = await fetch(`${cluster.urlOf(origin)}/internal/v1/coremx/coremx-bench`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${cash}` },
            body: JSON.stringify({
              address: 'coremx-bench.c1.hoot.mx',
              signalingUrl: 'ws://127.0.0.1:1/signal',
              state: 'active',
              load: (seq % 10) / 10,
              rooms: seq,
              participants: 0,
              capacity: 100,
              incarnation: 1,
              seq,
            }),
          });
          if (!res.ok) throw new Error(`report answered ${res.status}`);
          await waitUntil(async () => (await Promise.all(ids.map(versionAt))).every((v) => v >= seq), 30_000);
          spread.push(performance.now() - t0);
        }
        spread.sort((a, b) => a - b);
        // Death: kill -9 the last registry; every survivor must call it dead.
        const victim = ids[ids.length - 1];
        const survivors = ids.slice(0, -1);
        const t0 = performance.now();
        await cluster.killHard(victim);
        await waitUntil(async () => {
          const views = await Promise.all(
            survivors.map(async (id) => {
              const res = await fetch(`${cluster.urlOf(id)}/v1/registries`, {
                headers: { authorization: `Bearer ${user}` },
              });
              const body = (await res.json()) as {
                registries: Array<{ registryId: string; liveness: string }>;
              };
              return body.registries.find((r) => r.registryId === victim)?.liveness;
            }),
          );
          return views.every((l) => l === 'dead');
        }, 60_000);
        const deathMs = performance.now() - t0;
        const row = {
          registries: n,
          changes: CHANGES,
          exchangeIntervalMs: INTERVAL_MS,
          spreadP50Ms: round(percentile(spread, 50), 1),
          spreadP99Ms: round(percentile(spread, 99), 1),
          spreadP50Intervals: round(percentile(spread, 50) / INTERVAL_MS),
          spreadP99Intervals: round(percentile(spread, 99) / INTERVAL_MS),
          deathDetectionMs: Math.round(deathMs),
          deadAfterMs: DEAD_AFTER_MS,
          deathOverDeadAfter: round(deathMs / DEAD_AFTER_MS),
        };
        results.push(row);
        console.log(JSON.stringify(row));
      } finally {
        await cluster.stop();
      }
    }
  } finally {
    await mongo.stop();
    await kafka.stop();
  }
  console.log(
    '\nregistries  spread p50 / p99 (ms)   in exchange intervals   kill -9 → all survivors say dead',
  );
  for (const r of results) {
    console.log(
      `${String(r['registries']).padStart(10)}  ${`${r['spreadP50Ms']} / ${r['spreadP99Ms']}`.padEnd(22)}  ${`${r['spreadP50Intervals']} / ${r['spreadP99Intervals']}`.padEnd(22)}  ${r['deathDetectionMs']} ms (${r['deathOverDeadAfter']} × DEAD_AFTER_MS)`,
    );
  }
  const out = join(workspaceRoot(), 'bench/results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `gossip-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        command: `node -r ./tools/ts-node/register.js bench/gossip/spread.bench.ts --sizes ${SIZES.join(',')} --changes ${CHANGES} --interval-ms ${INTERVAL_MS}`,
        machine: { cpus: availableParallelism(), model: cpus()[0]?.model },
        tunables: { ...FAST_TUNABLES, GOSSIP_INTERVAL_MS: String(INTERVAL_MS) },
        results,
      },
      null,
      2,
    ),
  );
  console.log(`\nwritten to ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
