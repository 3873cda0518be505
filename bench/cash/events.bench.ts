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
 *  - raw batched: `producer.send` with `--batch` events per request (fixed at 200 by issue 19, whatever
 *    the producer's own batch size is).
 * The raw modes send the very messages the producer sends (`ccesMessageOf` of the full envelope: value
 * and headers) and make them inside the timed span, as `publish` does: a service without a journal still
 * has to make its messages. The yardstick before issue 19's last round is kept as `rawBatchedLegacy`
 * (a bare JSON value without headers, made before the clock starts).
 * The modes run in a different order each round (so none always runs first on a cold page cache or a
 * busy broker) and the ratio is taken round by round against the same round's baseline; the median of
 * those ratios is printed. Then `--profile-runs` more journal runs go under V8's sampling profiler (apart,
 * so its cost is not in the figures): the profile is saved beside the results as `.journal.cpuprofile`
 * and its top five self-time functions printed. Writes bench/results/cash-events-<time>.json.
 *
 *   node -r ./tools/ts-node/register.js bench/cash/events.bench.ts [--events 5000] [--rooms 50] [--rounds 3]
 *     [--batch 200] [--profile-runs 5]
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  JournaledProducer,
  KafkaCcesSender,
  cceTopicFor,
  createKafka,
  describeKafkaCluster,
  ensureTopic,
  ccesDefinition,
  ccesMessageOf,
  type CcesAnyPublishInput,
  type CcesEvent,
  type CcesMessage,
  type CcesSender,
} from '@hoot/events';
import { ccesSampleSession } from '@hoot/events/testing';
import { startKafka, workspaceRoot } from '@hoot/testing';
import { arg, round } from '../bench-cli';
import { printTopSelf, topSelf, type CpuProfile } from '../cpu-profile';

const USAGE = `usage: node -r ./tools/ts-node/register.js bench/cash/events.bench.ts [flags]
  --events N        events per mode and round (default 5000)
  --rooms N         conferences they are spread over (default 50)
  --rounds N        measured rounds; the median of the per-round ratios is reported (default 3)
  --batch N         events per request of the raw batched baseline (default 200, issue 19's yardstick)
  --profile-runs N  journal runs under the CPU profiler after the rounds (default 5; 0: none)
  --brokers H:P     use this running broker instead of starting one
  --only MODE       run only journal | raw-batched | raw-legacy (a warm-up, then --rounds runs; prints
                    their median, writes nothing): one side of a whole-process comparison`;
if (process.argv.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}

const EVENTS = Number(arg('events', '5000'));
const ROOMS = Number(arg('rooms', '50'));
const ROUNDS = Number(arg('rounds', '3'));
const BATCH = Number(arg('batch', '200'));
const PROFILE_RUNS = Number(arg('profile-runs', '5'));
const BROKERS = arg('brokers', '');
const ONLY = arg('only', '');
if (ONLY && !['journal', 'raw-batched', 'raw-legacy'].includes(ONLY)) {
  throw new RangeError(`--only must be journal, raw-batched or raw-legacy, not ${JSON.stringify(ONLY)}`);
}
const PARTITIONS = 3;
for (const [name, value] of Object.entries({ EVENTS, ROOMS, ROUNDS, BATCH })) {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`--${name.toLowerCase()} must be ≥ 1`);
}
if (!Number.isSafeInteger(PROFILE_RUNS) || PROFILE_RUNS < 0)
  throw new RangeError('--profile-runs must be ≥ 0');

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

/** Where a journal run's time went: sends (count, time in `send`), and when the last event was durable. */
interface JournalRun {
  eventsPerSecond: number;
  sends: number;
  /** Time inside `sender.send`, summed (overlapping sends counted once each). */
  sendMs: number;
  /** The `publish` calls themselves (validate, number, serialize, queue for the journal): all at once. */
  callsMs: number;
  /** From the first `publish` to the last one resolving (every event journaled and fsynced). */
  durableMs: number;
  totalMs: number;
}

/** A `CcesSender` that counts and times the sends of the sender it wraps. */
class TimedSender implements CcesSender {
  sends = 0;
  sendMs = 0;
  constructor(private readonly inner: CcesSender) {}
  ensureTopic(topic: string): Promise<void> {
    return this.inner.ensureTopic(topic);
  }
  async send(topic: string, messages: readonly CcesMessage[]): Promise<void> {
    const t0 = performance.now();
    try {
      await this.inner.send(topic, messages);
    } finally {
      this.sends += 1;
      this.sendMs += performance.now() - t0;
    }
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

type KafkaClient = ReturnType<typeof createKafka>;

function modes(client: KafkaClient, admin: ReturnType<KafkaClient['admin']>, dirs: string[]) {
  const journal = async (label: string, inputs: CcesAnyPublishInput[]): Promise<JournalRun> => {
    const dir = mkdtempSync(join(tmpdir(), 'hoot-bench-cash-journal-'));
    dirs.push(dir);
    const sender = new TimedSender(new KafkaCcesSender(client, { partitions: PARTITIONS }));
    const producer = await JournaledProducer.open({ coremxId: `bench-j-${label}`, journalDir: dir, sender });
    try {
      // The topic exists before timing (CASH creates it at start-up too).
      await producer.publish(inputs[0]);
      await producer.flushed();
      sender.sends = 0;
      sender.sendMs = 0;
      const t0 = performance.now();
      const published = inputs.map((input) => producer.publish(input));
      const callsMs = performance.now() - t0;
      await Promise.all(published);
      const durableMs = performance.now() - t0;
      await producer.flushed();
      const totalMs = performance.now() - t0;
      return {
        eventsPerSecond: inputs.length / (totalMs / 1000),
        sends: sender.sends,
        sendMs: sender.sendMs,
        callsMs,
        durableMs,
        totalMs,
      };
    } finally {
      await producer.close();
    }
  };

  /**
   * Raw kafkajs, `batch` events per `send`, all sends issued at once. `same-messages` (the yardstick): the
   * Kafka messages the producer makes (`ccesMessageOf` of the full envelope: key, value, headers), made
   * inside the timed span. `legacy`: the yardstick before issue 19's last round — a bare JSON value
   * without the envelope's fields or headers, made before the clock starts.
   */
  const raw = async (
    label: string,
    inputs: CcesAnyPublishInput[],
    batch: number,
    kind: 'same-messages' | 'legacy' = 'same-messages',
  ): Promise<number> => {
    const topic = cceTopicFor(`bench-r-${label}`);
    await ensureTopic(admin, topic, PARTITIONS);
    const producer = client.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    try {
      const messagesOf = (from: CcesAnyPublishInput[]): { key: string; value: string }[] => {
        const seqs = new Map<string, number>();
        return from.map((input, i) => {
          const seq = (seqs.get(input.conferenceId) ?? 0) + 1;
          seqs.set(input.conferenceId, seq);
          if (kind === 'legacy') {
            const event = {
              ...input,
              id: `raw-${label}-${i}`,
              seq,
              coremxId: 'bench',
              at: new Date().toISOString(),
            };
            return { key: input.conferenceId, value: JSON.stringify(event) };
          }
          return ccesMessageOf({
            id: randomUUID(),
            type: input.type,
            schemaVersion: ccesDefinition(input.type).schemaVersion,
            coremxId: `bench-r-${label}`,
            conferenceId: input.conferenceId,
            seq,
            occurredAt: (input.occurredAt ?? new Date()).toISOString(),
            data: input.data,
          } as CcesEvent);
        });
      };
      await producer.send({ topic, acks: -1, messages: messagesOf(inputs.slice(0, 1)) });
      const prebuilt = kind === 'legacy' ? messagesOf(inputs) : undefined;
      const t0 = performance.now();
      const messages = prebuilt ?? messagesOf(inputs);
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
  return { journal, raw };
}

/** Runs `work` under V8's sampling profiler (this process, every 100 µs) and returns the profile. */
async function profiled(work: () => Promise<void>): Promise<CpuProfile> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    await work();
    const { profile } = await session.post('Profiler.stop');
    return profile as unknown as CpuProfile;
  } finally {
    session.disconnect();
  }
}

/** Kafka for the run: the broker of `--brokers`, or one started here (and stopped at the end). */
async function broker(): Promise<{ brokers: string[]; stop(): Promise<void> }> {
  if (BROKERS) return { brokers: BROKERS.split(','), stop: async () => undefined };
  return startKafka({ probe: (b) => describeKafkaCluster(b) });
}

/** `--only`: one mode alone, for a whole-process comparison of two such commands. */
async function only(): Promise<void> {
  const kafka = await broker();
  const client = createKafka({ clientId: 'bench-cash-events', brokers: kafka.brokers, logLevel: 'nothing' });
  const admin = client.admin();
  await admin.connect();
  const dirs: string[] = [];
  const rates: number[] = [];
  const label = `${process.pid}-${Date.now()}`;
  try {
    const { journal, raw } = modes(client, admin, dirs);
    const run = async (name: string, inputs: CcesAnyPublishInput[]) =>
      ONLY === 'journal'
        ? (await journal(name, inputs)).eventsPerSecond
        : await raw(name, inputs, BATCH, ONLY === 'raw-legacy' ? 'legacy' : 'same-messages');
    await run(`${label}-warm`, workload('warm', 500, 10));
    for (let r = 0; r < ROUNDS; r++)
      rates.push(await run(`${label}-${r}`, workload(`round${r}`, EVENTS, ROOMS)));
  } finally {
    await admin.disconnect().catch(() => undefined);
    await kafka.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${ONLY}: ${round(median(rates), 0)} events/s (median of ${ROUNDS} runs of ${EVENTS} events)`);
}

async function main(): Promise<void> {
  const kafka = await broker();
  const client = createKafka({ clientId: 'bench-cash-events', brokers: kafka.brokers, logLevel: 'nothing' });
  const admin = client.admin();
  await admin.connect();
  const dirs: string[] = [];
  const journalRuns: JournalRun[] = [];
  const rates = {
    journal: [] as number[],
    rawPerEvent: [] as number[],
    rawBatched: [] as number[],
    rawBatchedLegacy: [] as number[],
  };
  const ratios = { journalToRawBatched: [] as number[], journalToRawBatchedLegacy: [] as number[] };
  const at = new Date().toISOString().replace(/[:.]/g, '-');
  const out = join(workspaceRoot(), 'bench/results');
  mkdirSync(out, { recursive: true });
  const profileFile = join(out, `cash-events-${at}.journal.cpuprofile`);
  let top: ReturnType<typeof topSelf> = [];
  let topScripts: ReturnType<typeof topSelf> = [];
  try {
    const { journal, raw } = modes(client, admin, dirs);
    // Warm-up (connections, JIT), not counted.
    await journal('warmup', workload('warm', 500, 10));
    await raw('warmup', workload('warm', 500, 10), 1);
    await raw('warmup-b', workload('warm', 500, 10), BATCH);
    await raw('warmup-l', workload('warm', 500, 10), BATCH, 'legacy');
    for (let r = 0; r < ROUNDS; r++) {
      const inputs = workload(`round${r}`, EVENTS, ROOMS);
      const steps = [
        async () => {
          const run = await journal(String(r), inputs);
          journalRuns.push(run);
          rates.journal.push(run.eventsPerSecond);
        },
        async () => rates.rawBatched.push(await raw(`${r}-batched`, inputs, BATCH)),
        async () => rates.rawBatchedLegacy.push(await raw(`${r}-legacy`, inputs, BATCH, 'legacy')),
        async () => rates.rawPerEvent.push(await raw(`${r}-single`, inputs, 1)),
      ];
      // Rotate the order: round 1 journal first, round 2 raw batched first, …
      for (let s = 0; s < steps.length; s++) await steps[(s + r) % steps.length]();
      ratios.journalToRawBatched.push(rates.journal[r] / rates.rawBatched[r]);
      ratios.journalToRawBatchedLegacy.push(rates.journal[r] / rates.rawBatchedLegacy[r]);
      const j = journalRuns[r];
      console.log(
        `round ${r + 1}/${ROUNDS}: journal ${round(rates.journal[r], 0)}/s (${j.sends} sends, ${round(j.sendMs, 0)} ms in send, publish calls ${round(j.callsMs, 0)} ms, durable at ${round(j.durableMs, 0)} of ${round(j.totalMs, 0)} ms), ` +
          `raw batched ${round(rates.rawBatched[r], 0)}/s (legacy ${round(rates.rawBatchedLegacy[r], 0)}/s), ` +
          `raw per event ${round(rates.rawPerEvent[r], 0)}/s → ratio ${round(ratios.journalToRawBatched[r])}`,
      );
    }
    if (PROFILE_RUNS > 0) {
      const profile = await profiled(async () => {
        for (let p = 0; p < PROFILE_RUNS; p++)
          await journal(`profile${p}`, workload(`profile${p}`, EVENTS, ROOMS));
      });
      writeFileSync(profileFile, JSON.stringify(profile));
      top = topSelf(profile, 5);
      topScripts = topSelf(profile, 5, { scriptsOnly: true });
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
      journal: round(median(rates.journal), 0),
      rawPerEvent: round(median(rates.rawPerEvent), 0),
      rawBatched: round(median(rates.rawBatched), 0),
      rawBatchedLegacy: round(median(rates.rawBatchedLegacy), 0),
    },
    ratio: {
      /** Median over rounds of journal / the same round's raw batched (the same messages, made in the timed span). */
      journalToRawBatched: round(median(ratios.journalToRawBatched)),
      /** The same against the legacy yardstick (bare JSON without headers, made before the clock starts). */
      journalToRawBatchedLegacy: round(median(ratios.journalToRawBatchedLegacy)),
      journalToRawPerEvent: round(median(rates.journal) / median(rates.rawPerEvent)),
    },
    journalRuns,
    perRound: { ...rates, ratios },
  };
  console.log('\nmode (median of rounds)                 events/s');
  console.log(
    `journal (fsync + batched send)         ${String(results.eventsPerSecond.journal).padStart(9)}`,
  );
  console.log(
    `raw kafkajs, one send per event        ${String(results.eventsPerSecond.rawPerEvent).padStart(9)}`,
  );
  console.log(
    `raw kafkajs, ${BATCH} per send`.padEnd(39) +
      ` ${String(results.eventsPerSecond.rawBatched).padStart(9)}`,
  );
  console.log(
    `raw kafkajs, ${BATCH} per send, legacy`.padEnd(39) +
      ` ${String(results.eventsPerSecond.rawBatchedLegacy).padStart(9)}`,
  );
  console.log(
    `\nratio journal / raw batched (median of per-round ratios): ${results.ratio.journalToRawBatched}` +
      ` (vs legacy: ${results.ratio.journalToRawBatchedLegacy}); journal / raw per event: ${results.ratio.journalToRawPerEvent}`,
  );
  if (PROFILE_RUNS > 0) {
    printTopSelf(`journal producer, ${PROFILE_RUNS} runs of ${EVENTS} events (${profileFile})`, top);
    printTopSelf('journal producer, JavaScript functions only', topScripts);
  }
  const file = join(out, `cash-events-${at}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        command: `node -r ./tools/ts-node/register.js bench/cash/events.bench.ts --events ${EVENTS} --rooms ${ROOMS} --rounds ${ROUNDS} --batch ${BATCH} --profile-runs ${PROFILE_RUNS}`,
        machine: { cpus: availableParallelism(), model: cpus()[0]?.model },
        setup: `one local Kafka broker (KRaft), loopback; idempotent producer, acks=all, ${PARTITIONS} partitions; journal fsync on`,
        results,
        profile:
          PROFILE_RUNS > 0
            ? {
                file: profileFile.replace(`${workspaceRoot()}/`, ''),
                runs: PROFILE_RUNS,
                topSelf: top,
                topSelfJavaScript: topScripts,
              }
            : undefined,
      },
      null,
      2,
    ),
  );
  console.log(`\nwritten to ${file}`);
}

(ONLY ? only() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
