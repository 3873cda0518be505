import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createKafka,
  JournaledProducer,
  KafkaCcesSender,
  type CcesAnyPublishInput,
  type CcesEvent,
} from '@hoot/events';
import { CCES_SAMPLE_DATA, ccesSampleInput } from '@hoot/events/testing';
import { connectMongo, MongoWebhookStore } from '@hoot/mongo';
import { eventually, integrationInfra, mongoUriFor, RegistryCluster } from '@hoot/testing';
import { verifyWebhookSignature } from '../src/webhooks/webhook-signature';

/**
 * Webhooks end to end on the real infrastructure: a registry process (real auth service, FerretDB, Kafka)
 * consumes conference events produced to a CoreMX topic by the `JournaledProducer` CASH uses, and POSTs
 * them to local receivers that fail on purpose.
 */
const prefix = `whit${Date.now().toString(36)}`;
const coremxId = `${prefix}-mx1`;
const REGISTRY = 'reg-c1-1';
const MAX_ATTEMPTS = 4;

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  event: CcesEvent;
  status: number;
}

/** One HTTP server; each path is a receiver with its own behaviour. */
class Receivers {
  readonly received: Received[] = [];
  private readonly attempts = new Map<string, number>();
  private server: Server | undefined;
  url = '';
  /** Status per path and attempt number of the event on that path. */
  behaviour: Record<string, (attempt: number) => number> = {};

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        const path = req.url ?? '';
        const headers = Object.fromEntries(
          Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
        );
        const key = `${path} ${headers['hoot-event-id']}`;
        const attempt = (this.attempts.get(key) ?? 0) + 1;
        this.attempts.set(key, attempt);
        const status = (this.behaviour[path] ?? (() => 404))(attempt);
        this.received.push({ path, headers, body, event: JSON.parse(body) as CcesEvent, status });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Events a path accepted (2xx), in the order it accepted them. */
  accepted(path: string): CcesEvent[] {
    return this.at(path)
      .filter((r) => r.status < 300)
      .map((r) => r.event);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}

const subjectOf = (token: string): string =>
  (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string }).sub;

describe('webhooks (real registry process, Kafka, MongoDB protocol)', () => {
  const { kafkaBrokers } = integrationInfra();
  const env = {
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    WEBHOOK_BACKOFF_BASE_MS: '50',
    WEBHOOK_BACKOFF_MAX_MS: '200',
    WEBHOOK_TIMEOUT_MS: '2000',
    WEBHOOK_POLL_INTERVAL_MS: '100',
    WEBHOOK_TOPIC_REFRESH_MS: '300',
  };
  // Two replicas of one node (same database, same consumer group): every attempt is still sent once.
  const cluster = new RegistryCluster({ mongoUri: (db) => mongoUriFor(db), kafkaBrokers, prefix }, [
    { registryId: REGISTRY, env },
    { registryId: REGISTRY, replica: `${REGISTRY}-b`, env },
  ]);
  const receivers = new Receivers();
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: `${prefix}-spec`, logLevel: 'nothing' });
  const journalDir = mkdtempSync(join(tmpdir(), 'hoot-webhook-spec-'));
  let producer: JournaledProducer;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  const api = async (user: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${cluster.urlOf(REGISTRY)}/v1/webhook${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens[user]}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk the JSON freely
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any };
  };

  /** Publishes a conference of `owner` (room.reserved with creator = owner, then `more` events). */
  const publishConference = async (conferenceId: string, owner: string): Promise<CcesEvent[]> => {
    const inputs: CcesAnyPublishInput[] = [
      {
        type: 'room.reserved',
        conferenceId,
        data: {
          ...CCES_SAMPLE_DATA['room.reserved'],
          creator: owner,
          address: `hoot.mx://${conferenceId}@mx1.c1.hoot.mx`,
        },
      },
      ccesSampleInput('room.started', conferenceId),
      ccesSampleInput('participant.joined', conferenceId),
      ccesSampleInput('room.owner-changed', conferenceId),
      ccesSampleInput('stream.published', conferenceId),
      ccesSampleInput('participant.left', conferenceId),
    ];
    const events: CcesEvent[] = [];
    for (const input of inputs) events.push(await producer.publish(input));
    await producer.flushed();
    return events;
  };

  beforeAll(async () => {
    await receivers.start();
    await cluster.start();
    for (const user of ['alice', 'bob', 'carol', 'dave']) {
      tokens[user] = await cluster.userToken(`${prefix}-${user}`);
      ids[user] = subjectOf(tokens[user]);
    }
    producer = await JournaledProducer.open({
      coremxId,
      journalDir,
      sender: new KafkaCcesSender(kafka, { partitions: 3 }),
      fsync: false,
      retryInitialMs: 100,
      retryMaxMs: 1_000,
    });
  }, 300_000);

  afterAll(async () => {
    await producer?.close();
    await cluster.stop();
    await receivers.stop();
    rmSync(journalDir, { recursive: true, force: true });
  });

  it("delivers every event of the owner's conference, signed, once each, in seq order, through failed first attempts", async () => {
    receivers.behaviour['/alice'] = (attempt) => (attempt <= 2 ? 500 : 200);
    receivers.behaviour['/bob'] = () => 204;
    const alice = await api('alice', 'PUT', '', { url: `${receivers.url}/alice` });
    expect(alice.status).toBe(200);
    expect(alice.body).toEqual({
      url: `${receivers.url}/alice`,
      secret: expect.stringMatching(/^whsec_/),
      createdAt: expect.any(String),
    });
    expect((await api('bob', 'PUT', '', { url: `${receivers.url}/bob` })).status).toBe(200);

    const alices = await publishConference(`${prefix}-alice-room`, ids['alice']);
    const bobs = await publishConference(`${prefix}-bob-room`, ids['bob']);
    const orphan = await publishConference(`${prefix}-dave-room`, ids['dave']);

    await eventually(() => expect(receivers.accepted('/alice')).toHaveLength(alices.length), {
      description: 'alice received every event of her conference',
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    await eventually(() => expect(receivers.accepted('/bob')).toHaveLength(bobs.length), {
      description: 'bob received every event of his conference',
      timeoutMs: 30_000,
      intervalMs: 200,
    });

    // Exactly the conference's events, in seq order, each accepted once, after two failures each.
    const accepted = receivers.accepted('/alice');
    expect(accepted).toEqual(alices);
    expect(accepted.map((e) => e.seq)).toEqual(alices.map((_, i) => i + 1));
    expect(new Set(accepted.map((e) => e.id)).size).toBe(alices.length);
    const seen = receivers.at('/alice');
    expect(seen.map((r) => [r.event.seq, r.headers['hoot-delivery-attempt'], r.status])).toEqual(
      alices.flatMap((e) => [
        [e.seq, '1', 500],
        [e.seq, '2', 500],
        [e.seq, '3', 200],
      ]),
    );
    const nowS = Math.floor(Date.now() / 1000);
    for (const r of seen) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['hoot-event-id']).toBe(r.event.id);
      expect(r.headers['hoot-event-type']).toBe(r.event.type);
      expect(verifyWebhookSignature(alice.body.secret, r.headers['hoot-signature'], r.body, nowS)).toBe(true);
    }
    // Another user's conference (and one whose owner has no webhook) never reaches alice's receiver.
    expect(receivers.accepted('/bob')).toEqual(bobs);
    const elsewhere = new Set([...bobs, ...orphan].map((e) => e.id));
    expect(receivers.received.filter((r) => r.path === '/alice' && elsewhere.has(r.event.id))).toEqual([]);
    expect(receivers.received.filter((r) => orphan.some((e) => e.id === r.event.id))).toEqual([]);
  });

  it('dead-letters what an always-failing receiver refuses, shows it to its owner only, and redelivers it', async () => {
    let up = false;
    receivers.behaviour['/carol'] = () => (up ? 200 : 503);
    expect((await api('carol', 'PUT', '', { url: `${receivers.url}/carol` })).status).toBe(200);
    const carols = await publishConference(`${prefix}-carol-room`, ids['carol']);

    const page = await eventually(
      async () => {
        const res = await api('carol', 'GET', '/dead-letters?limit=100');
        expect(res.status).toBe(200);
        expect(res.body.deadLetters).toHaveLength(carols.length);
        return res.body;
      },
      { description: "carol's events are dead letters", timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(page.deadLetters.map((d: { id: string }) => d.id)).toEqual(carols.map((e) => e.id));
    expect(page.deadLetters[0]).toMatchObject({
      conferenceId: carols[0].conferenceId,
      eventType: 'room.reserved',
      event: carols[0],
      url: `${receivers.url}/carol`,
      attempts: MAX_ATTEMPTS,
      lastStatus: 503,
    });
    // Each event had its whole budget, one after the other.
    expect(receivers.at('/carol').map((r) => r.event.seq)).toEqual(
      carols.flatMap((e) => Array.from({ length: MAX_ATTEMPTS }, () => e.seq)),
    );

    // Other users see neither carol's webhook nor her dead letters, and cannot redeliver them.
    const bobs = await api('bob', 'GET', '');
    expect(bobs.body.url).toBe(`${receivers.url}/bob`);
    expect((await api('bob', 'GET', '/dead-letters')).body.deadLetters).toEqual([]);
    const stolen = await api('bob', 'POST', `/dead-letters/${carols[0].id}/redeliver`);
    expect(stolen.status).toBe(404);
    expect(stolen.body.code).toBe('webhook.dead-letter-not-found');
    const daves = await api('dave', 'GET', '');
    expect(daves.status).toBe(404);
    expect(daves.body.code).toBe('webhook.not-found');

    up = true;
    const redeliver = await api('carol', 'POST', `/dead-letters/${carols[0].id}/redeliver`);
    expect(redeliver.status).toBe(202);
    await eventually(() => expect(receivers.accepted('/carol')).toEqual([carols[0]]), {
      description: 'the redelivered event arrives',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const after = await api('carol', 'GET', '/dead-letters');
    expect(after.body.deadLetters.map((d: { id: string }) => d.id)).toEqual(carols.slice(1).map((e) => e.id));
  });

  it('refuses bad input with a stable code and changes nothing', async () => {
    const before = await api('alice', 'GET', '');
    for (const body of [{ url: 'ftp://example.com/' }, { url: 5 }, { url: `${receivers.url}/x`, extra: 1 }]) {
      const res = await api('alice', 'PUT', '', body);
      expect(res.status).toBe(400);
      expect(res.body.code).toMatch(/^(request\.invalid|webhook\.url-invalid)$/);
    }
    expect((await api('alice', 'GET', '/dead-letters?limit=0')).status).toBe(400);
    expect((await api('alice', 'POST', '/dead-letters/nope/redeliver')).status).toBe(400);
    expect(await api('alice', 'GET', '')).toEqual(before);
  });
});

describe('MongoWebhookStore (real MongoDB protocol)', () => {
  it('keeps the outbox with compare-and-set leases on the real MongoDB protocol (two replicas)', async () => {
    const connection = await connectMongo(mongoUriFor(`${prefix}_store`));
    try {
      const [one, two] = [new MongoWebhookStore(connection), new MongoWebhookStore(connection)];
      const t0 = new Date(Date.UTC(2026, 0, 1));
      const at = (ms: number) => new Date(t0.getTime() + ms);
      await one.putWebhook('acc-1', 'https://hooks.example.com/1', 5, t0);
      expect((await two.putWebhook('acc-1', 'https://hooks.example.com/2', 9, at(1))).generation).toBe(5);
      expect(await two.rotateWebhookSecret('acc-1', at(2))).toMatchObject({
        generation: 6,
        url: 'https://hooks.example.com/2',
      });
      expect(await one.claimPosition('conf-1')).toBeUndefined();
      expect(await one.claimPosition('conf-1', 'acc-1')).toEqual({ accountId: 'acc-1', position: 1 });
      expect(await two.claimPosition('conf-1')).toEqual({ accountId: 'acc-1', position: 2 });
      const delivery = (eventId: string, position: number) => ({
        accountId: 'acc-1',
        conferenceId: 'conf-1',
        eventId,
        eventType: 'room.started',
        position,
        body: '{}',
        createdAt: t0,
      });
      expect(await one.enqueue(delivery('e-2', 2))).toBe(true);
      expect(await one.enqueue(delivery('e-1', 1))).toBe(true);
      expect(await two.enqueue(delivery('e-1', 7))).toBe(false);
      expect(await one.dueQueues(at(0), 10)).toEqual([{ accountId: 'acc-1', conferenceId: 'conf-1' }]);
      expect((await two.queueHead({ accountId: 'acc-1', conferenceId: 'conf-1' }))?.eventId).toBe('e-1');

      // One lease per attempt: the second replica loses, and cannot finish the first one's attempt.
      expect(await one.lease('acc-1', 'e-1', 0, 'tok-1', at(1_000), at(0))).toBe(true);
      expect(await two.lease('acc-1', 'e-1', 0, 'tok-2', at(1_000), at(0))).toBe(false);
      expect(await two.complete('acc-1', 'e-1', 'tok-2')).toBe(false);
      const outcome = {
        attempts: 1,
        status: 500,
        error: null,
        url: 'https://hooks.example.com/2',
        at: at(10),
      };
      expect(await one.retryLater('acc-1', 'e-1', 'tok-1', outcome, at(500))).toBe(true);
      expect(await two.lease('acc-1', 'e-1', 1, 'tok-2', at(2_000), at(100))).toBe(false); // not due yet
      expect(await two.lease('acc-1', 'e-1', 0, 'tok-2', at(2_000), at(600))).toBe(false); // stale attempt count
      expect(await two.lease('acc-1', 'e-1', 1, 'tok-2', at(2_000), at(600))).toBe(true);
      expect(await two.deadLetter('acc-1', 'e-1', 'tok-2', { ...outcome, attempts: 2, at: at(700) })).toBe(
        true,
      );
      expect((await one.queueHead({ accountId: 'acc-1', conferenceId: 'conf-1' }))?.eventId).toBe('e-2');
      expect(await one.countPending()).toBe(1);
      const [dead] = await one.listDeadLetters('acc-1', 10);
      expect(dead).toMatchObject({
        eventId: 'e-1',
        state: 'dead',
        attempts: 2,
        lastStatus: 500,
        deadAt: at(700),
      });
      expect(await one.listDeadLetters('acc-1', 10, dead.deadKey!)).toEqual([]);
      expect(await one.listDeadLetters('acc-2', 10)).toEqual([]);
      expect(await two.redeliver('acc-2', 'e-1', at(800))).toBe(false);
      expect(await two.redeliver('acc-1', 'e-1', at(800))).toBe(true);
      expect(await one.queueHead({ accountId: 'acc-1', conferenceId: 'conf-1' })).toMatchObject({
        eventId: 'e-1',
        attempts: 0,
      });
      // Many replicas racing for one attempt (two connections, concurrent requests): exactly one wins.
      const other = await connectMongo(mongoUriFor(`${prefix}_store`));
      try {
        expect(await one.enqueue(delivery('e-3', 3))).toBe(true);
        const replicas = [...Array(6)].map((_, i) => new MongoWebhookStore(i % 2 ? other : connection));
        const won = await Promise.all(
          replicas.map((replica, i) => replica.lease('acc-1', 'e-3', 0, `race-${i}`, at(5_000), at(900))),
        );
        expect(won.filter(Boolean)).toHaveLength(1);
        const winner = `race-${won.indexOf(true)}`;
        expect(await one.complete('acc-1', 'e-3', 'race-x')).toBe(false);
        expect(await one.complete('acc-1', 'e-3', winner)).toBe(true);
        // A replica that read the delivery before it was delivered cannot lease it again.
        expect(await two.lease('acc-1', 'e-3', 0, 'late', at(5_000), at(950))).toBe(false);
      } finally {
        await other.close();
      }
      expect(await one.deleteWebhook('acc-1')).toBe(true);
      expect(await one.countPending()).toBe(0);
      expect(await one.getWebhook('acc-1')).toBeUndefined();
    } finally {
      await connection.close();
    }
  });
});
