/**
 * CASH capacity benchmark: one CASH (real process on loopback, with the auth service, a registry node,
 * kms-lite's fake media engine, Kafka and FerretDB, as bench/cash/join.bench.ts) holding `--rooms` m2m rooms
 * × `--per-room` participants, each on its own signaling WebSocket from this process, all joined (tickets
 * signed with the auth service's key). Per room the first to join creates it and publishes; the others join
 * as viewers and all but the last raise their hand, are approved by the owner and publish (9 publishers
 * and a viewer at 10 per room: an m2m room allows 9 publishers); one werift offer, made before timing, is
 * reused. Then a steady open-loop stream of `--rate` messages/s in total for `--seconds`, in turn: chat and
 * subscribe (recvonly werift offer, to the room's other publishers in turn; to one it is subscribed to
 * already, an unsubscribe instead) from everyone in a fixed shuffled cycle, raise-hand/lower-hand
 * (toggled) from the viewers — at the defaults a participant chats every 15 s and a viewer sends about
 * 0.7 messages/s, far under the per-connection and per-identity signaling limits (1 chat/s, 50
 * messages/s), which stay at their defaults. It reports the round trip (scheduled send → the answer
 * carrying its id) p50/p99/max per message type, the CASH process's CPU over the steady phase
 * (/proc/<pid>/stat utime+stime) and RSS, in total and per participant. A further `--profile-seconds` of
 * the same stream runs with V8's profiler attached (apart, so the profiler's cost is not in the figures);
 * the profile is saved as `.cash.cpuprofile` beside the results and its top five self-time functions
 * printed. It also reads CASH's `cash_room_wait_seconds` histogram before and after the steady phase: how
 * long room commands waited for the event journal (events durable) and for each media server call, the
 * two waits behind the round trips. Writes bench/results/cash-capacity-<time>.json.
 *
 *   node -r ./tools/ts-node/register.js bench/cash/capacity.bench.ts [--rooms 100] [--per-room 10]
 *     [--rate 200] [--seconds 30] [--profile-seconds 10]
 */
import { randomUUID } from 'node:crypto';
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { signTestToken } from '@hoot/auth-kit/testing';
import { ROOM_TYPE_RULES } from '@hoot/domain';
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
  type RunningCash,
} from '@hoot/testing';
import { MediaStreamTrack, RTCPeerConnection, useOPUS, useVP8 } from 'werift';
import { inspectEnv, printTopSelf, startProfiling, topSelf } from '../cpu-profile';
import { arg, percentile, round } from '../bench-cli';
import { roomWaits, waitsBetween } from './room-waits';

const ROOMS = Number(arg('rooms', '100'));
const PER_ROOM = Number(arg('per-room', '10'));
const RATE = Number(arg('rate', '200'));
const SECONDS = Number(arg('seconds', '30'));
const PROFILE_SECONDS = Number(arg('profile-seconds', '10'));
/** Rooms filled at once (CASH allows 32 unjoined sockets per address; a room's viewers join together). */
const ROOMS_AT_ONCE = Math.max(1, Math.floor(24 / PER_ROOM));
const COREMX_ID = 'coremx-capacity';
/**
 * Publishers per room: all but the last participant (a viewer: the one that raises and lowers its hand),
 * at most the 9 an m2m room allows.
 */
const PUBLISHERS = Math.min(PER_ROOM - 1, ROOM_TYPE_RULES.m2m.maxPublishers);
if (PER_ROOM < 2) throw new Error('--per-room must be at least 2 (publishers and a viewer)');

const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  if (!sorted.length) return { count: 0, p50Ms: NaN, p99Ms: NaN, maxMs: NaN };
  return {
    count: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1]),
  };
};

async function offer(direction: 'sendonly' | 'recvonly'): Promise<string> {
  const peer = new RTCPeerConnection({ codecs: { audio: [useOPUS()], video: [useVP8()] } });
  if (direction === 'sendonly') {
    peer.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction });
    peer.addTransceiver(new MediaStreamTrack({ kind: 'video' }), { direction });
  } else {
    peer.addTransceiver('audio', { direction });
    peer.addTransceiver('video', { direction });
  }
  await peer.setLocalDescription(await peer.createOffer());
  const sdp = peer.localDescription!.sdp;
  await peer.close();
  return sdp;
}

const TICKS_PER_S = (() => {
  try {
    return Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "(comm) ": state is field 3, utime field 14, stime field 15 (1-based in proc(5)).
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

/** VmRSS and VmHWM of a process, in MiB. */
function memory(pid: number): { rssMiB: number; peakRssMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: round(kib('VmRSS') / 1024, 1), peakRssMiB: round(kib('VmHWM') / 1024, 1) };
}

interface Participant {
  client: SignalingClient;
  room: number;
  participantId: string;
  handUp: boolean;
  /** Its index in the room; subscribes so far (they go round the room's other publishers). */
  index: number;
  subscribeTurns: number;
  subscribed: Set<string>;
}

type Kind = 'chat' | 'raise-hand' | 'lower-hand' | 'subscribe' | 'unsubscribe';

async function main(): Promise<void> {
  const kafka = await startKafka({ probe: (b) => describeKafkaCluster(b) });
  const mongo = await startMongo({ probe: (u) => pingMongo(u) });
  const stack = new CashStack({
    mongoUri: (db) => `${mongo.uri}${db}`,
    kafkaBrokers: kafka.brokers,
    prefix: `benchcap_${Date.now().toString(36)}`,
  });
  const kms = await startKmsLite({ engine: 'fake' });
  const participants: Participant[] = [];
  let cash: RunningCash | undefined;
  try {
    await stack.start();
    const inspectPort = await freePort();
    cash = await stack.startCash({
      coremxId: COREMX_ID,
      kmsUrl: kms.url,
      env: {
        CAPACITY_ROOMS: String(ROOMS * 2),
        CAPACITY_PARTICIPANTS: String(ROOMS * PER_ROOM * 2),
        // The bench ends by closing every socket: rooms end soon after and SIGTERM need not wait for them.
        ROOM_EMPTY_TIMEOUT_MS: '1000',
        DRAIN_DEADLINE_MS: '1000',
        ...inspectEnv(inspectPort),
      },
    });
    const pid = cash.process.pid!;
    const signalingUrl = cash.signalingUrl;
    const key = stack.signingKey();
    const publishOffer = await offer('sendonly');
    const subscribeOffer = await offer('recvonly');
    const idle = memory(pid);

    // 1. Everyone joins, and the publishers publish. Per room: the first to join creates it and publishes;
    // the others join as viewers, the next ones raise their hand, the owner approves and they publish.
    const joinMs: number[] = [];
    const publishMs: number[] = [];
    const promoteMs: number[] = [];
    const join1 = async (i: number): Promise<Participant> => {
      const room = Math.floor(i / PER_ROOM);
      const ticket = signTestToken(key, {
        issuer: STACK_ISSUER,
        audience: `coremx:${COREMX_ID}`,
        subject: `user-${i}`,
        ttlSeconds: 3600,
        claims: { jti: randomUUID(), cid: `capacity-${room}`, name: `User ${i}` },
      });
      const client = await SignalingClient.open(signalingUrl);
      const t0 = performance.now();
      const joined = await client.request({ type: 'join', ticket }, 60_000);
      joinMs.push(performance.now() - t0);
      if (joined.type !== 'joined') throw new Error(`join ${i}: ${JSON.stringify(joined)}`);
      const participant = {
        client,
        room,
        participantId: String(joined.participantId),
        handUp: false,
        index: i % PER_ROOM,
        subscribeTurns: 0,
        subscribed: new Set<string>(),
      };
      participants[i] = participant;
      return participant;
    };
    const publish = async (p: Participant) => {
      const t0 = performance.now();
      const answer = await p.client.request(
        { type: 'publish', kinds: ['audio', 'video'], sdpOffer: publishOffer },
        60_000,
      );
      if (answer.type !== 'publish-answer') throw new Error(`publish: ${JSON.stringify(answer)}`);
      publishMs.push(performance.now() - t0);
    };
    const expectOk = (answer: { type: string }, what: string) => {
      if (answer.type !== 'ok') throw new Error(`${what}: ${JSON.stringify(answer)}`);
    };
    const rooms = Array.from({ length: ROOMS }, (_, r) => r);
    const joinStarted = performance.now();
    await Promise.all(
      Array.from({ length: ROOMS_AT_ONCE }, async () => {
        for (let r = rooms.shift(); r !== undefined; r = rooms.shift()) {
          const owner = await join1(r * PER_ROOM);
          await publish(owner);
          const others = await Promise.all(
            Array.from({ length: PER_ROOM - 1 }, (_, j) => join1(r * PER_ROOM + 1 + j)),
          );
          await Promise.all(
            others.slice(0, PUBLISHERS - 1).map(async (p) => {
              const t0 = performance.now();
              expectOk(await p.client.request({ type: 'raise-hand' }, 60_000), 'raise-hand');
              expectOk(
                await owner.client.request({ type: 'approve', target: p.participantId }, 60_000),
                'approve',
              );
              promoteMs.push(performance.now() - t0);
              await publish(p);
            }),
          );
        }
      }),
    );
    const joinSeconds = (performance.now() - joinStarted) / 1000;
    await new Promise((r) => setTimeout(r, 2_000));
    const joinedMemory = memory(pid);

    // 2. The steady stream, open loop: message k is due at t0 + k / RATE.
    const order = participants.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    // Hands are the viewers' (a publisher has nothing to ask): they go round the viewers; chat and
    // subscribe round everyone.
    const viewers = order.filter((i) => i % PER_ROOM >= PUBLISHERS);
    let k = 0;
    let nextAny = 0;
    let nextViewer = 0;
    const sendOne = (
      latencies: Record<Kind, number[]>,
      errors: Record<string, number>,
      due: number,
    ): Promise<void> => {
      const type = k++ % 3;
      const p =
        participants[type === 1 ? viewers[nextViewer++ % viewers.length] : order[nextAny++ % order.length]];
      let kind: Kind;
      let message: Record<string, unknown>;
      if (type === 0) {
        kind = 'chat';
        message = { type: 'chat', text: `hello from ${p.participantId} #${k}` };
      } else if (type === 1) {
        kind = p.handUp ? 'lower-hand' : 'raise-hand';
        p.handUp = !p.handUp;
        message = { type: kind };
      } else {
        const others = Array.from({ length: PUBLISHERS }, (_, j) => j).filter((j) => j !== p.index);
        const publisher = participants[p.room * PER_ROOM + others[p.subscribeTurns++ % others.length]];
        const id = publisher.participantId;
        if (p.subscribed.has(id)) {
          kind = 'unsubscribe';
          p.subscribed.delete(id);
          message = { type: 'unsubscribe', publisherId: id };
        } else {
          kind = 'subscribe';
          p.subscribed.add(id);
          message = { type: 'subscribe', publisherId: id, sdpOffer: subscribeOffer };
        }
      }
      const expected = kind === 'subscribe' ? 'subscribe-answer' : 'ok';
      return p.client.request(message, 15_000).then(
        (answer) => {
          if (answer.type === expected) latencies[kind].push(performance.now() - due);
          else {
            const key = `${kind}: ${answer.type} ${answer.code ?? ''}`.trim();
            errors[key] = (errors[key] ?? 0) + 1;
          }
        },
        () => {
          errors[`${kind}: timeout`] = (errors[`${kind}: timeout`] ?? 0) + 1;
        },
      );
    };
    const stream = async (seconds: number) => {
      const latencies: Record<Kind, number[]> = {
        chat: [],
        'raise-hand': [],
        'lower-hand': [],
        subscribe: [],
        unsubscribe: [],
      };
      const errors: Record<string, number> = {};
      const inFlight: Promise<void>[] = [];
      const total = Math.round(RATE * seconds);
      const t0 = performance.now();
      for (let i = 0; i < total;) {
        const now = performance.now();
        while (i < total && t0 + (i * 1000) / RATE <= now) {
          inFlight.push(sendOne(latencies, errors, t0 + (i * 1000) / RATE));
          i++;
        }
        await new Promise((r) => setTimeout(r, 1));
      }
      const sentSeconds = (performance.now() - t0) / 1000;
      await Promise.all(inFlight);
      return { latencies, errors, sent: total, sentSeconds };
    };

    const loadBefore = loadavg().map((x) => round(x));
    const waits0 = await roomWaits(cash.url);
    const cpu0 = cpuSeconds(pid);
    const own0 = process.cpuUsage();
    const w0 = performance.now();
    const steady = await stream(SECONDS);
    const wallS = (performance.now() - w0) / 1000;
    const cpuS = cpuSeconds(pid) - cpu0;
    const own = process.cpuUsage(own0);
    const loadAfter = loadavg().map((x) => round(x));
    const steadyMemory = memory(pid);
    const waits = waitsBetween(waits0, await roomWaits(cash.url));

    // 3. The same stream again, profiled.
    const at = new Date().toISOString().replace(/[:.]/g, '-');
    const out = join(workspaceRoot(), 'bench/results');
    mkdirSync(out, { recursive: true });
    const profileFile = join(out, `cash-capacity-${at}.cash.cpuprofile`);
    const profiling = await startProfiling(inspectPort);
    await stream(PROFILE_SECONDS);
    const profile = await profiling.stop(profileFile);
    const top = topSelf(profile, 5);
    const topScripts = topSelf(profile, 5, { scriptsOnly: true });

    const n = participants.length;
    const all = Object.values(steady.latencies).flat();
    const perType = Object.fromEntries(
      Object.entries(steady.latencies).map(([kind, samples]) => [kind, summary(samples)]),
    );
    const cpuPercent = (cpuS / wallS) * 100;
    const result = {
      command:
        `node -r ./tools/ts-node/register.js bench/cash/capacity.bench.ts ${process.argv.slice(2).join(' ')}`.trim(),
      at: new Date().toISOString(),
      machine: {
        cpus: availableParallelism(),
        model: cpus()[0]?.model,
        node: process.version,
        loadAverageBefore: loadBefore,
        loadAverageAfter: loadAfter,
      },
      setup:
        'auth + registry + CASH processes, kms-lite fake engine, Kafka, FerretDB; loopback; every participant on its own WebSocket from the bench process; signaling limits at their defaults (each participant sends one message every participants/rate seconds); open loop, round trip from the scheduled send time',
      settings: {
        rooms: ROOMS,
        perRoom: PER_ROOM,
        participants: n,
        rate: RATE,
        seconds: SECONDS,
        profileSeconds: PROFILE_SECONDS,
      },
      joinPhase: {
        seconds: round(joinSeconds, 1),
        join: summary(joinMs),
        publish: summary(publishMs),
        raiseHandAndApprove: summary(promoteMs),
      },
      steady: {
        messagesSent: steady.sent,
        all: summary(all),
        perType,
        errors: steady.errors,
        roomWaits: waits,
      },
      cash: {
        cpuPercentOfOneCore: round(cpuPercent, 1),
        cpuCoreMsPerSecondPerParticipant: round((cpuS * 1000) / wallS / n, 3),
        cpuMsPerMessage: round((cpuS * 1000) / steady.sent, 3),
        rssIdleMiB: idle.rssMiB,
        rssJoinedMiB: joinedMemory.rssMiB,
        rssAfterSteadyMiB: steadyMemory.rssMiB,
        peakRssMiB: steadyMemory.peakRssMiB,
        rssPerParticipantKiB: round(((joinedMemory.rssMiB - idle.rssMiB) * 1024) / n, 1),
        rssTotalPerParticipantKiB: round((steadyMemory.rssMiB * 1024) / n, 1),
      },
      benchProcess: {
        // The 1000 clients (sending, receiving every fan-out, parsing JSON) share the machine with CASH.
        cpuPercentOfOneCore: round(((own.user + own.system) / 1e6 / wallS) * 100, 1),
      },
      cashProfile: {
        file: profileFile.replace(`${workspaceRoot()}/`, ''),
        topSelf: top,
        topSelfJavaScript: topScripts,
      },
    };

    console.log(
      `\nCASH capacity: ${ROOMS} rooms × ${PER_ROOM} = ${n} participants joined, ${PUBLISHERS} of each room publishing (in ${result.joinPhase.seconds} s); ${RATE} msg/s for ${SECONDS} s`,
    );
    console.table(
      Object.fromEntries(
        [...Object.entries(perType), ['all', result.steady.all] as const].map(([kind, s]) => [
          kind,
          { count: s.count, 'p50 ms': s.p50Ms, 'p99 ms': s.p99Ms, 'max ms': s.maxMs },
        ]),
      ),
    );
    console.log('errors:', Object.keys(steady.errors).length ? steady.errors : 'none');
    console.log('CASH room command waits in the steady phase (cash_room_wait_seconds):');
    console.table(waits);
    console.table({
      'CASH CPU (% of one core, steady)': result.cash.cpuPercentOfOneCore,
      'CPU core-ms/s per participant': result.cash.cpuCoreMsPerSecondPerParticipant,
      'CPU ms per message': result.cash.cpuMsPerMessage,
      'RSS idle / joined / after steady (MiB)': `${idle.rssMiB} / ${joinedMemory.rssMiB} / ${steadyMemory.rssMiB}`,
      'RSS per participant (joined − idle, KiB)': result.cash.rssPerParticipantKiB,
      'RSS total / participants (KiB)': result.cash.rssTotalPerParticipantKiB,
      'bench process (clients) CPU, % of one core': result.benchProcess.cpuPercentOfOneCore,
      'machine load average before / after': `${loadBefore.join(' ')} / ${loadAfter.join(' ')}`,
    });
    printTopSelf(`CASH during ${PROFILE_SECONDS} s of the stream (${profileFile})`, top);
    printTopSelf('CASH, JavaScript functions only', topScripts);
    const file = join(out, `cash-capacity-${at}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written to ${file}`);
  } finally {
    for (const p of participants) p?.client.terminate();
    await cash?.stop();
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
