/**
 * Issue 17 "Session robustness" against a real CASH process, kms-lite, auth, a registry and Kafka: dead
 * sockets leave on missed pongs, a rejoin replaces its session, a returning publisher keeps its place,
 * and trickled candidates never hold up signaling; every change is on the CoreMX topic, gap-free.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { signTestToken, type TestKeyPair } from '@hoot/auth-kit/testing';
import type { CcesEvent } from '@hoot/events';
import { eventually, STACK_ISSUER, type RunningCash, SignalingClient } from '@hoot/testing';
import WebSocket from 'ws';
import { MediaStreamTrack, RTCPeerConnection, useOPUS } from 'werift';
import { startCashFixture, type CashFixture } from './support/cash-fixture';

jest.setTimeout(240_000);

const run = randomBytes(3).toString('hex');
const COREMX_ID = `coremx-rob-${run}`;
const PING_MS = 400;

let cash: RunningCash;
let signingKey: TestKeyPair;
let serviceToken: string;
let events: CcesEvent[] = [];
let anomalies: string[] = [];
let fixture: CashFixture | undefined;
const clients: SignalingClient[] = [];
const peers: RTCPeerConnection[] = [];

beforeAll(async () => {
  fixture = await startCashFixture(COREMX_ID, `rob_${run}`, {
    SIGNAL_PING_INTERVAL_MS: String(PING_MS),
    SIGNAL_PING_MISSED_MAX: '2',
  });
  ({ cash, signingKey, serviceToken, events, anomalies } = fixture);
}, 300_000);

afterAll(async () => {
  for (const c of clients) c.terminate();
  for (const p of peers) await p.close();
  await fixture?.stop();
});

/** A join ticket as a registry issues it: `role: viewer` for everyone but the conference's owner. */
function ticket(conferenceId: string, identity: string, owner = 'alice'): string {
  return signTestToken(signingKey, {
    issuer: STACK_ISSUER,
    audience: `coremx:${COREMX_ID}`,
    subject: identity,
    ttlSeconds: 300,
    claims: {
      jti: randomUUID(),
      cid: conferenceId,
      name: `${identity} (name)`,
      ...(identity === owner ? {} : { role: 'viewer' }),
    },
  });
}

async function joinAs(conferenceId: string, identity: string) {
  const client = await SignalingClient.open(cash.signalingUrl);
  clients.push(client);
  const joined = await client.request({ type: 'join', ticket: ticket(conferenceId, identity) });
  expect(joined).toMatchObject({ type: 'joined', participantId: expect.any(String) });
  return { client, id: joined['participantId'] as string };
}

async function reserve(id: string, owner: string): Promise<void> {
  const res = await fetch(`${cash.url}/internal/v1/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${serviceToken}` },
    body: JSON.stringify({ id, type: 'm2m', owner }),
  });
  expect(res.status).toBe(201);
}

async function audioOffer(): Promise<string> {
  const peer = new RTCPeerConnection({ codecs: { audio: [useOPUS()] } });
  peers.push(peer);
  peer.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendonly' });
  await peer.setLocalDescription(await peer.createOffer());
  return peer.localDescription!.sdp;
}

const eventsOf = (conferenceId: string) => events.filter((e) => e.conferenceId === conferenceId);
const data = (e: CcesEvent) => e.data as Record<string, unknown>;

describe('CASH session robustness (issue 17) against real infrastructure', () => {
  it('terminates a socket that stops answering pings: its participant leaves within seconds', async () => {
    const room = `pings-${run}`;
    await reserve(room, 'alice');
    const ghost = new WebSocket(cash.signalingUrl, { autoPong: false });
    const closed: { code?: number } = {};
    ghost.on('close', (code) => (closed.code = code));
    await new Promise((resolve, reject) => {
      ghost.once('open', resolve);
      ghost.once('error', reject);
    });
    ghost.send(JSON.stringify({ type: 'join', ticket: ticket(room, 'alice') }));
    const bob = await joinAs(room, 'bob');
    await eventually(() => expect(eventsOf(room).map((e) => e.type)).toContain('participant.joined'));
    const started = Date.now();
    await eventually(() => expect(closed.code).toBe(1006), { timeoutMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(PING_MS * 3 + 2_000);
    await eventually(() =>
      expect(
        eventsOf(room)
          .filter((e) => e.type === 'participant.left')
          .map((e) => data(e)['identity']),
      ).toEqual(['alice']),
    );
    // bob answers pings (ws does by itself) and stays through several more rounds.
    let bobPings = 0;
    bob.client.ws.on('ping', () => (bobPings += 1));
    await eventually(() => expect(bobPings).toBeGreaterThanOrEqual(4), { timeoutMs: 10_000 });
    expect(bob.client.closeCode).toBeUndefined();
    expect(await bob.client.request({ type: 'lower-hand' })).toMatchObject({ code: 'HAND_NOT_RAISED' });
  });

  it('replaces the session of an identity that joins again, and gives a returning publisher its place back', async () => {
    const room = `again-${run}`;
    await reserve(room, 'alice');
    const alice = await joinAs(room, 'alice');
    const bob = await joinAs(room, 'bob');
    await bob.client.request({ type: 'raise-hand' });
    expect(await alice.client.request({ type: 'approve', target: bob.id })).toMatchObject({ type: 'ok' });

    // alice reloads: the new session takes her place, the old socket is told and closed (4009).
    const alice2 = await joinAs(room, 'alice');
    await eventually(() => expect(alice.client.closeCode).toBe(4009));
    expect(alice.client.ofType('error').at(-1)).toMatchObject({ code: 'SESSION_REPLACED' });
    // bob's connection dies; he comes back within the grace and publishes again as before.
    bob.client.terminate();
    await eventually(() =>
      expect(eventsOf(room).filter((e) => e.type === 'participant.left')).toHaveLength(2),
    );
    const bob2 = await joinAs(room, 'bob');
    const publish = await bob2.client.request({
      type: 'publish',
      kinds: ['audio'],
      sdpOffer: await audioOffer(),
    });
    expect(publish).toMatchObject({ type: 'publish-answer' });

    await eventually(() =>
      expect(eventsOf(room).filter((e) => e.type === 'stream.published')).toHaveLength(1),
    );
    const joined = eventsOf(room)
      .filter((e) => e.type === 'participant.joined')
      .map((e) => [data(e)['participantId'], data(e)['identity'], data(e)['role']]);
    expect(joined).toEqual([
      [alice.id, 'alice', 'publisher'],
      [bob.id, 'bob', 'viewer'],
      [alice2.id, 'alice', 'publisher'],
      [bob2.id, 'bob', 'publisher'],
    ]);
    const owners = eventsOf(room)
      .filter((e) => e.type === 'room.owner-changed')
      .map((e) => data(e)['to']);
    expect(owners).toEqual([alice.id, alice2.id]);
    expect(anomalies).toEqual([]);
  });

  it('answers trickled candidates at once and keeps signaling going, whatever the media server does with them', async () => {
    const room = `trickle-${run}`;
    await reserve(room, 'alice');
    const alice = await joinAs(room, 'alice');
    await alice.client.request({ type: 'publish', kinds: ['audio'], sdpOffer: await audioOffer() });
    const candidates = [
      'candidate:1 1 udp 2122260223 6f1c2a3e-1b2c-4d5e-8f90-123456789abc.local 54321 typ host generation 0',
      'candidate:2 1 udp 2122194687 192.0.2.10 54322 typ host generation 0',
      'candidate:3 1 tcp 1518280447 192.0.2.10 9 typ host tcptype active generation 0',
    ];
    const answers = await Promise.all(
      candidates.map((candidate) =>
        alice.client.request(
          { type: 'ice', publisherId: alice.id, candidate: { candidate, sdpMid: '0', sdpMLineIndex: 0 } },
          2_000,
        ),
      ),
    );
    expect(answers.map((a) => a.type)).toEqual(['ok', 'ok', 'ok']);
    expect(await alice.client.request({ type: 'chat', text: 'still here' }, 2_000)).toMatchObject({
      type: 'ok',
    });
    expect(alice.client.ofType('error')).toEqual([]);
    expect(alice.client.closeCode).toBeUndefined();
  });
});
