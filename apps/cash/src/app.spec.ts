import WebSocket from 'ws';
import { eventually } from '@hoot/testing';
import { startCashTestApp, type CashTestApp } from './testing/cash-test-app';
import { sdpOffer } from './testing/room-fixture';
import type { ServerMessage } from './signaling/signaling-protocol';

const flush = () => new Promise((resolve) => setImmediate(resolve));
/** Conference events (the CoreMX's own `coremx.state-changed` stream aside). */
const conferenceEvents = (t: CashTestApp) => t.events.events.filter((e) => e.conferenceId !== '_coremx');

describe('CASH service API', () => {
  let t: CashTestApp;
  beforeEach(async () => {
    t = await startCashTestApp({ CAPACITY_ROOMS: '4' });
  });
  afterEach(async () => {
    await t.app.close();
  });

  const call = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    payload?: unknown,
    token = t.serviceToken(),
  ) =>
    t.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${token}`,
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(payload !== undefined
        ? { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }
        : {}),
    });

  it('reserves (201, then 200), shows and ends rooms', async () => {
    const created = await call('POST', '/internal/v1/rooms', {
      id: 'standup',
      type: 'm2m',
      owner: 'alice',
      allowed: ['bob'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      id: 'standup',
      status: 'reserved',
      address: 'hoot.mx://standup@coremx-test.c1.hoot.mx',
    });
    expect((await call('POST', '/internal/v1/rooms', { id: 'standup', type: 'm2m' })).statusCode).toBe(200);
    const conflict = await call('POST', '/internal/v1/rooms', { id: 'standup', type: 'p2p' });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json().code).toBe('cash.room-exists');
    expect((await call('GET', '/internal/v1/rooms/standup')).json()).toMatchObject({
      type: 'm2m',
      creator: 'alice',
    });
    expect((await call('GET', '/internal/v1/rooms')).json().rooms).toHaveLength(1);
    expect((await call('DELETE', '/internal/v1/rooms/standup')).statusCode).toBe(204);
    const gone = await call('GET', '/internal/v1/rooms/standup');
    expect(gone.statusCode).toBe(404);
    expect(gone.json().code).toBe('cash.room-not-found');
    expect(conferenceEvents(t).map((e) => e.type)).toEqual(['room.reserved', 'room.ended']);
    expect(t.events.ofType('room.ended')[0].data).toMatchObject({ by: null, reason: 'system' });
    expect(t.events.ofType('room.reserved')[0].data).toMatchObject({ public: false, allowed: ['bob'] });
    expect(t.events.ofType('coremx.state-changed').map((e) => e.data)).toEqual([{ from: null, to: 'ready' }]);
  });

  it.each([
    ['malformed JSON', '{"id":', 400, 'request.malformed'],
    ['an unknown field', { id: 'abc', type: 'm2m', extra: 1 }, 400, 'request.invalid'],
    ['a bad room id', { id: 'Not An Id', type: 'm2m' }, 400, 'request.invalid'],
    ['an unknown type', { id: 'abc', type: 'x2y' }, 400, 'request.invalid'],
    ['a bad owner', { id: 'abc', type: 'm2m', owner: 'a b' }, 400, 'request.invalid'],
    ['allowed not a list', { id: 'abc', type: 'm2m', allowed: 'bob' }, 400, 'request.invalid'],
    ['a zero participant limit', { id: 'abc', type: 'm2m', maxParticipants: 0 }, 400, 'request.invalid'],
    ['public as text', { id: 'abc', type: 'm2m', public: 'true' }, 400, 'request.invalid'],
    ['public null', { id: 'abc', type: 'm2m', public: null }, 400, 'request.invalid'],
    ['movedFrom null', { id: 'abc', type: 'm2m', movedFrom: null }, 400, 'request.invalid'],
    ['movedFrom not an object', { id: 'abc', type: 'm2m', movedFrom: 'coremx-9' }, 400, 'request.invalid'],
    [
      'movedFrom as a list',
      { id: 'abc', type: 'm2m', movedFrom: [{ coremxId: 'coremx-9', reason: 'drain' }] },
      400,
      'request.invalid',
    ],
    [
      'movedFrom without a reason',
      { id: 'abc', type: 'm2m', movedFrom: { coremxId: 'coremx-9' } },
      400,
      'request.invalid',
    ],
    [
      'movedFrom with an unknown reason',
      { id: 'abc', type: 'm2m', movedFrom: { coremxId: 'coremx-9', reason: 'boredom' } },
      400,
      'request.invalid',
    ],
    [
      'movedFrom with a bad CoreMX id',
      { id: 'abc', type: 'm2m', movedFrom: { coremxId: 'CoreMX 9', reason: 'drain' } },
      400,
      'request.invalid',
    ],
    [
      'movedFrom with an unknown field',
      { id: 'abc', type: 'm2m', movedFrom: { coremxId: 'coremx-9', reason: 'drain', at: 1 } },
      400,
      'request.invalid',
    ],
    [
      'movedFrom participants with an unknown role',
      {
        id: 'abc',
        type: 'm2m',
        movedFrom: {
          coremxId: 'coremx-9',
          reason: 'drain',
          participants: [{ identity: 'bob', role: 'king' }],
        },
      },
      400,
      'request.invalid',
    ],
    [
      'movedFrom participants that are not a list',
      { id: 'abc', type: 'm2m', movedFrom: { coremxId: 'coremx-9', reason: 'drain', participants: 'bob' } },
      400,
      'request.invalid',
    ],
    [
      'an allowed list too long for its room.reserved event',
      {
        id: 'abc',
        type: 'm2m',
        allowed: Array.from({ length: 1_000 }, (_, i) => `account-${1_000_000 + i}`),
      },
      400,
      'cash.reservation-too-large',
    ],
    ['returning null', { id: 'abc', type: 'm2m', returning: null }, 400, 'request.invalid'],
    ['returning not a list', { id: 'abc', type: 'm2m', returning: 'bob' }, 400, 'request.invalid'],
    ['returning holding text', { id: 'abc', type: 'm2m', returning: ['bob'] }, 400, 'request.invalid'],
    [
      'returning with an unknown role',
      { id: 'abc', type: 'm2m', returning: [{ identity: 'bob', role: 'king' }] },
      400,
      'request.invalid',
    ],
    [
      'returning with a bad identity',
      { id: 'abc', type: 'm2m', returning: [{ identity: 'b o b', role: 'viewer' }] },
      400,
      'request.invalid',
    ],
    [
      'returning with an unknown field',
      { id: 'abc', type: 'm2m', returning: [{ identity: 'bob', role: 'viewer', owner: true }] },
      400,
      'request.invalid',
    ],
    [
      'returning longer than a room remembers',
      {
        id: 'abc',
        type: 'm2m',
        returning: Array.from({ length: 201 }, (_, i) => ({ identity: `acc-${i}`, role: 'viewer' })),
      },
      400,
      'request.invalid',
    ],
    [
      'returning and movedFrom.participants both',
      {
        id: 'abc',
        type: 'm2m',
        returning: [{ identity: 'bob', role: 'publisher' }],
        movedFrom: { coremxId: 'coremx-9', reason: 'drain', participants: [] },
      },
      400,
      'cash.invalid-room',
    ],
    [
      'movedFrom naming this CoreMX',
      { id: 'abc', type: 'm2m', movedFrom: { coremxId: 'coremx-test', reason: 'drain' } },
      400,
      'cash.moved-from-self',
    ],
  ])('refuses a reservation with %s and changes nothing', async (_why, body, status, code) => {
    const res = await call('POST', '/internal/v1/rooms', body);
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe(code);
    expect(conferenceEvents(t)).toEqual([]);
    expect((await call('GET', '/internal/v1/rooms')).json().rooms).toEqual([]);
  });

  it('reserves a public, re-homed room: room.reserved (v2) then conference.moved; a repeat publishes nothing', async () => {
    const body = {
      id: 'moved',
      type: 'm2m',
      owner: 'acc-alice',
      public: true,
      allowed: ['acc-bob'],
      maxParticipants: 20,
      movedFrom: { coremxId: 'coremx-dead', reason: 'coremx-down' },
    };
    const created = await call('POST', '/internal/v1/rooms', body);
    expect(created.statusCode).toBe(201);
    expect(conferenceEvents(t).map((e) => [e.type, e.schemaVersion, e.seq, e.data])).toEqual([
      [
        'room.reserved',
        2,
        1,
        {
          roomType: 'm2m',
          creator: 'acc-alice',
          address: 'hoot.mx://moved@coremx-test.c1.hoot.mx',
          public: true,
          allowed: ['acc-bob'],
          maxParticipants: 20,
        },
      ],
      [
        'conference.moved',
        1,
        2,
        {
          fromCoremxId: 'coremx-dead',
          toCoremxId: 'coremx-test',
          toAddress: 'hoot.mx://moved@coremx-test.c1.hoot.mx',
          reason: 'coremx-down',
        },
      ],
    ]);
    const repeat = await call('POST', '/internal/v1/rooms', body);
    expect(repeat.statusCode).toBe(200);
    expect(conferenceEvents(t)).toHaveLength(2);
  });

  it("ends a room for its conference's owner with ?by=, and refuses a bad by", async () => {
    await call('POST', '/internal/v1/rooms', { id: 'owned', type: 'm2m', owner: 'acc-alice' });
    for (const query of ['by=a%20b', 'by=', 'by=x&by=y', 'by=acc-alice&why=1']) {
      const bad = await call('DELETE', `/internal/v1/rooms/owned?${query}`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json().code).toBe('request.invalid');
    }
    expect((await call('GET', '/internal/v1/rooms/owned')).statusCode).toBe(200);
    expect((await call('DELETE', '/internal/v1/rooms/owned?by=acc-alice')).statusCode).toBe(204);
    expect((await call('GET', '/internal/v1/rooms/owned')).statusCode).toBe(404);
    expect(t.events.ofType('room.ended').map((e) => e.data)).toEqual([
      { by: 'acc-alice', reason: 'ended', participantIds: [] },
    ]);
    const again = await call('DELETE', '/internal/v1/rooms/owned?by=acc-alice');
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('cash.room-ended');
  });

  it('requires a service token', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/internal/v1/rooms' });
    expect(none.statusCode).toBe(401);
    const user = await call(
      'GET',
      '/internal/v1/rooms',
      undefined,
      t.serviceToken({ kind: 'user', roles: [] }),
    );
    expect(user.statusCode).toBe(403);
    const wrongAudience = await call('GET', '/internal/v1/rooms', undefined, t.serviceToken({}, 'hoot'));
    expect(wrongAudience.statusCode).toBe(401);
    const expired = t.serviceToken();
    t.clock.advance(3_700_000);
    expect((await call('GET', '/internal/v1/rooms', undefined, expired)).statusCode).toBe(401);
  });

  it('answers 503 with Retry-After and reports overloaded once at capacity, with hysteresis', async () => {
    for (const id of ['r-1', 'r-2', 'r-3', 'r-4']) {
      expect((await call('POST', '/internal/v1/rooms', { id, type: 'm2m' })).statusCode).toBe(201);
    }
    const refused = await call('POST', '/internal/v1/rooms', { id: 'r-5', type: 'm2m' });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('10');
    expect(refused.json().code).toBe('cash.overloaded');
    expect((await call('GET', '/internal/v1/coremx/status')).json()).toMatchObject({
      state: 'overloaded',
      load: 1,
    });
    await flush();
    expect(t.registry.last()).toMatchObject({ state: 'overloaded', rooms: 4, capacity: 4 });
    // 3 of 4 = 0.75 is above the low watermark (0.7): still overloaded
    await call('DELETE', '/internal/v1/rooms/r-4');
    expect((await call('POST', '/internal/v1/rooms', { id: 'r-5', type: 'm2m' })).statusCode).toBe(503);
    await call('DELETE', '/internal/v1/rooms/r-3');
    expect((await call('POST', '/internal/v1/rooms', { id: 'r-5', type: 'm2m' })).statusCode).toBe(201);
    // existing rooms were never touched
    expect((await call('GET', '/internal/v1/rooms')).json().rooms.map((r: { id: string }) => r.id)).toEqual([
      'r-1',
      'r-2',
      'r-5',
    ]);
  });

  it('drains and undrains through the API', async () => {
    await call('POST', '/internal/v1/rooms', { id: 'kept', type: 'm2m' });
    const drain = await call('POST', '/internal/v1/coremx/drain', { deadlineMs: 60_000 });
    expect(drain.statusCode).toBe(202);
    expect(drain.json()).toMatchObject({ state: 'draining', drain: { draining: true } });
    const refused = await call('POST', '/internal/v1/rooms', { id: 'new-one', type: 'm2m' });
    expect(refused.statusCode).toBe(503);
    expect(refused.json().code).toBe('cash.draining');
    await flush();
    expect(t.registry.last()?.state).toBe('draining');
    expect((await call('POST', '/internal/v1/coremx/drain', { deadlineMs: -1 })).statusCode).toBe(400);
    const undrain = await call('POST', '/internal/v1/coremx/undrain');
    expect(undrain.json().state).toBe('active');
    expect((await call('POST', '/internal/v1/rooms', { id: 'new-one', type: 'm2m' })).statusCode).toBe(201);
  });

  it('serves health and metrics; readiness includes the media server and the event backlog', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(Object.keys(ready.json().checks).sort()).toEqual(['events', 'kms']);
    t.media.setAvailable(false);
    const down = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(down.statusCode).toBe(503);
    expect(down.json().checks.kms.status).toBe('down');
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('cash_rooms 0');
    expect(metrics.body).toContain('cash_cces_backlog 0');
    expect(metrics.body).toContain('cash_state{state="active"} 1');
    expect(metrics.body).toContain('# TYPE cash_room_wait_seconds histogram');
  });

  it('registers with the registry at start and deregisters at close', async () => {
    await flush();
    expect(t.registry.reports[0].report).toMatchObject({
      address: 'coremx-test.c1.hoot.mx',
      state: 'active',
      seq: 1,
      incarnation: t.clock.now(),
    });
    await t.app.close();
    expect(t.registry.deregistrations).toHaveLength(1);
    t = await startCashTestApp();
  });
});

describe.each([
  ['with the defaults', {}],
  ['with at most 2 unjoined connections per address', { SIGNAL_MAX_UNJOINED_PER_ADDRESS: '2' }],
])('CASH signaling over a real WebSocket (%s)', (_name, env: Record<string, string>) => {
  let t: CashTestApp;
  let url: string;
  const sockets: WebSocket[] = [];

  beforeEach(async () => {
    t = await startCashTestApp(env);
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address() as { port: number };
    url = `ws://127.0.0.1:${address.port}/signal`;
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.terminate();
    await t.app.close();
  });

  async function open(): Promise<{ ws: WebSocket; inbox: ServerMessage[]; closed: { code?: number } }> {
    const ws = new WebSocket(url);
    sockets.push(ws);
    const inbox: ServerMessage[] = [];
    const closed: { code?: number } = {};
    ws.on('message', (data) => inbox.push(JSON.parse(String(data)) as ServerMessage));
    ws.on('close', (code) => (closed.code = code));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return { ws, inbox, closed };
  }

  it('joins, publishes, subscribes and sees patches; a kick closes the kicked socket', async () => {
    const alice = await open();
    alice.ws.send(JSON.stringify({ type: 'join', id: 'j', ticket: t.ticket('live', 'alice') }));
    await eventually(() =>
      expect(alice.inbox[0]).toMatchObject({ type: 'joined', participantId: expect.any(String) }),
    );
    const aliceId = (alice.inbox[0] as { participantId: string }).participantId;
    const bob = await open();
    bob.ws.send(JSON.stringify({ type: 'join', ticket: t.ticket('live', 'bob') }));
    await eventually(() => expect(bob.inbox[0]?.type).toBe('joined'));
    await eventually(() => expect(alice.inbox.some((m) => m.type === 'patch')).toBe(true));

    alice.ws.send(
      JSON.stringify({ type: 'publish', id: 'p', kinds: ['audio', 'video'], sdpOffer: sdpOffer() }),
    );
    await eventually(() => expect(bob.inbox.some((m) => m.type === 'stream-ready')).toBe(true));
    bob.ws.send(JSON.stringify({ type: 'subscribe', id: 's', publisherId: aliceId, sdpOffer: sdpOffer() }));
    await eventually(() =>
      expect(bob.inbox.find((m) => m.type === 'subscribe-answer')).toMatchObject({ re: 's' }),
    );
    expect(t.media.connections()).toHaveLength(1);

    const bobId = (bob.inbox[0] as { participantId: string }).participantId;
    alice.ws.send(JSON.stringify({ type: 'kick', target: bobId }));
    await eventually(() => expect(bob.closed.code).toBe(4003));
    expect(bob.inbox.some((m) => m.type === 'kicked')).toBe(true);
    await eventually(() => expect(t.media.connections()).toHaveLength(0));
  });

  it('answers bad frames with errors, and leaves the room when the socket closes', async () => {
    const alice = await open();
    alice.ws.send('not json');
    alice.ws.send(JSON.stringify({ type: 'join', ticket: t.ticket('gone', 'alice', {}), extra: true }));
    await eventually(() =>
      expect(alice.inbox.map((m) => (m as { code?: string }).code)).toEqual([
        'MESSAGE_MALFORMED',
        'INVALID_MESSAGE',
      ]),
    );
    alice.ws.send(JSON.stringify({ type: 'join', ticket: t.ticket('gone', 'alice') }));
    await eventually(() => expect(alice.inbox.at(-1)?.type).toBe('joined'));
    alice.ws.close();
    await eventually(() => expect(t.events.events.map((e) => e.type)).toContain('participant.left'));
  });

  it('closes the live session of a revoked subject at the next revocation check (4001, with an error)', async () => {
    const alice = await open();
    alice.ws.send(JSON.stringify({ type: 'join', ticket: t.ticket('live', 'alice') }));
    await eventually(() => expect(alice.inbox[0]?.type).toBe('joined'));
    const bob = await open();
    bob.ws.send(JSON.stringify({ type: 'join', ticket: t.ticket('live', 'bob') }));
    await eventually(() => expect(bob.inbox[0]?.type).toBe('joined'));

    t.revocations.revokeSubject('alice', t.clock.now() + 1);
    t.clock.advance(t.config.REVOCATION_CHECK_INTERVAL_MS);
    await eventually(() => expect(alice.closed.code).toBe(4001));
    expect(alice.inbox.at(-1)).toMatchObject({ type: 'error', code: 'TICKET_REVOKED' });
    await eventually(() => expect(t.events.events.map((e) => e.type)).toContain('participant.left'));
    expect(bob.closed.code).toBeUndefined();
  });

  it('caps connections per address that have not joined; joining frees a place', async () => {
    const max = t.config.SIGNAL_MAX_UNJOINED_PER_ADDRESS;
    const idle: Awaited<ReturnType<typeof open>>[] = [];
    for (let i = 0; i < max; i++) idle.push(await open());
    const extra = await open();
    await eventually(() => expect(extra.closed.code).toBe(4029));
    expect(extra.inbox).toEqual([expect.objectContaining({ type: 'error', code: 'TOO_MANY_CONNECTIONS' })]);
    idle[0].ws.send(JSON.stringify({ type: 'join', ticket: t.ticket('live', 'alice') }));
    await eventually(() => expect(idle[0].inbox[0]?.type).toBe('joined'));
    const next = await open();
    next.ws.send(JSON.stringify({ type: 'join', ticket: t.ticket('live', 'bob') }));
    await eventually(() => expect(next.inbox[0]?.type).toBe('joined'));
    expect(next.closed.code).toBeUndefined();
  });

  it('refuses upgrades on other paths', async () => {
    const address = t.app.getHttpServer().address() as { port: number };
    const ws = new WebSocket(`ws://127.0.0.1:${address.port}/elsewhere`);
    sockets.push(ws);
    const error = await new Promise<Error>((resolve) => ws.once('error', resolve));
    expect(error.message).toContain('404');
  });
});
