/**
 * CASH as a real process against real infrastructure: the auth service and a registry node (processes),
 * kms-lite (fake engine: deterministic SDP, no sockets), Kafka and FerretDB from the integration setup.
 * Participants join with tickets signed by the auth service's own signing key, speak signaling over the
 * real WebSocket, and the CCES topic of the CoreMX is read back with `subscribeCces`.
 *
 * This file: the sessions (m2m, a2m, p2p), bad input, a kms-lite restart, and the drain that ends them all
 * (registration, re-homing and revocation: cash-registry-auth.integration-spec.ts).
 */
import { randomBytes } from 'node:crypto';
import { testKeyPair } from '@hoot/auth-kit/testing';
import { eventually } from '@hoot/testing';
import { CashSpecSession } from './cash.integration.fixture';

jest.setTimeout(240_000);

const run = randomBytes(3).toString('hex');
const COREMX_ID = `coremx-it-${run}`;
const s = new CashSpecSession(COREMX_ID, run);
const { ticket, open, joinAs, offer, api, eventsOf, typesOf, codes } = s;

beforeAll(() => s.start(), 300_000);
afterAll(() => s.stop());

describe('CASH against real auth, registry, kms-lite, Kafka and FerretDB', () => {
  it('runs a full m2m session with three participants and publishes exactly the expected CCES events', async () => {
    const room = `standup-${run}`;
    const reserved = await api('POST', '/internal/v1/rooms', { id: room, type: 'm2m', owner: 'alice' });
    expect(reserved.status).toBe(201);
    const alice = await joinAs(room, 'alice');
    const bob = await joinAs(room, 'bob');
    const carol = await joinAs(room, 'carol');
    expect(
      (alice.joined['room'] as { participants: Record<string, { role: string }> }).participants[alice.id]
        .role,
    ).toBe('publisher');
    expect(
      (bob.joined['room'] as { participants: Record<string, { role: string }> }).participants[bob.id].role,
    ).toBe('viewer');

    const published = await alice.client.request({
      type: 'publish',
      kinds: ['audio', 'video'],
      sdpOffer: await offer(['audio', 'video'], 'sendonly'),
    });
    expect(published).toMatchObject({ type: 'publish-answer', sdpAnswer: expect.stringMatching(/^v=0/) });
    await bob.client.next('stream-ready', (m) => m['publisherId'] === alice.id);

    const subscribed = await bob.client.request({
      type: 'subscribe',
      publisherId: alice.id,
      sdpOffer: await offer(['audio', 'video'], 'recvonly'),
    });
    expect(subscribed).toMatchObject({
      type: 'subscribe-answer',
      publisherId: alice.id,
      sdpAnswer: expect.stringMatching(/^v=0/),
    });
    const info = await api('GET', `/internal/v1/rooms/${room}`);
    expect(info.body).toMatchObject({ hasPipeline: true, participants: 3, publishers: 1 });

    expect(await carol.client.request({ type: 'raise-hand' })).toMatchObject({ type: 'ok' });
    await alice.client.next('publish-request', (m) => m['participantId'] === carol.id);
    expect(await alice.client.request({ type: 'approve', target: carol.id })).toMatchObject({ type: 'ok' });
    expect(
      await carol.client.request({
        type: 'publish',
        kinds: ['audio'],
        sdpOffer: await offer(['audio'], 'sendonly'),
      }),
    ).toMatchObject({ type: 'publish-answer' });

    expect(await alice.client.request({ type: 'leave' })).toMatchObject({ type: 'ok' });
    await bob.client.next('stream-ended', (m) => m['publisherId'] === alice.id);
    await eventually(async () =>
      expect((await api('GET', `/internal/v1/rooms/${room}`)).body['ownerId']).toBe(carol.id),
    );

    expect(await carol.client.request({ type: 'kick', target: bob.id })).toMatchObject({ type: 'ok' });
    await bob.client.next('kicked', (m) => m['by'] === carol.id);
    await eventually(() => expect(bob.client.closeCode).toBe(4003));

    const expected = [
      'room.reserved',
      'room.started',
      'participant.joined', // alice, publisher
      'room.owner-changed', // null → alice
      'participant.joined', // bob
      'participant.joined', // carol
      'stream.published', // alice
      'hand.raised',
      'hand.approved',
      'participant.role-changed',
      'stream.published', // carol
      'stream.unpublished', // alice leaves
      'participant.left',
      'room.owner-changed', // alice → carol
      'participant.kicked',
    ];
    await eventually(() => expect(typesOf(room)).toEqual(expected), {
      timeoutMs: 30_000,
      description: 'the CCES topic carries the session',
    });
    expect(eventsOf(room).map((e) => e.seq)).toEqual(expected.map((_, i) => i + 1));
    expect(eventsOf(room).every((e) => e.coremxId === COREMX_ID)).toBe(true);
    expect(
      eventsOf(room)
        .filter((e) => e.type === 'room.owner-changed')
        .map((e) => e.data),
    ).toEqual([
      { from: null, to: alice.id },
      { from: alice.id, to: carol.id },
    ]);
    expect(s.anomalies).toEqual([]);
  });

  it('refuses video in an a2m room and changes nothing', async () => {
    const room = `audio-${run}`;
    expect((await api('POST', '/internal/v1/rooms', { id: room, type: 'a2m', owner: 'dave' })).status).toBe(
      201,
    );
    const dave = await joinAs(room, 'dave');
    const refused = await dave.client.request({
      type: 'publish',
      kinds: ['audio', 'video'],
      sdpOffer: await offer(['audio', 'video'], 'sendonly'),
    });
    expect(refused).toMatchObject({ type: 'error', code: 'VIDEO_NOT_ALLOWED' });
    expect((await api('GET', `/internal/v1/rooms/${room}`)).body).toMatchObject({
      publishers: 1,
      mediaStreams: 0,
    });
    expect(
      await dave.client.request({
        type: 'publish',
        kinds: ['audio'],
        sdpOffer: await offer(['audio'], 'sendonly'),
      }),
    ).toMatchObject({ type: 'publish-answer' });
    await eventually(() =>
      expect(typesOf(room)).toEqual([
        'room.reserved',
        'room.started',
        'participant.joined',
        'room.owner-changed',
        'stream.published',
      ]),
    );
    expect(
      eventsOf(room)
        .filter((e) => e.type === 'stream.published')
        .map((e) => e.data),
    ).toEqual([expect.objectContaining({ kinds: ['audio'] })]);
  });

  it('relays p2p signaling between the two sides with no media pipeline', async () => {
    const room = `call-${run}`;
    expect((await api('POST', '/internal/v1/rooms', { id: room, type: 'p2p', owner: 'erin' })).status).toBe(
      201,
    );
    const erin = await joinAs(room, 'erin');
    const frank = await joinAs(room, 'frank');
    const p2p = frank.joined['p2p'] as { callerId: string; calleeId: string; offererId: string };
    expect(p2p.offererId).toBe(p2p.calleeId);
    const offerer = p2p.offererId === erin.id ? erin : frank;
    const answerer = offerer === erin ? frank : erin;

    const sdp = await offer(['audio', 'video'], 'sendonly');
    const refused = await answerer.client.request({ type: 'p2p-signal', signal: { kind: 'offer', sdp } });
    expect(refused).toMatchObject({ type: 'error', code: 'P2P_SIGNAL_REFUSED' });
    expect(
      await offerer.client.request({ type: 'p2p-signal', signal: { kind: 'offer', sdp } }),
    ).toMatchObject({
      type: 'ok',
    });
    expect(await answerer.client.next('p2p-signal')).toMatchObject({
      from: offerer.id,
      signal: { kind: 'offer', sdp },
    });
    expect(
      await answerer.client.request({
        type: 'p2p-signal',
        signal: { kind: 'answer', sdp: 'v=0\r\ns=answer\r\n' },
      }),
    ).toMatchObject({ type: 'ok' });
    expect(await offerer.client.next('p2p-signal')).toMatchObject({
      from: answerer.id,
      signal: { kind: 'answer' },
    });
    expect(await erin.client.request({ type: 'publish', kinds: ['audio', 'video'] })).toMatchObject({
      type: 'ok',
    });
    expect(
      await frank.client.request({
        type: 'publish',
        kinds: ['audio'],
        sdpOffer: await offer(['audio'], 'sendonly'),
      }),
    ).toMatchObject({ type: 'error', code: 'WRONG_ROOM_MEDIA' });
    expect((await api('GET', `/internal/v1/rooms/${room}`)).body).toMatchObject({
      type: 'p2p',
      hasPipeline: false,
      participants: 2,
    });
  });

  it('answers bad input on the WebSocket and the service API with clear errors and changes nothing', async () => {
    const room = `steady-${run}`;
    const grace = await joinAs(room, 'grace');
    const heidi = await joinAs(room, 'heidi');
    await eventually(() => expect(typesOf(room)).toContain('participant.joined'));
    await eventually(() =>
      expect(eventsOf(room).filter((e) => e.type === 'participant.joined')).toHaveLength(2),
    );
    const before = await api('GET', `/internal/v1/rooms/${room}`);
    const eventCount = eventsOf(room).length;

    heidi.client.sendRaw('not json');
    heidi.client.sendRaw(JSON.stringify({ type: 'dance' }));
    const checks: Array<[Record<string, unknown>, string]> = [
      [
        { type: 'publish', kinds: ['audio'], sdpOffer: `v=0\r\n${'a'.repeat(130 * 1024)}` },
        'INVALID_MESSAGE',
      ],
      [{ type: 'subscribe', publisherId: grace.id }, 'INVALID_MESSAGE'],
      [{ type: 'subscribe', publisherId: grace.id, sdpOffer: 'no sdp' }, 'INVALID_MESSAGE'],
      [{ type: 'approve', target: heidi.id }, 'NOT_OWNER'],
      [{ type: 'kick', target: grace.id }, 'NOT_A_PUBLISHER'],
      [{ type: 'end' }, 'NOT_CREATOR'],
      [{ type: 'join', ticket: ticket(room, 'heidi') }, 'ALREADY_JOINED'],
      [{ type: 'raise-hand', extra: 1 }, 'INVALID_MESSAGE'],
    ];
    for (const [message, code] of checks) {
      expect(await heidi.client.request(message)).toMatchObject({ type: 'error', code });
    }
    expect(codes(heidi.client).slice(0, 2)).toEqual(['MESSAGE_MALFORMED', 'UNKNOWN_TYPE']);

    const stranger = await open();
    const strangerChecks: Array<[Record<string, unknown>, string]> = [
      [{ type: 'raise-hand' }, 'NOT_JOINED'],
      [
        { type: 'join', ticket: ticket(room, 'ivan', {}, { audience: 'coremx:another' }) },
        'TICKET_WRONG_COREMX',
      ],
      [
        { type: 'join', ticket: ticket(room, 'ivan', {}, { ttlSeconds: 60, nowMs: Date.now() - 3_600_000 }) },
        'TICKET_EXPIRED',
      ],
      [
        { type: 'join', ticket: ticket(room, 'ivan', {}, { key: testKeyPair('forged-kid') }) },
        'TICKET_INVALID',
      ],
      // A user's access token is not a ticket: its audience is not this CoreMX.
      [{ type: 'join', ticket: await s.stack.userToken(`ivan${run}`) }, 'TICKET_WRONG_COREMX'],
      [{ type: 'join', ticket: ticket(room, 'ivan', { cid: 'Not A Room!' }) }, 'TICKET_INVALID'],
    ];
    for (const [message, code] of strangerChecks) {
      expect(await stranger.request(message)).toMatchObject({ type: 'error', code });
    }

    const user = await s.stack.userToken(`judy${run}`);
    const apiChecks: Array<[number, Promise<{ status: number; body: Record<string, unknown> }>]> = [
      [400, api('POST', '/internal/v1/rooms', { id: 'Bad Id!', type: 'm2m' })],
      [400, api('POST', '/internal/v1/rooms', { id: `x-${run}`, type: 'party' })],
      [400, api('POST', '/internal/v1/rooms', { id: `x-${run}`, type: 'm2m', extra: true })],
      [400, api('POST', '/internal/v1/rooms', '{not json')],
      [401, api('POST', '/internal/v1/rooms', { id: `x-${run}`, type: 'm2m' }, null)],
      // A user's token is not a service token (audience): refused like no token.
      [401, api('POST', '/internal/v1/rooms', { id: `x-${run}`, type: 'm2m' }, user)],
      [409, api('POST', '/internal/v1/rooms', { id: room, type: 'p2p' })],
      [404, api('DELETE', `/internal/v1/rooms/nope-${run}`)],
      [401, api('DELETE', `/internal/v1/rooms/${room}`, undefined, null)],
      [400, api('DELETE', `/internal/v1/rooms/${room}?by=not%20an%20identity`)],
      [
        400,
        api('POST', '/internal/v1/rooms', {
          id: `x-${run}`,
          type: 'm2m',
          movedFrom: { coremxId: COREMX_ID, reason: 'manual' },
        }),
      ],
      [
        400,
        api('POST', '/internal/v1/rooms', {
          id: `x-${run}`,
          type: 'm2m',
          movedFrom: { coremxId: 'coremx-x' },
        }),
      ],
      [400, api('POST', '/internal/v1/rooms', { id: `x-${run}`, type: 'm2m', public: 'yes' })],
      [401, api('POST', '/internal/v1/coremx/drain', {}, user)],
    ];
    for (const [status, call] of apiChecks) {
      const res = await call;
      expect({ status: res.status, code: typeof res.body['code'] }).toEqual({ status, code: 'string' });
    }
    expect((await api('GET', `/internal/v1/rooms/x-${run}`)).status).toBe(404);

    const after = await api('GET', `/internal/v1/rooms/${room}`);
    expect(after.body).toEqual(before.body);
    expect((await api('GET', '/internal/v1/coremx/status')).body['state']).toBe('active');
    // The next real change is the very next event: nothing was published in between.
    expect(await heidi.client.request({ type: 'raise-hand' })).toMatchObject({ type: 'ok' });
    await eventually(() => expect(eventsOf(room)).toHaveLength(eventCount + 1));
    expect(eventsOf(room).at(-1)).toMatchObject({ type: 'hand.raised', seq: eventCount + 1 });
    expect(s.anomalies).toEqual([]);
  });

  it('rebuilds rooms on fresh pipelines after a kms-lite restart, and participants re-offer', async () => {
    const room = `rebuild-${run}`;
    const kate = await joinAs(room, 'kate');
    const liam = await joinAs(room, 'liam');
    expect(
      await kate.client.request({
        type: 'publish',
        kinds: ['audio', 'video'],
        sdpOffer: await offer(['audio', 'video'], 'sendonly'),
      }),
    ).toMatchObject({ type: 'publish-answer' });
    await liam.client.next('stream-ready', (m) => m['publisherId'] === kate.id);
    expect(
      await liam.client.request({
        type: 'subscribe',
        publisherId: kate.id,
        sdpOffer: await offer(['audio', 'video'], 'recvonly'),
      }),
    ).toMatchObject({ type: 'subscribe-answer' });
    const serverBefore = ((await (await fetch(`${s.kms.adminUrl}/faults`)).json()) as { serverId: string })
      .serverId;

    const restart = await fetch(`${s.kms.adminUrl}/faults/restart`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ downMs: 300 }),
    });
    expect(restart.ok).toBe(true);
    const serverAfter = ((await (await fetch(`${s.kms.adminUrl}/faults`)).json()) as { serverId: string })
      .serverId;
    expect(serverAfter).not.toBe(serverBefore);

    await kate.client.next('reoffer');
    await liam.client.next('reoffer');
    await eventually(() => expect(typesOf(room)).toContain('room.rebuilt'), { timeoutMs: 30_000 });
    expect(eventsOf(room).find((e) => e.type === 'room.rebuilt')?.data).toMatchObject({
      reason: 'media-server-restarted',
    });
    // Membership, roles and owner survive; the publisher re-offers with the same kinds.
    const republished = await kate.client.request({
      type: 'publish',
      kinds: ['audio', 'video'],
      sdpOffer: await offer(['audio', 'video'], 'sendonly'),
    });
    expect(republished).toMatchObject({ type: 'publish-answer', sdpAnswer: expect.stringMatching(/^v=0/) });
    await eventually(() => expect(liam.client.ofType('stream-ready')).toHaveLength(2));
    expect(
      await liam.client.request({
        type: 'subscribe',
        publisherId: kate.id,
        sdpOffer: await offer(['audio', 'video'], 'recvonly'),
      }),
    ).toMatchObject({ type: 'subscribe-answer', publisherId: kate.id });
    expect((await api('GET', `/internal/v1/rooms/${room}`)).body).toMatchObject({
      participants: 2,
      publishers: 1,
      ownerId: kate.id,
      hasPipeline: true,
    });
    // A re-offered publish does not publish the stream again.
    expect(typesOf(room).filter((t) => t === 'stream.published')).toHaveLength(1);
    await eventually(async () => expect((await fetch(`${s.cash.url}/health/ready`)).status).toBe(200));
  });

  it('drains through the API (registry sees it, new rooms refused, joins still work), undrains, and drains to exit on SIGTERM', async () => {
    const user = await s.stack.userToken(`ops${run}`);
    const listed = async () => {
      const res = await fetch(`${s.stack.registryUrl}/v1/coremx`, {
        headers: { authorization: `Bearer ${user}` },
      });
      return ((await res.json()) as { coremx: Array<Record<string, unknown>> }).coremx.find(
        (c) => c['coremxId'] === COREMX_ID,
      );
    };
    const drain = await api('POST', '/internal/v1/coremx/drain', {});
    expect(drain.status).toBe(202);
    expect(drain.body['state']).toBe('draining');
    await eventually(async () => expect(await listed()).toMatchObject({ state: 'draining' }), {
      timeoutMs: 30_000,
    });

    const refused = await fetch(`${s.cash.url}/internal/v1/rooms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.serviceToken}` },
      body: JSON.stringify({ id: `late-${run}`, type: 'm2m' }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { code: string }).code).toBe('cash.draining');
    const newcomer = await open();
    expect(await newcomer.request({ type: 'join', ticket: ticket(`fresh-${run}`, 'mia') })).toMatchObject({
      type: 'error',
      code: 'DRAINING',
    });
    // Joining a room that exists still works while draining.
    await joinAs(`steady-${run}`, 'nick');

    const undrain = await api('POST', '/internal/v1/coremx/undrain');
    expect(undrain.status).toBe(200);
    expect(undrain.body['state']).toBe('active');
    await eventually(async () => expect(await listed()).toMatchObject({ state: 'active' }), {
      timeoutMs: 30_000,
    });
    expect((await api('POST', '/internal/v1/rooms', { id: `late-${run}`, type: 'm2m' })).status).toBe(201);

    // SIGTERM: drain (DRAIN_DEADLINE_MS short enough for the rooms still occupied), deregister, exit 0.
    const occupied = [`standup-${run}`, `audio-${run}`, `call-${run}`, `steady-${run}`, `rebuild-${run}`];
    s.cash.process.kill('SIGTERM');
    // Nest closes the app, then re-raises the signal: a clean exit shows as 0 or as killed by SIGTERM.
    expect([0, null]).toContain(await s.cash.process.exited);
    await eventually(async () => expect(await listed()).toMatchObject({ state: 'down' }), {
      timeoutMs: 30_000,
    });
    await eventually(
      () => {
        for (const room of [...occupied, `late-${run}`]) expect(typesOf(room).at(-1)).toBe('room.ended');
      },
      { timeoutMs: 30_000, description: 'every room ended' },
    );
    await eventually(() =>
      expect(eventsOf('_coremx').map((e) => (e.data as { to: string }).to)).toEqual(
        expect.arrayContaining(['ready', 'draining', 'drained', 'stopping']),
      ),
    );
    for (const room of [...occupied, `late-${run}`]) {
      expect(eventsOf(room).map((e) => e.seq)).toEqual(eventsOf(room).map((_, i) => i + 1));
    }
    expect(s.anomalies).toEqual([]);
  });
});
