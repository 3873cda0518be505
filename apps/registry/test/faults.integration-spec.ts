import WebSocket from 'ws';
import { startKmsLite } from '@hoot/media/testing';
import {
  ConferencePlatform,
  eventually,
  startKafka,
  startMongo,
  type RunningKafka,
  type RunningMongo,
} from '@hoot/testing';
import { describeKafkaCluster } from '@hoot/events';
import { pingMongo } from '@hoot/mongo';
import { readCoremxTopics, seeded, sleep, type Client, type TopicStats } from './faults.fixture';

/**
 * The fault suite (issue 21 item 6): a small workload on real processes — reg-c1-1 (two replicas) and
 * reg-c2-1, two CoreMX in cloud c1 and one in c2, 6 conferences with 12 signaling clients that join through
 * the registries (`POST /v1/join`, then the CASH WebSocket), chat, raise a hand, leave and rejoin every
 * 1–2 s (a fixed seed), and rejoin after their socket closes, honouring `Retry-After`. Then each fault in
 * turn, each followed by every client back in a room: kill -9 of a CASH restarted with its journal, kill -9
 * of a registry replica restarted, SIGSTOP/SIGCONT of Kafka, of the MongoDB-protocol server. Afterwards
 * every CoreMX topic is read from its beginning: every event passes its contract, each (topic, conference)
 * has its seqs gap-free within a life of the room and never two events with one seq, no presence is left
 * behind, and the registries' directories agree. Counts and states only: the timings are
 * bench/faults/failover.bench.ts's.
 */
const TAG = Date.now().toString(36);
const prefix = `faults${TAG}`;
const MX1A = `${TAG}-f1a`;
const MX1B = `${TAG}-f1b`;
const MX2 = `${TAG}-f2`;
const COREMX = [MX1A, MX1B, MX2];
const CONFERENCES = 6;
const SEED = 21;
// Through which registry each client joins first (it tries the next when one does not answer).
const REGISTRIES = ['reg-c1-1', 'reg-c1-1-b', 'reg-c2-1'];
const FAULT_PAUSE_MS = 3_000;

describe('faults: a workload through a CASH crash, a registry crash, Kafka and MongoDB stalls', () => {
  // A Kafka and a MongoDB-protocol server of its own: the SIGSTOPs below must not stall the other specs
  // that share the integration run's infrastructure.
  let kafka: RunningKafka | undefined;
  let mongo: RunningMongo | undefined;
  const infra = {
    get kafkaBrokers(): string[] {
      if (!kafka) throw new Error('Kafka is not started');
      return kafka.brokers;
    },
    get kafkaPid(): number | undefined {
      return kafka?.process.pid;
    },
    get mongoPid(): number | undefined {
      return mongo?.process.pid;
    },
  };
  const registryEnv = { REHOME_INTERVAL_MS: '300' };
  const platform = new ConferencePlatform(
    {
      mongoUri: (db) => `${mongo!.uri}${db}`,
      get kafkaBrokers() {
        return infra.kafkaBrokers;
      },
      prefix,
      startMediaServer: () => startKmsLite({ engine: 'fake' }),
    },
    [
      { registryId: 'reg-c1-1', latitude: 50, longitude: 8, env: registryEnv },
      { registryId: 'reg-c1-1', replica: 'reg-c1-1-b', latitude: 50, longitude: 8, env: registryEnv },
      { registryId: 'reg-c2-1', latitude: 40, longitude: -74, env: registryEnv },
    ],
    [
      { coremxId: MX1A, cloud: 'c1' },
      { coremxId: MX1B, cloud: 'c1' },
      { coremxId: MX2, cloud: 'c2' },
    ],
    {
      // Rooms end soon after their last participant left, so a quiet platform has no room open.
      ROOM_EMPTY_TIMEOUT_MS: '2000',
      ROOM_RESERVATION_TIMEOUT_MS: '5000',
      ROOM_SWEEP_INTERVAL_MS: '500',
      RECONNECT_GRACE_MS: '1000',
    },
  );
  const tokens: Record<string, string> = {};
  const conferenceIds: string[] = [];
  const clients: Client[] = [];
  let started = false;

  const headers = (who: string) => ({
    'content-type': 'application/json',
    authorization: `Bearer ${tokens[who]}`,
  });

  /** One attempt: the registry's join, then the CASH's; the client is in a room when `joined` came. */
  async function joinOnce(client: Client): Promise<void> {
    const registry = REGISTRIES[client.next % REGISTRIES.length];
    let res: Response;
    try {
      res = await fetch(`${platform.cluster.urlOf(registry)}/v1/join`, {
        method: 'POST',
        headers: headers(client.who),
        body: JSON.stringify({ address: client.address }),
        signal: AbortSignal.timeout(5_000),
      });
    } catch {
      client.next += 1; // that registry does not answer: the next one
      await sleep(250);
      return;
    }
    const text = await res.text().catch(() => '');
    if (res.status !== 200) {
      const retryAfterS = Number(res.headers.get('retry-after'));
      if (res.status >= 500 && !(retryAfterS > 0)) client.next += 1;
      await sleep(retryAfterS > 0 ? retryAfterS * 1000 : 500);
      return;
    }
    const { signalingUrl, ticket } = JSON.parse(text) as { signalingUrl: string; ticket: string };
    await new Promise<void>((resolve) => {
      const socket = new WebSocket(signalingUrl);
      let settled = false;
      const done = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        socket.terminate();
        done();
      }, 10_000);
      socket.on('error', () => {
        socket.terminate();
        done();
      });
      socket.once('open', () => socket.send(JSON.stringify({ type: 'join', id: 'j', ticket })));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        if (client.socket === socket) return;
        if (message.type === 'joined') {
          client.socket = socket;
          client.signalingUrl = signalingUrl;
          client.inRoom = true;
          client.joinedAt = Date.now();
          client.joins += 1;
          done();
        } else if (message.type === 'error') {
          socket.terminate();
          done();
        }
      });
      socket.once('close', () => {
        if (client.socket === socket) {
          client.socket = undefined;
          client.inRoom = false;
        }
        done();
      });
    });
  }

  /** Sends `leave` and waits for the CASH to close the socket (or closes it after 5 s). */
  async function leave(client: Client): Promise<void> {
    const socket = client.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.send(JSON.stringify({ type: 'leave', id: `l${client.joins}` }));
    await Promise.race([closed, sleep(5_000)]);
    socket.terminate();
  }

  async function run(client: Client): Promise<void> {
    let n = 0;
    while (!client.stopped) {
      if (!client.inRoom) {
        await joinOnce(client);
        if (!client.inRoom) await sleep(250);
        continue;
      }
      await sleep(1_000 + client.rng() * 1_000);
      if (client.stopped || !client.inRoom || !client.socket) continue;
      const r = client.rng();
      n += 1;
      if (r < 0.6)
        client.socket.send(JSON.stringify({ type: 'chat', id: `c${n}`, text: `${client.name} #${n}` }));
      else if (r < 0.8) client.socket.send(JSON.stringify({ type: 'raise-hand', id: `h${n}` }));
      else await leave(client);
    }
  }

  /** Who is not in a room (or not since `since`): empty when every client is back. */
  const outOfRoom = (since = 0, who: Client[] = clients) =>
    who.filter((c) => !c.inRoom || c.joinedAt < since).map((c) => c.name);
  const everyClientInRoom = (since = 0, who: Client[] = clients) =>
    eventually(
      () => {
        const out = outOfRoom(since, who);
        if (out.length) throw new Error(`not in a room: ${out.join(', ')}`);
      },
      { timeoutMs: 90_000, intervalMs: 100, description: 'every client back in a room' },
    );
  /** Polls reg-c1-1 until `coremxId` is alive there. */
  const alive = (coremxIds: string[]) =>
    eventually(
      async () => {
        const res = await fetch(`${platform.cluster.urlOf('reg-c1-1')}/v1/coremx`, {
          headers: headers('alice'),
        });
        const { coremx } = (await res.json()) as { coremx: { coremxId: string; liveness: string }[] };
        const up = coremx.filter((c) => coremxIds.includes(c.coremxId) && c.liveness === 'alive');
        if (up.length !== coremxIds.length) throw new Error(`alive: ${up.map((c) => c.coremxId).join(', ')}`);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

  const pids = () => {
    if (!infra.kafkaPid || !infra.mongoPid)
      throw new Error('the integration setup did not publish the Kafka and MongoDB pids');
    return { kafka: infra.kafkaPid, mongo: infra.mongoPid };
  };
  /** SIGSTOP of a whole process group for a few seconds, then SIGCONT (also when the wait fails). */
  async function stall(pid: number): Promise<void> {
    process.kill(-pid, 'SIGSTOP');
    try {
      await sleep(FAULT_PAUSE_MS);
    } finally {
      process.kill(-pid, 'SIGCONT');
    }
  }

  beforeAll(async () => {
    kafka = await startKafka({ probe: (b) => describeKafkaCluster(b) });
    mongo = await startMongo({ probe: (u) => pingMongo(u) });
    pids();
    started = true;
    await platform.start();
    for (const user of ['alice', 'bob']) tokens[user] = await platform.cluster.userToken(user);
    await alive(COREMX);
    const rng = seeded(SEED);
    for (let i = 0; i < CONFERENCES; i++) {
      const id = `fault-${TAG}-${i}`;
      // Two thirds created in c1 (its two CoreMX), a third in c2.
      const at = i % 3 === 2 ? 'reg-c2-1' : 'reg-c1-1';
      const created = await fetch(`${platform.cluster.urlOf(at)}/v1/conferences`, {
        method: 'POST',
        headers: headers('alice'),
        body: JSON.stringify({ id, type: 'm2m', allowed: ['bob'] }),
      });
      const record = (await created.json()) as { address: string };
      if (created.status !== 201)
        throw new Error(`create ${id}: ${created.status} ${JSON.stringify(record)}`);
      conferenceIds.push(id);
      for (const who of ['alice', 'bob'] as const)
        clients.push({
          name: `${who}@${i}`,
          who,
          conferenceId: id,
          address: record.address,
          next: clients.length,
          rng: seeded(Math.floor(rng() * 2 ** 31)),
          inRoom: false,
          joinedAt: 0,
          joins: 0,
          stopped: false,
        });
    }
    for (const client of clients) client.loop = run(client);
    await everyClientInRoom();
  }, 240_000);

  afterAll(async () => {
    if (!started) {
      await mongo?.stop();
      await kafka?.stop();
      return;
    }
    // Whatever failed, the infrastructure runs again and every process started here stops.
    for (const pid of [infra.kafkaPid, infra.mongoPid])
      if (pid)
        try {
          process.kill(-pid, 'SIGCONT');
        } catch {
          /* already running or gone */
        }
    for (const client of clients) {
      client.stopped = true;
      client.socket?.terminate();
    }
    await Promise.all(clients.map((c) => c.loop));
    await platform.stop();
    await mongo?.stop();
    await kafka?.stop();
  }, 120_000);

  it('kill -9 of a CASH: its clients come back in a room elsewhere; restarted with its journal, it serves again', async () => {
    const victim = platform.cash.get(MX1A)!;
    const on = clients.filter((c) => c.inRoom && c.signalingUrl === victim.signalingUrl);
    const at = Date.now();
    await platform.crashCash(MX1A);
    await everyClientInRoom(at, on);
    await everyClientInRoom();
    await platform.restartCash(MX1A);
    await alive([MX1A]);
    await everyClientInRoom();
    expect(on.length).toBeGreaterThan(0);
    expect(outOfRoom()).toEqual([]);
  }, 180_000);

  it('kill -9 of one reg-c1-1 replica, then its restart: every client is back in a room', async () => {
    await platform.cluster.killHard('reg-c1-1-b');
    await everyClientInRoom();
    await platform.cluster.startRegistry('reg-c1-1-b');
    await everyClientInRoom();
    // The restarted replica knows every conference again.
    await eventually(
      async () => {
        for (const id of conferenceIds) {
          const res = await fetch(`${platform.cluster.urlOf('reg-c1-1-b')}/v1/conferences/${id}`, {
            headers: headers('alice'),
          });
          expect(res.status).toBe(200);
        }
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  }, 180_000);

  it('SIGSTOP of Kafka for a few seconds, then SIGCONT: every client is back in a room', async () => {
    await stall(pids().kafka);
    await everyClientInRoom();
    expect(outOfRoom()).toEqual([]);
  }, 120_000);

  it('SIGSTOP of the MongoDB-protocol server for a few seconds, then SIGCONT: every client is back in a room', async () => {
    await stall(pids().mongo);
    await everyClientInRoom();
    expect(outOfRoom()).toEqual([]);
  }, 120_000);

  describe('afterwards, with the clients gone', () => {
    const stats = new Map<string, TopicStats>();
    /** Reads every CoreMX topic from its beginning and folds it per conference. */
    const readTopics = (): Promise<Map<string, TopicStats>> =>
      readCoremxTopics({ brokers: infra.kafkaBrokers, prefix, coremxIds: COREMX });

    beforeAll(async () => {
      for (const client of clients) client.stopped = true;
      await Promise.all(clients.map((c) => c.loop));
      await Promise.all(clients.map((c) => leave(c)));
    }, 60_000);

    it('no presence is left behind on any topic (every CASH came back): no participant without its left, no room without its end', async () => {
      let last = new Map<string, TopicStats>();
      try {
        await eventually(
          async () => {
            last = await readTopics();
            for (const [topic, s] of last) {
              expect({ topic, ghosts: s.ghostParticipants, open: s.openRooms }).toEqual({
                topic,
                ghosts: [],
                open: [],
              });
            }
          },
          { timeoutMs: 60_000, intervalMs: 1_000 },
        );
      } finally {
        for (const [topic, s] of last) stats.set(topic, s);
      }
    }, 120_000);

    it('every event passes its contract; per (topic, conference) seqs are gap-free within a life and never used twice', async () => {
      const read = stats.size ? stats : await readTopics();
      let [events, resends, gaps, duplicates, ghosts] = [0, 0, 0, 0, 0];
      for (const s of read.values()) {
        events += s.read;
        resends += s.resends;
        gaps += s.gaps.length;
        duplicates += s.duplicates.length;
        ghosts += s.ghostParticipants.length + s.openRooms.length;
      }
      const joins = clients.reduce((n, c) => n + c.joins, 0);
      // One line for the README.
      process.stdout.write(
        `fault suite: ${events} events read on ${read.size} topics, ${gaps} seq gaps, ${duplicates} duplicates, ` +
          `${resends} resends (same id), ${ghosts} ghosts; ${clients.length} clients joined ${joins} times\n`,
      );
      expect(events).toBeGreaterThan(0);
      for (const [topic, s] of read) {
        expect({ topic, poison: s.poison, gaps: s.gaps, duplicates: s.duplicates }).toEqual({
          topic,
          poison: [],
          gaps: [],
          duplicates: [],
        });
      }
    }, 120_000);

    it("the directories of reg-c1-1 (both replicas) and reg-c2-1 agree on every conference's CoreMX, status and participants", async () => {
      let disagreements: string[] = [];
      try {
        await eventually(
          async () => {
            disagreements = [];
            for (const id of conferenceIds) {
              const views = await Promise.all(
                REGISTRIES.map(async (registry) => {
                  const res = await fetch(`${platform.cluster.urlOf(registry)}/v1/conferences/${id}`, {
                    headers: headers('alice'),
                  });
                  const body = (await res.json()) as {
                    coremxId?: string;
                    status?: string;
                    participants?: number;
                  };
                  return `${res.status} ${body.coremxId} ${body.status} ${body.participants}`;
                }),
              );
              if (new Set(views).size !== 1 || !views[0].startsWith('200 '))
                disagreements.push(`${id}: ${REGISTRIES.map((r, i) => `${r} ${views[i]}`).join(' | ')}`);
            }
            if (disagreements.length) throw new Error(disagreements.join('\n'));
          },
          { timeoutMs: 120_000, intervalMs: 500 },
        );
      } catch {
        // The last disagreements, every conference at once (registry: HTTP status, CoreMX, status, participants).
      }
      expect(disagreements).toEqual([]);
    }, 180_000);
  });
});
