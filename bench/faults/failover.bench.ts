/**
 * The failover timeline after kill -9 of a CASH (issue 21 item 2), with the detection settings of before
 * issue 21 measured in the same run as the baseline:
 *  - before: CASH reports every 1 s, a CoreMX is suspect after 5 s of silence and declared down then;
 *  - after (the defaults now): CASH reports every 500 ms, suspect after 1.5 s, the cloud's primary probes
 *    the suspect CASH and declares it down when the probe fails, and re-homes at once.
 * Each run: auth, reg-c1-1 and reg-c2-1, coremx-1 (c1) and coremx-2 (c2) as real processes on Kafka and
 * FerretDB started here; `--conferences` conferences placed on coremx-1, two signaling clients in each
 * (alice the owner, bob). Then kill -9 of coremx-1's CASH, and from that instant: when reg-c1-1 first lists
 * coremx-1 as suspect and as down (polled every 25 ms), when each conference's record names its new
 * CoreMX, when each client is back in a room. A client whose signaling closes asks reg-c1-1 to join its
 * old address again, waits what `Retry-After` says (or 250 ms) after a refusal, 250 ms after a connection
 * that failed, and counts a join answer
 * that still sends it to the dead CASH ("refused connects", 77 in the fault run that filed issue 21).
 * A third run loses the whole cloud c1 at once (its registry and its CASH): reg-c2-1 judges c1's CoreMX as
 * its deputy, the clients come back through reg-c2-1 with their old addresses (issue 21 item 5).
 * Prints the timelines and writes bench/results/failover-<time>.json.
 *
 *   node -r ./tools/ts-node/register.js bench/faults/failover.bench.ts [--conferences 10]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { describeKafkaCluster } from '@hoot/events';
import { pingMongo } from '@hoot/mongo';
import { startKmsLite } from '@hoot/media/testing';
import { ConferencePlatform, startKafka, startMongo, workspaceRoot } from '@hoot/testing';
import { arg, percentile, round } from '../bench-cli';
import { BENCH_REGISTRY_ENV } from '../join/join-support';

const CONFERENCES = Number(arg('conferences', '10'));
const POLL_MS = 25;

interface Settings {
  name: string;
  /** `cash`: kill -9 of coremx-1's CASH; `cloud`: of it and of every registry of cloud c1 at once. */
  fault: 'cash' | 'cloud';
  registryEnv: Record<string, string>;
  cashEnv: Record<string, string>;
}

const SETTINGS: Settings[] = [
  {
    name: 'CASH killed, before (report 1 s, suspect = down at 5 s)',
    fault: 'cash',
    registryEnv: { COREMX_SUSPECT_AFTER_MS: '5000', REHOME_INTERVAL_MS: '2000' },
    cashEnv: { HEARTBEAT_INTERVAL_MS: '1000' },
  },
  {
    name: 'CASH killed, after (report 500 ms, suspect at 1.5 s, probe, re-home at once)',
    fault: 'cash',
    registryEnv: {},
    cashEnv: { HEARTBEAT_INTERVAL_MS: '500' },
  },
  {
    name: 'whole cloud c1 lost (its registry and CASH), after: c2 judges as deputy',
    fault: 'cloud',
    registryEnv: {},
    cashEnv: { HEARTBEAT_INTERVAL_MS: '500' },
  },
];

/** The registries' production defaults (the test harness's fast gossip would flatter the timeline). */
const PRODUCTION_GOSSIP = {
  GOSSIP_INTERVAL_MS: '1000',
  GOSSIP_DEBOUNCE_MS: '50',
  GOSSIP_TIMEOUT_MS: '2000',
  SUSPECT_AFTER_MS: '5000',
  DEAD_AFTER_MS: '15000',
  COREMX_HARD_TIMEOUT_MS: '60000',
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Client {
  who: string;
  address: string;
  backAtMs?: number;
  refusedConnects: number;
  refusals: number;
  socket?: WebSocket;
}

/** Joins through the registry and CASH; resolves when `joined` arrives, rejects when the socket fails. */
async function joinOnce(
  registry: string,
  token: string,
  client: Client,
  deadCash: string | undefined,
): Promise<'joined' | 'refused' | 'unreachable'> {
  const res = await fetch(`${registry}/v1/join`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ address: client.address }),
  });
  const body = (await res.json()) as { signalingUrl?: string; ticket?: string };
  if (res.status !== 200) {
    client.refusals += 1;
    const retryAfterS = Number(res.headers.get('retry-after'));
    await sleep(Number.isFinite(retryAfterS) && retryAfterS > 0 ? retryAfterS * 1000 : 250);
    return 'refused';
  }
  const url = body.signalingUrl!;
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    const fail = () => {
      if (deadCash && url === deadCash) client.refusedConnects += 1;
      socket.removeAllListeners();
      socket.terminate();
      resolve('unreachable');
    };
    socket.once('error', fail);
    socket.once('open', () => socket.send(JSON.stringify({ type: 'join', id: '1', ticket: body.ticket })));
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type === 'joined') {
        socket.removeAllListeners('error');
        client.socket = socket;
        resolve('joined');
      } else if (message.type === 'error') fail();
    });
  });
}

async function runOnce(
  settings: Settings,
  infra: { kafka: string[]; mongo: string },
): Promise<Record<string, unknown>> {
  // Ids of this run only: every registry reads every CoreMX topic of the broker, earlier runs' included.
  const tag = Date.now().toString(36);
  const [MX1, MX2] = [`mx1-${tag}`, `mx2-${tag}`];
  const platform = new ConferencePlatform(
    {
      mongoUri: (db) => `${infra.mongo}${db}`,
      kafkaBrokers: infra.kafka,
      prefix: `benchfail_${Date.now().toString(36)}`,
      startMediaServer: () => startKmsLite({ engine: 'fake' }),
    },
    ['reg-c1-1', 'reg-c2-1'].map((registryId) => ({
      registryId,
      env: { ...BENCH_REGISTRY_ENV, ...PRODUCTION_GOSSIP, ...settings.registryEnv },
    })),
    [
      { coremxId: MX1, cloud: 'c1' },
      { coremxId: MX2, cloud: 'c2' },
    ],
    settings.cashEnv,
  );
  await platform.start();
  try {
    const tokens = {
      alice: await platform.cluster.userToken('alice'),
      bob: await platform.cluster.userToken('bob'),
    };
    const c1 = platform.cluster.urlOf('reg-c1-1');
    const c2 = platform.cluster.urlOf('reg-c2-1');
    // Who the clients and this observer ask after the fault: c1, or c2 when cloud c1 is lost.
    const after = settings.fault === 'cloud' ? c2 : c1;
    const coremx = async (at = c1) =>
      (
        (await (
          await fetch(`${at}/v1/coremx`, { headers: { authorization: `Bearer ${tokens.alice}` } })
        ).json()) as { coremx: { coremxId: string; liveness: string; state: string }[] }
      ).coremx;
    for (let i = 0; (await coremx()).filter((c) => c.liveness === 'alive').length < 2; i++) {
      if (i > 1200) throw new Error('the CoreMX never registered');
      await sleep(50);
    }
    // Conferences on coremx-1 (the own CoreMX of cloud c1), two clients in each.
    const ids: string[] = [];
    const clients: Client[] = [];
    for (let i = 0; i < CONFERENCES; i++) {
      const id = `fail-${tag}-${i}`;
      const created = await fetch(`${c1}/v1/conferences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.alice}` },
        body: JSON.stringify({ id, type: 'm2m', allowed: ['bob'] }),
      });
      const record = (await created.json()) as { address: string; coremxId: string };
      if (created.status !== 201 || record.coremxId !== MX1)
        throw new Error(`create ${id}: ${created.status} ${JSON.stringify(record)}`);
      ids.push(id);
      for (const who of ['alice', 'bob'] as const) {
        const client: Client = { who, address: record.address, refusedConnects: 0, refusals: 0 };
        if ((await joinOnce(c1, tokens[who], client, undefined)) !== 'joined')
          throw new Error(`${who} could not join ${id}`);
        clients.push(client);
      }
    }
    const deadCash = platform.cash.get(MX1)!.signalingUrl;
    const t0 = performance.now();
    const since = () => round(performance.now() - t0, 1);
    await Promise.all([
      platform.killCash(MX1),
      ...(settings.fault === 'cloud' ? [platform.cluster.killHard('reg-c1-1')] : []),
    ]);
    // Clients: back in a room through reg-c1-1 with the old address.
    const back = clients.map(async (client) => {
      await new Promise<void>((resolve) => {
        if (client.socket!.readyState !== WebSocket.OPEN) resolve();
        client.socket!.once('close', () => resolve());
      });
      for (;;) {
        const token = tokens[client.who as 'alice' | 'bob'];
        const outcome = await joinOnce(after, token, client, deadCash);
        if (outcome === 'joined') break;
        // A client whose connection was refused tries again a little later (as the SDK does).
        if (outcome === 'unreachable') await sleep(250);
        if (performance.now() - t0 > 120_000) throw new Error('a client never came back');
      }
      client.backAtMs = since();
    });
    // The registry's view and the records (c2's when cloud c1 is lost: its directory follows the topics).
    let suspectMs: number | undefined;
    let downMs: number | undefined;
    const movedMs = new Map<string, number>();
    while (downMs === undefined || movedMs.size < ids.length) {
      const view = (await coremx(after)).find((c) => c.coremxId === MX1);
      if (suspectMs === undefined && view && view.liveness !== 'alive') suspectMs = since();
      if (downMs === undefined && view && (view.liveness === 'down' || view.state === 'down'))
        downMs = since();
      for (const id of ids) {
        if (movedMs.has(id)) continue;
        const read = await fetch(`${after}/v1/conferences/${id}`, {
          headers: { authorization: `Bearer ${tokens.alice}` },
        });
        const record = (await read.json()) as { coremxId?: string };
        if (record.coremxId && record.coremxId !== MX1) movedMs.set(id, since());
      }
      if (performance.now() - t0 > 120_000) throw new Error('the conferences never moved');
      await sleep(POLL_MS);
    }
    await Promise.all(back);
    for (const c of clients) c.socket?.terminate();
    const moved = [...movedMs.values()].sort((a, b) => a - b);
    const backs = clients.map((c) => c.backAtMs!).sort((a, b) => a - b);
    return {
      settings: settings.name,
      suspectMs,
      downMs,
      movedMs: { first: moved[0], p50: percentile(moved, 50), last: moved[moved.length - 1] },
      clientsBackMs: {
        first: backs[0],
        p50: percentile(backs, 50),
        p99: percentile(backs, 99),
        last: backs[backs.length - 1],
      },
      refusedConnects: clients.reduce((n, c) => n + c.refusedConnects, 0),
      joinRefusals: clients.reduce((n, c) => n + c.refusals, 0),
      clients: clients.length,
    };
  } finally {
    await platform.stop();
  }
}

async function main(): Promise<void> {
  const kafka = await startKafka({ probe: (b) => describeKafkaCluster(b) });
  const mongo = await startMongo({ probe: (u) => pingMongo(u) });
  const runs: Record<string, unknown>[] = [];
  try {
    for (const settings of SETTINGS)
      runs.push(await runOnce(settings, { kafka: kafka.brokers, mongo: mongo.uri }));
  } finally {
    await mongo.stop();
    await kafka.stop();
  }
  console.log(`\nkill -9 of a CASH with ${CONFERENCES} conferences × 2 clients (ms after the kill)`);
  console.table(
    runs.map((r) => {
      const moved = r['movedMs'] as Record<string, number>;
      const backs = r['clientsBackMs'] as Record<string, number>;
      return {
        settings: r['settings'],
        suspect: r['suspectMs'],
        down: r['downMs'],
        'moved first–last': `${moved['first']}–${moved['last']}`,
        'clients back p50': backs['p50'],
        'clients back p99': backs['p99'],
        'refused connects': r['refusedConnects'],
      };
    }),
  );
  const out = join(workspaceRoot(), 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `failover-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        bench: 'failover',
        at: new Date().toISOString(),
        machine: { cpus: cpus().length, loadavg: loadavg() },
        conferences: CONFERENCES,
        runs,
      },
      null,
      2,
    ),
  );
  console.log(`written to ${file}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
