/**
 * CASH control-plane join benchmark: real processes on loopback (auth service, one registry node, kms-lite
 * with its fake engine, CASH; Kafka and the MongoDB-protocol server started here). For each of `--joins`
 * fresh m2m rooms, one participant opens the signaling WebSocket and
 *  - join: sends `join` with a join ticket signed by the auth service's key → `joined` (ticket check against
 *    the JWKS and revocations, admission, room start, events journaled);
 *  - publish: sends `publish` with a werift SDP offer (made once, before timing) → `publish-answer`
 *    (pipeline and WebRtcEndpoint created on kms-lite, SDP processed, events journaled);
 *  - total: both, i.e. ticket check → endpoint created → SDP answer.
 * Joins run one after another (latency, not throughput). Each is followed by the same two messages to a
 * bare WebSocket server in a process of its own (bench/cash/bare-signaling.ts: the parse and the same ticket
 * check, nothing behind them), the same-run baseline: CASH's figures minus its are CASH's own work and
 * waits, whatever the load of the machine. Prints p50/p99 of both and writes bench/results/cash-<time>.json.
 * A further `--profile-joins` joins run with V8's profiler attached to CASH (apart, so the profiler's cost is
 * not in the figures); the profile is saved as `.cash.cpuprofile` beside the results and its top five
 * self-time functions printed.
 *
 *   node -r ./tools/ts-node/register.js bench/cash/join.bench.ts [--joins 200] [--warmup 20] [--profile-joins 200]
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { signTestToken } from '@hoot/auth-kit/testing';
import { describeKafkaCluster } from '@hoot/events';
import { startKmsLite } from '@hoot/media/testing';
import { pingMongo } from '@hoot/mongo';
import {
  CashStack,
  SignalingClient,
  STACK_ISSUER,
  freePort,
  startKafka,
  startMongo,
  workspaceRoot,
} from '@hoot/testing';
import { MediaStreamTrack, RTCPeerConnection, useOPUS, useVP8 } from 'werift';
import { arg, percentile, round } from '../bench-cli';
import { inspectEnv, printTopSelf, startProfiling, topSelf } from '../cpu-profile';
import { startBareSignalingProcess } from './bare-signaling';
import { roomWaits, waitsBetween } from './room-waits';

const JOINS = Number(arg('joins', '200'));
const WARMUP = Number(arg('warmup', '20'));
const PROFILE_JOINS = Number(arg('profile-joins', '200'));
const COREMX_ID = 'coremx-bench';

const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    maxMs: round(sorted[sorted.length - 1]),
  };
};

async function werift(): Promise<string> {
  const peer = new RTCPeerConnection({ codecs: { audio: [useOPUS()], video: [useVP8()] } });
  peer.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
  peer.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction: 'sendonly' });
  await peer.setLocalDescription(await peer.createOffer());
  const sdp = peer.localDescription!.sdp;
  await peer.close();
  return sdp;
}

async function main(): Promise<void> {
  const kafka = await startKafka({ probe: (b) => describeKafkaCluster(b) });
  const mongo = await startMongo({ probe: (u) => pingMongo(u) });
  const stack = new CashStack({
    mongoUri: (db) => `${mongo.uri}${db}`,
    kafkaBrokers: kafka.brokers,
    prefix: `benchcash_${Date.now().toString(36)}`,
  });
  const kms = await startKmsLite({ engine: 'fake' });
  try {
    await stack.start();
    const inspectPort = await freePort();
    const cash = await stack.startCash({
      coremxId: COREMX_ID,
      kmsUrl: kms.url,
      env: {
        CAPACITY_ROOMS: '100000',
        CAPACITY_PARTICIPANTS: '100000',
        ROOM_EMPTY_TIMEOUT_MS: '1000',
        ...inspectEnv(inspectPort),
      },
    });
    const key = stack.signingKey();
    const offer = await werift();
    const samples = { join: [] as number[], publish: [] as number[], total: [] as number[] };
    const bareSamples = { join: [] as number[], publish: [] as number[], total: [] as number[] };
    const bare = await startBareSignalingProcess(key.publicKey, `coremx:${COREMX_ID}`);
    let n = 0;
    /** One fresh room: join, publish, end; the times are kept when `keep`. */
    const joinOnce = async (keep: boolean, url = cash.signalingUrl, into = samples) => {
      const i = n++;
      const room = `bench-${i}`;
      const ticket = signTestToken(key, {
        issuer: STACK_ISSUER,
        audience: `coremx:${COREMX_ID}`,
        subject: `user-${i}`,
        ttlSeconds: 600,
        claims: { jti: randomUUID(), cid: room, name: `User ${i}` },
      });
      const client = await SignalingClient.open(url);
      try {
        const t0 = performance.now();
        const joined = await client.request({ type: 'join', ticket });
        const t1 = performance.now();
        if (joined.type !== 'joined') throw new Error(`join ${i}: ${JSON.stringify(joined)}`);
        const answer = await client.request({
          type: 'publish',
          kinds: ['audio', 'video'],
          sdpOffer: offer,
        });
        const t2 = performance.now();
        if (answer.type !== 'publish-answer') throw new Error(`publish ${i}: ${JSON.stringify(answer)}`);
        if (keep) {
          into.join.push(t1 - t0);
          into.publish.push(t2 - t1);
          into.total.push(t2 - t0);
        }
        client.sendRaw(JSON.stringify({ type: 'end' }));
        await client.next('room-ended');
      } finally {
        client.terminate();
      }
    };
    const at = new Date().toISOString().replace(/[:.]/g, '-');
    const out = join(workspaceRoot(), 'bench/results');
    mkdirSync(out, { recursive: true });
    const profileFile = join(out, `cash-${at}.cash.cpuprofile`);
    let waits: ReturnType<typeof waitsBetween> = {};
    let top: ReturnType<typeof topSelf> = [];
    let topScripts: ReturnType<typeof topSelf> = [];
    try {
      let waits0 = await roomWaits(cash.url);
      for (let i = 0; i < WARMUP + JOINS; i++) {
        if (i === WARMUP) waits0 = await roomWaits(cash.url);
        await joinOnce(i >= WARMUP);
        await joinOnce(i >= WARMUP, bare.url, bareSamples);
      }
      waits = waitsBetween(waits0, await roomWaits(cash.url));
      if (PROFILE_JOINS > 0) {
        const profiling = await startProfiling(inspectPort);
        for (let i = 0; i < PROFILE_JOINS; i++) await joinOnce(false);
        const profile = await profiling.stop(profileFile);
        top = topSelf(profile, 5);
        topScripts = topSelf(profile, 5, { scriptsOnly: true });
      }
    } finally {
      await cash.stop();
      await bare.close();
    }
    const results = {
      joins: JOINS,
      warmup: WARMUP,
      join: summary(samples.join),
      publish: summary(samples.publish),
      total: summary(samples.total),
      bare: {
        join: summary(bareSamples.join),
        publish: summary(bareSamples.publish),
        total: summary(bareSamples.total),
      },
    };
    const overBare = {
      p50Ms: round(results.total.p50Ms - results.bare.total.p50Ms),
      p99Ms: round(results.total.p99Ms - results.bare.total.p99Ms),
    };
    console.log('\nstep                                   p50 (ms)   p99 (ms)   mean (ms)   max (ms)');
    const rows: Array<[string, ReturnType<typeof summary>]> = [
      ['join (ticket → joined)', results.join],
      ['publish (offer → endpoint → answer)', results.publish],
      ['total (ticket → SDP answer)', results.total],
      ['bare server: join', results.bare.join],
      ['bare server: publish', results.bare.publish],
      ['bare server: total (same-run baseline)', results.bare.total],
    ];
    for (const [name, s] of rows) {
      console.log(
        `${name.padEnd(38)} ${String(s.p50Ms).padStart(8)} ${String(s.p99Ms).padStart(10)} ${String(s.meanMs).padStart(11)} ${String(s.maxMs).padStart(10)}`,
      );
    }
    console.log(
      `\nCASH over the bare server (total): p50 +${overBare.p50Ms} ms, p99 +${overBare.p99Ms} ms; ratio p50 ${round(results.total.p50Ms / results.bare.total.p50Ms, 1)}×, p99 ${round(results.total.p99Ms / results.bare.total.p99Ms, 1)}×`,
    );
    console.log(
      '\nCASH room command waits over the timed joins (cash_room_wait_seconds; a join waits for the journal, a publish for 2 media calls and the journal):',
    );
    console.table(waits);
    if (PROFILE_JOINS > 0) {
      printTopSelf(`CASH during ${PROFILE_JOINS} joins (${profileFile})`, top);
      printTopSelf('CASH, JavaScript functions only', topScripts);
    }
    const file = join(out, `cash-${at}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          command: `node -r ./tools/ts-node/register.js bench/cash/join.bench.ts --joins ${JOINS} --warmup ${WARMUP} --profile-joins ${PROFILE_JOINS}`,
          machine: { cpus: availableParallelism(), model: cpus()[0]?.model },
          setup:
            'auth + registry + CASH processes, kms-lite fake engine, Kafka, FerretDB; loopback; one join at a time, each followed by the same two messages to a bare WebSocket server with the same ticket check in a process of its own (bench/cash/bare-signaling.ts), the same-run baseline',
          machineLoadAverage: loadavg().map((x) => round(x)),
          results,
          cashOverBare: overBare,
          cashRoomWaits: waits,
          ...(PROFILE_JOINS > 0 && {
            cashProfile: {
              file: profileFile.replace(`${workspaceRoot()}/`, ''),
              topSelf: top,
              topSelfJavaScript: topScripts,
            },
          }),
        },
        null,
        2,
      ),
    );
    console.log(`\nwritten to ${file}`);
  } finally {
    await kms.stop();
    await stack.stop();
    await mongo.stop();
    await kafka.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
