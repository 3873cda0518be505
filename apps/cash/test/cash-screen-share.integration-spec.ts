/**
 * Screen share through CASH against the real pieces (auth, registry, kms-lite with real WebRTC, Kafka,
 * FerretDB): a participant's screen is a second published stream with an endpoint of its own, addressed
 * with `stream: "screen"`; bad input is refused with a stable code and changes nothing; leaving ends it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { signTestToken, type TestKeyPair } from '@hoot/auth-kit/testing';
import type { CcesEvent } from '@hoot/events';
import { eventually, STACK_ISSUER, type RunningCash, SignalingClient, type Inbound } from '@hoot/testing';
import { MediaStreamTrack, RTCPeerConnection, useOPUS, useVP8 } from 'werift';
import { startCashFixture, type CashFixture } from './support/cash-fixture';

jest.setTimeout(240_000);

const run = randomBytes(3).toString('hex');
const COREMX_ID = `coremx-ss-${run}`;

let cash: RunningCash;
let signingKey: TestKeyPair;
let serviceToken: string;
let events: CcesEvent[] = [];
let anomalies: string[] = [];
let fixture: CashFixture | undefined;
const clients: SignalingClient[] = [];
const peers: RTCPeerConnection[] = [];

beforeAll(async () => {
  fixture = await startCashFixture(COREMX_ID, `ss_${run}`);
  ({ cash, signingKey, serviceToken, events, anomalies } = fixture);
}, 300_000);

afterAll(async () => {
  for (const c of clients) c.terminate();
  for (const p of peers) await p.close().catch(() => undefined);
  await fixture?.stop();
});

function ticket(conferenceId: string, identity: string): string {
  return signTestToken(signingKey, {
    issuer: STACK_ISSUER,
    audience: `coremx:${COREMX_ID}`,
    subject: identity,
    ttlSeconds: 300,
    claims: { jti: randomUUID(), cid: conferenceId, name: identity },
  });
}

async function joinAs(conferenceId: string, identity: string) {
  const client = await SignalingClient.open(cash.signalingUrl);
  clients.push(client);
  const joined = await client.request({ type: 'join', ticket: ticket(conferenceId, identity) });
  expect(joined).toMatchObject({ type: 'joined', participantId: expect.any(String) });
  return { client, id: joined['participantId'] as string };
}

/** A browser-like offer from werift (Opus, VP8); a shared screen is one video section. */
async function offer(kinds: ('audio' | 'video')[], direction: 'sendonly' | 'recvonly'): Promise<string> {
  const peer = new RTCPeerConnection({ codecs: { audio: [useOPUS()], video: [useVP8()] } });
  peers.push(peer);
  for (const kind of kinds)
    peer.addTransceiver(direction === 'sendonly' ? new MediaStreamTrack({ kind }) : kind, { direction });
  await peer.setLocalDescription(await peer.createOffer());
  return peer.localDescription!.sdp;
}

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${cash.url}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      authorization: `Bearer ${serviceToken}`,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const eventsOf = (conferenceId: string) => events.filter((e) => e.conferenceId === conferenceId);
const mediaSections = (sdp: string) => sdp.split(/\r?\n/).filter((l) => l.startsWith('m='));

describe('CASH screen share against kms-lite, Kafka and FerretDB', () => {
  it('publishes a screen as a second stream, delivers it to a subscriber, refuses bad input, and ends it', async () => {
    const room = `demo-${run}`;
    expect((await api('POST', '/internal/v1/rooms', { id: room, type: 'm2m', owner: 'alice' })).status).toBe(
      201,
    );
    const alice = await joinAs(room, 'alice');
    const bob = await joinAs(room, 'bob');
    const carol = await joinAs(room, 'carol');

    expect(
      await alice.client.request({
        type: 'publish',
        kinds: ['audio', 'video'],
        sdpOffer: await offer(['audio', 'video'], 'sendonly'),
      }),
    ).toMatchObject({ type: 'publish-answer' });
    const shared = await alice.client.request({
      type: 'publish',
      kinds: ['screen'],
      sdpOffer: await offer(['video'], 'sendonly'),
    });
    expect(shared).toMatchObject({ type: 'publish-answer', stream: 'screen' });
    expect(mediaSections(shared['sdpAnswer'] as string)).toEqual([expect.stringMatching(/^m=video /)]);
    await bob.client.next('stream-ready', (m) => m['publisherId'] === alice.id && m['stream'] === 'screen');
    await bob.client.next('patch', (m) => JSON.stringify(m['patch']).includes('screen'));

    const subscribed = await bob.client.request({
      type: 'subscribe',
      publisherId: alice.id,
      stream: 'screen',
      sdpOffer: await offer(['video'], 'recvonly'),
    });
    expect(subscribed).toMatchObject({ type: 'subscribe-answer', publisherId: alice.id, stream: 'screen' });
    expect(mediaSections(subscribed['sdpAnswer'] as string)).toEqual([expect.stringMatching(/^m=video /)]);
    await bob.client.next('ice', (m) => m['publisherId'] === alice.id && m['stream'] === 'screen');
    // The camera is a subscription of its own beside it.
    expect(
      await bob.client.request({
        type: 'subscribe',
        publisherId: alice.id,
        sdpOffer: await offer(['audio', 'video'], 'recvonly'),
      }),
    ).toMatchObject({ type: 'subscribe-answer', publisherId: alice.id });

    // Bad input: a stable code, and nothing changes.
    const before = (await api('GET', `/internal/v1/rooms/${room}`)).body['version'];
    const refusals: [Record<string, unknown>, string][] = [
      [{ type: 'unpublish', stream: 'window' }, 'INVALID_MESSAGE'],
      [
        { type: 'subscribe', publisherId: alice.id, stream: 1, sdpOffer: await offer(['video'], 'recvonly') },
        'INVALID_MESSAGE',
      ],
      [
        { type: 'publish', kinds: ['screen', 'audio'], sdpOffer: await offer(['video'], 'sendonly') },
        'INVALID_MESSAGE',
      ],
      [
        { type: 'publish', kinds: ['screen'], sdpOffer: await offer(['video'], 'sendonly') },
        'NOT_A_PUBLISHER',
      ],
      [{ type: 'unpublish', stream: 'screen' }, 'NOT_A_PUBLISHER'],
    ];
    for (const [message, code] of refusals) {
      expect([message['type'], await carol.client.request(message)]).toEqual([
        message['type'],
        expect.objectContaining({ type: 'error', code }),
      ]);
    }
    expect(
      await alice.client.request({
        type: 'publish',
        kinds: ['screen'],
        sdpOffer: await offer(['video'], 'sendonly'),
      }),
    ).toMatchObject({ type: 'error', code: 'ALREADY_PUBLISHING' });
    expect((await api('GET', `/internal/v1/rooms/${room}`)).body['version']).toBe(before);

    // A second sharer waits for the first: one screen per room.
    expect(await carol.client.request({ type: 'raise-hand' })).toMatchObject({ type: 'ok' });
    expect(await alice.client.request({ type: 'approve', target: carol.id })).toMatchObject({ type: 'ok' });
    expect(
      await carol.client.request({
        type: 'publish',
        kinds: ['screen'],
        sdpOffer: await offer(['video'], 'sendonly'),
      }),
    ).toMatchObject({ type: 'error', code: 'SCREEN_SHARE_TAKEN' });

    // Alice stops sharing: bob's screen subscription ends, his camera subscription stays.
    expect(await alice.client.request({ type: 'unpublish', stream: 'screen' })).toMatchObject({ type: 'ok' });
    await bob.client.next('stream-ended', (m) => m['publisherId'] === alice.id && m['stream'] === 'screen');
    expect(bob.client.ofType('stream-ended').filter((m: Inbound) => m['stream'] === undefined)).toEqual([]);
    expect(
      await bob.client.request({ type: 'unsubscribe', publisherId: alice.id, stream: 'screen' }),
    ).toMatchObject({ type: 'error', code: 'NOT_SUBSCRIBED' });

    // Now carol may share; she leaves while sharing and her share ends with her.
    expect(
      await carol.client.request({
        type: 'publish',
        kinds: ['screen'],
        sdpOffer: await offer(['video'], 'sendonly'),
      }),
    ).toMatchObject({ type: 'publish-answer', stream: 'screen' });
    await bob.client.next('stream-ready', (m) => m['publisherId'] === carol.id && m['stream'] === 'screen');
    expect(
      await bob.client.request({
        type: 'subscribe',
        publisherId: carol.id,
        stream: 'screen',
        sdpOffer: await offer(['video'], 'recvonly'),
      }),
    ).toMatchObject({ type: 'subscribe-answer', stream: 'screen' });
    expect(await carol.client.request({ type: 'leave' })).toMatchObject({ type: 'ok' });
    await bob.client.next('stream-ended', (m) => m['publisherId'] === carol.id && m['stream'] === 'screen');

    const streamEvents = () =>
      eventsOf(room)
        .filter((e) => e.type === 'stream.published' || e.type === 'stream.unpublished')
        .map((e) => [e.type, e.data]);
    await eventually(
      () =>
        expect(streamEvents()).toEqual([
          ['stream.published', { participantId: alice.id, kinds: ['audio', 'video'] }],
          ['stream.published', { participantId: alice.id, kinds: ['screen'] }],
          ['stream.unpublished', { participantId: alice.id, kinds: ['screen'] }],
          ['stream.published', { participantId: carol.id, kinds: ['screen'] }],
          ['stream.unpublished', { participantId: carol.id, kinds: ['screen'] }],
        ]),
      { timeoutMs: 30_000, description: 'the CCES topic carries the screen share' },
    );
    expect(eventsOf(room).map((e) => e.seq)).toEqual(eventsOf(room).map((_, i) => i + 1));
    expect(anomalies).toEqual([]);
  });
});
