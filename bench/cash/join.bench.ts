/**
 * CASH control-plane join benchmark: real processes on loopback (auth service, one registry node, kms-lite
 * with its fake engine, CASH; Kafka and the MongoDB-protocol server started here). For each of `--joins`
 * fresh m2m rooms, one participant opens the signaling WebSocket and
 *  - join: sends `join` with a join ticket signed by the auth service's key → `joined` (ticket check against
 *    the JWKS and revocations, admission, room start, events journaled);
 *  - publish: sends `publish` with a werift SDP offer (made once, before timing) → `publish-answer`
 *    (pipeline and WebRtcEndpoint created on kms-lite, SDP processed, events journaled);
 *  - total: both, i.e. ticket check → endpoint created → SDP answer.
 * Joins run one after another (latency, not throughput). Prints p50/p99 and writes bench/results/cash-<time>.json.
 *
 *   node -r ./tools/ts-node/register.js bench/cash/join.bench.ts [--joins 200] [--warmup 20]
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { signTestToken } from '@hoot/auth-kit/testing';
import { describeKafkaCluster } from '@hoot/events';
import { startKmsLite } from '@hoot/media/testing';
import { pingMongo } from '@hoot/mongo';
import { startKafka, startMongo, workspaceRoot } from '@hoot/testing';
import { MediaStreamTrack, RTCPeerConnection, useOPUS, useVP8 } from 'werift';
import { CashStack, STACK_ISSUER } from '../../apps/cash/test/support/cash-stack';
import { SignalingClient } from '../../apps/cash/test/support/signaling-client';
import { arg, percentile, round } from '../bench-cli';

const JOINS = Number(arg('joins', '200'));
const WARMUP = Number(arg('warmup', '20'));
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
    const cash = await stack.startCash({
      coremxId: COREMX_ID,
      kmsUrl: kms.url,
      env: { CAPACITY_ROOMS: '100000', CAPACITY_PARTICIPANTS: '100000', ROOM_EMPTY_TIMEOUT_MS: '1000' },
    });
    const key = stack.signingKey();
    const offer = await werift();
    const samples = { join: [] as number[], publish: [] as number[], total: [] as number[] };
    try {
      for (let i = 0; i < WARMUP + JOINS; i++) {
        const room = `bench-${i}`;
        const ticket = signTestToken(key, {
          issuer: STACK_ISSUER,
          audience: `coremx:${COREMX_ID}`,
          subject: `user-${i}`,
          ttlSeconds: 600,
          claims: { jti: randomUUID(), cid: room, name: `User ${i}` },
        });
        const client = await SignalingClient.open(cash.signalingUrl);
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
          if (i >= WARMUP) {
            samples.join.push(t1 - t0);
            samples.publish.push(t2 - t1);
            samples.total.push(t2 - t0);
          }
          client.sendRaw(JSON.stringify({ type: 'end' }));
          await client.next('room-ended');
        } finally {
          client.terminate();
        }
      }
    } finally {
      await cash.stop();
    }
    const results = {
      joins: JOINS,
      warmup: WARMUP,
      join: summary(samples.join),
      publish: summary(samples.publish),
      total: summary(samples.total),
    };
    console.log('\nstep                                   p50 (ms)   p99 (ms)   mean (ms)   max (ms)');
    const rows: Array<[string, ReturnType<typeof summary>]> = [
      ['join (ticket → joined)', results.join],
      ['publish (offer → endpoint → answer)', results.publish],
      ['total (ticket → SDP answer)', results.total],
    ];
    for (const [name, s] of rows) {
      console.log(
        `${name.padEnd(38)} ${String(s.p50Ms).padStart(8)} ${String(s.p99Ms).padStart(10)} ${String(s.meanMs).padStart(11)} ${String(s.maxMs).padStart(10)}`,
      );
    }
    const out = join(workspaceRoot(), 'bench/results');
    mkdirSync(out, { recursive: true });
    const file = join(out, `cash-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify(
        {
          command: `node -r ./tools/ts-node/register.js bench/cash/join.bench.ts --joins ${JOINS} --warmup ${WARMUP}`,
          machine: { cpus: availableParallelism(), model: cpus()[0]?.model },
          setup:
            'auth + registry + CASH processes, kms-lite fake engine, Kafka, FerretDB; loopback; one join at a time',
          results,
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
