/**
 * CASH event throughput: the journal-backed CCES producer CASH uses (`JournaledProducer` + `KafkaCcesSender`:
 * validate, next seq, append to the on-disk journal with fsync, batched idempotent sends with acks=all)
 * against raw kafkajs (the same idempotent producer settings and acks=all, no journal), in the same run
 * and against the same real Kafka broker (started here).
 *
 * Each mode publishes `--events` events spread over `--rooms` conferences (sample sessions from
 * `@hoot/events/testing`), all issued at once the way many rooms publish at the same time, and is timed
 * until Kafka acknowledged all of them:
 *  - journal: `publish` for every event (each resolves once fsynced), then `flushed()`;
 *  - raw per event: one `producer.send` per event (what a service without a journal would do);
 *  - raw batched: `producer.send` with `--batch` events per request (the journal's own batch size).
 * Prints events/s and the ratios and writes bench/results/cash-events-<time>.json.
 *
 *   node -r ./tools/ts-node/register.js bench/cash/events.bench.ts [--events 5000] [--rooms 50] [--rounds 3] [--batch 200]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  JournaledProducer,
  KafkaCcesSender,
  cceTopicFor,
  createKafka,
  describeKafkaCluster,
  ensureTopic,
  type CcesAnyPublishInput,
} from '@hoot/events';
import { ccesSampleSession } from '@hoot/events/testing';
import { startKafka, workspaceRoot } from '@hoot/testing';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const EVENTS = Number(arg('events', '5000'));
const ROOMS = Number(arg('rooms', '50'));
const ROUNDS = Number(arg('rounds', '3'));
// The baseline's batch size is fixed at 200 (issue 19 compares against it), whatever the producer's own maxBatch is.
const BATCH = Number(arg('batch', '200'));
const PARTITIONS = 3;

const round = (x: number, digits = 0) => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** `count` publish requests over `rooms` conferences, interleaved (room 0, 1, …, 0, 1, …). */
function workload(prefix: string, count: number, rooms: number): CcesAnyPublishInput[] {
  const sessions = Array.from({ length: rooms }, (_, r) => ccesSampleSession(`${prefix}-${r}`));
  const out: CcesAnyPublishInput[] = [];
  for (let i = 0; out.length < count; i++) {
    const session = sessions[i % rooms];
    out.push(session[Math.floor(i / rooms) % session.length]);
  }
  return out;
}

async function main(): Promise<void> {
  const kafka = await startKafka({ probe: (b) => describeKafkaCluster(b) });
  const client = createKafka({ clientId: 'bench-cash-events', brokers: kafka.brokers, logLevel: 'nothing' });
  const admin = client.admin();
  await admin.connect();
  const dirs: string[] = [];
  const rates = { journal: [] as number[], rawPerEvent: [] as number[], rawBatched: [] as number[] };
  try {
    const journal = async (label: string, inputs: CcesAnyPublishInput[]): Promise<number> => {
      const dir = mkdtempSync(join(tmpdir(), 'hoot-bench-cash-journal-'));
      dirs.push(dir);
      const sender = new KafkaCcesSender(client, { partitions: PARTITIONS });
      const producer = await JournaledProducer.open({
        coremxId: `bench-j-${label}`,
        journalDir: dir,
        sender,
      });
      try {
        // The topic exists before timing (CASH creates it at start-up too).
        await producer.publish(inputs[0]);
        await producer.flushed();
        const t0 = performance.now();
        await Promise.all(inputs.map((input) => producer.publish(input)));
        await producer.flushed();
        return inputs.length / ((performance.now() - t0) / 1000);
      } finally {
        await producer.close();
      }
    };

    const raw = async (label: string, inputs: CcesAnyPublishInput[], batch: number): Promise<number> => {
      const topic = cceTopicFor(`bench-r-${label}`);
      await ensureTopic(admin, topic, PARTITIONS);
      const producer = client.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      try {
        const seqs = new Map<string, number>();
        const messages = inputs.map((input, i) => {
          const seq = (seqs.get(input.conferenceId) ?? 0) + 1;
          seqs.set(input.conferenceId, seq);
          const event = {
            ...input,
            id: `raw-${label}-${i}`,
            seq,
            coremxId: 'bench',
            at: new Date().toISOString(),
          };
          return { key: input.conferenceId, value: JSON.stringify(event) };
        });
        await producer.send({ topic, acks: -1, messages: [messages[0]] });
        const t0 = performance.now();
        const sends: Promise<unknown>[] = [];
        for (let i = 0; i < messages.length; i += batch) {
          sends.push(producer.send({ topic, acks: -1, messages: messages.slice(i, i + batch) }));
        }
        await Promise.all(sends);
        return messages.length / ((performance.now() - t0) / 1000);
      } finally {
        await producer.disconnect();
      }
    };

    // Warm-up (connections, JIT), not counted.
    await journal('warmup', workload('warm', 500, 10));
    await raw('warmup', workload('warm', 500, 10), 1);
    for (let r = 0; r < ROUNDS; r++) {
      const inputs = workload(`round${r}`, EVENTS, ROOMS);
      rates.journal.push(await journal(String(r), inputs));
      rates.rawPerEvent.push(await raw(`${r}-single`, inputs, 1));
      rates.rawBatched.push(await raw(`${r}-batched`, inputs, BATCH));
      console.log(
        `round ${r + 1}/${ROUNDS}: journal ${round(rates.journal[r])}/s, raw per event ${round(rates.rawPerEvent[r])}/s, raw batched ${round(rates.rawBatched[r])}/s`,
      );
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
    await kafka.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }

  const results = {
    events: EVENTS,
    rooms: ROOMS,
    rounds: ROUNDS,
    batch: BATCH,
    eventsPerSecond: {
      journal: round(median(rates.journal)),
      rawPerEvent: round(median(rates.rawPerEvent)),
      rawBatched: round(median(rates.rawBatched)),
    },
    ratio: {
      journalToRawPerEvent: round(median(rates.journal) / median(rates.rawPerEvent), 2),
      journalToRawBatched: round(median(rates.journal) / median(rates.rawBatched), 2),
    },
    perRound: rates,
  };
  console.log('\nmode (median of rounds)          events/s');
  console.log(`journal (fsync + batched send)  ${String(results.eventsPerSecond.journal).padStart(9)}`);
  console.log(`raw kafkajs, one send per event ${String(results.eventsPerSecond.rawPerEvent).padStart(9)}`);
  console.log(
    `raw kafkajs, ${BATCH} per send`.padEnd(32) +
      ` ${String(results.eventsPerSecond.rawBatched).padStart(9)}`,
  );
  console.log(
    `\nratio journal / raw per event: ${results.ratio.journalToRawPerEvent}, journal / raw batched: ${results.ratio.journalToRawBatched}`,
  );
  const out = join(workspaceRoot(), 'bench/results');
  mkdirSync(out, { recursive: true });
  const file = join(out, `cash-events-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        command: `node -r ./tools/ts-node/register.js bench/cash/events.bench.ts --events ${EVENTS} --rooms ${ROOMS} --rounds ${ROUNDS} --batch ${BATCH}`,
        machine: { cpus: availableParallelism(), model: cpus()[0]?.model },
        setup: `one local Kafka broker (KRaft), loopback; idempotent producer, acks=all, ${PARTITIONS} partitions; journal fsync on`,
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
