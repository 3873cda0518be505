import { randomUUID } from 'node:crypto';
import { decodeSegment, newTicketSigningKey, signEdDsa } from '@hoot/auth-kit';
import { connectMongo, MongoConferenceStore } from '@hoot/mongo';
import { eventually, joinWithTicket } from '@hoot/testing';
import { ConferenceSpecSession, badInputCases, type Json } from './conferences.integration.fixture';

/**
 * Conferences across two clouds with real processes: auth, registry nodes reg-c1-1 (two replicas) and
 * reg-c2-1, a CASH + kms-lite per cloud, Kafka and the MongoDB-protocol server. Create at cloud 1, join
 * through cloud 2 (the directory comes from the CoreMX topics), BOLA, bad input, idempotent create,
 * re-homing after kill -9 of a CASH, and `POST /v1/auth/token` forwarding.
 */
const prefix = `confit${Date.now().toString(36)}`;
// Specs share one Kafka, and every registry reads every CoreMX topic: ids unique to this run keep other
// specs' conferences (many are called "standup") out of what this one asserts.
const TAG = Date.now().toString(36);
const CID = `standup-${TAG}`;
const MX1 = `${TAG}-mx1`;
const MX2 = `${TAG}-mx2`;

describe('conferences on the registry (two clouds, real processes)', () => {
  const s = new ConferenceSpecSession(prefix, MX1, MX2);
  const { platform, ids, events, call, joinAt } = s;

  beforeAll(() => s.start());
  afterAll(() => s.stop());

  it('creates at cloud 1 on its own CoreMX and bob joins the address through cloud 2', async () => {
    const created = await call('reg-c1-1', 'POST', '/v1/conferences', 'alice', {
      id: `${CID}`,
      type: 'm2m',
      allowed: ['bob'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: `${CID}`,
      address: `hoot.mx://${CID}@${MX1}.c1.hoot.mx`,
      owner: ids['alice'],
      allowed: [ids['bob']],
      status: 'reserved',
      coremxId: `${MX1}`,
    });
    // reg-c2-1 learns it from coremx-1's topic, never from reg-c1-1. The topic is new: reg-c2-1 subscribes at
    // its next topic refresh and its consumer group rebalances, which takes longer on a busy machine.
    const joined = await eventually(
      async () => {
        const answer = await joinAt('reg-c2-1', 'bob', `hoot.mx://${CID}@${MX1}.c1.hoot.mx`);
        expect(answer.status).toBe(200);
        return answer.body;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        description: "reg-c2-1 learns the conference from coremx-1's topic",
      },
    );
    expect(joined).toMatchObject({
      conferenceId: `${CID}`,
      coremxId: `${MX1}`,
      signalingUrl: platform.cash.get(`${MX1}`)!.signalingUrl,
      role: 'viewer',
    });
    expect(joined['webUrl']).toMatch(new RegExp(`/join/${CID}#ticket=`));
    // The ticket is accepted by the CASH hosting it: bob is in the room as a viewer.
    const { answer, socket } = await joinWithTicket(joined['signalingUrl'], joined['ticket']);
    try {
      expect(answer).toMatchObject({ type: 'joined', re: '1' });
      const participants = Object.values((answer['room'] as Json)['participants'] as Json);
      expect(participants.map((p) => [p['identity'], p['role']])).toEqual([[ids['bob'], 'viewer']]);
    } finally {
      socket.close();
    }
    // Both registries show the same conference (the directory counted bob's join at cloud 2 too).
    await eventually(async () => {
      const atC2 = await call('reg-c2-1', 'GET', `/v1/conferences/${CID}`, 'alice');
      expect(atC2.body).toMatchObject({ id: `${CID}`, coremxId: `${MX1}`, owner: ids['alice'] });
    });
  });

  it('signs join tickets at the registry (EdDSA, its own key published by auth); CASH refuses a forged or borrowed one', async () => {
    const joined = await joinAt('reg-c2-1', 'bob', `hoot.mx://${CID}@${MX1}.c1.hoot.mx`);
    expect(joined.status).toBe(200);
    const ticket = String(joined.body['ticket']);
    const header = decodeSegment(ticket.split('.')[0], 'header');
    expect(header).toMatchObject({ alg: 'EdDSA', kid: expect.stringMatching(/^reg-c2-1\./) });
    const payload = decodeSegment(ticket.split('.')[1], 'payload');
    expect(payload).toMatchObject({
      iss: 'registry:reg-c2-1',
      aud: `coremx:${MX1}`,
      cid: CID,
      sub: ids['bob'],
    });
    const published = (await (
      await fetch(`${platform.cluster.authUrl}/.well-known/join-ticket-keys.json`)
    ).json()) as { keys: { kid: string; alg: string }[] };
    expect(published.keys.find((k) => k.kid === header['kid'])).toMatchObject({ alg: 'EdDSA' });
    // Access tokens are never signed by these keys: the access-token JWKS does not list them.
    const access = (await (await fetch(`${platform.cluster.authUrl}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(access.keys.map((k) => k.kid)).not.toContain(header['kid']);

    const signalingUrl = String(joined.body['signalingUrl']);
    const refused = async (forged: string) => {
      const { answer, socket } = await joinWithTicket(signalingUrl, forged);
      socket.close();
      return answer;
    };
    // The same claims signed by a key nobody registered (an attacker's own "registry" key).
    const stranger = newTicketSigningKey('reg-c2-1');
    const claims = { ...payload, jti: randomUUID() };
    expect(await refused(signEdDsa(claims, stranger.privateKey, stranger.kid))).toMatchObject({
      type: 'error',
      code: 'TICKET_INVALID',
    });
    // reg-c2-1's real kid on a ticket claiming to come from reg-c1-1: the key signs only as its registry.
    expect(
      await refused(
        [
          ticket.split('.')[0],
          Buffer.from(JSON.stringify({ ...claims, iss: 'registry:reg-c1-1' })).toString('base64url'),
          ticket.split('.')[2],
        ].join('.'),
      ),
    ).toMatchObject({ type: 'error', code: 'TICKET_INVALID' });
    // alg "none" and an HMAC over the published public key are refused.
    for (const alg of ['none', 'HS256']) {
      const forged = `${Buffer.from(JSON.stringify({ alg, kid: header['kid'] })).toString('base64url')}.${ticket.split('.')[1]}.AAAA`;
      expect(await refused(forged)).toMatchObject({ type: 'error', code: 'TICKET_INVALID' });
    }
    // The genuine ticket still joins (refusals did not use it up).
    const { answer, socket } = await joinWithTicket(signalingUrl, ticket);
    socket.close();
    expect(answer).toMatchObject({ type: 'joined' });
  });

  it('is idempotent for its owner and refuses the id to another user with 409', async () => {
    const again = await call('reg-c1-1', 'POST', '/v1/conferences', 'alice', {
      id: `${CID}`,
      type: 'm2m',
      allowed: ['bob'],
    });
    expect([again.status, again.body['address']]).toEqual([200, `hoot.mx://${CID}@${MX1}.c1.hoot.mx`]);
    const taken = await call('reg-c1-1', 'POST', '/v1/conferences', 'bob', {
      id: `${CID}`,
      type: 'm2m',
      allowed: [],
    });
    expect([taken.status, taken.body['code']]).toEqual([409, 'conference.id-taken']);
  });

  it('BOLA: another user can neither read, join, end nor list a private conference, and learns nothing', async () => {
    const unknown = await call('reg-c1-1', 'GET', '/v1/conferences/no-such-conference', 'mallory');
    for (const registry of ['reg-c1-1', 'reg-c2-1']) {
      const read = await call(registry, 'GET', `/v1/conferences/${CID}`, 'mallory');
      expect([read.status, read.body['code']]).toEqual([unknown.status, unknown.body['code']]);
      expect(read.status).toBe(404);
      const end = await call(registry, 'DELETE', `/v1/conferences/${CID}`, 'mallory');
      expect([end.status, end.body['code']]).toEqual([404, 'conference.not-found']);
      const join = await joinAt(registry, 'mallory', `hoot.mx://${CID}@${MX1}.c1.hoot.mx`);
      const joinUnknown = await joinAt(registry, 'mallory', `hoot.mx://no-such-conference@${MX1}.c1.hoot.mx`);
      expect([join.status, join.body['code']]).toEqual([404, 'conference.not-found']);
      expect(Object.keys(join.body).sort()).toEqual(Object.keys(joinUnknown.body).sort());
      expect([join.status, join.body['code'], join.headers.get('content-type')]).toEqual([
        joinUnknown.status,
        joinUnknown.body['code'],
        joinUnknown.headers.get('content-type'),
      ]);
      const list = await call(registry, 'GET', '/v1/conferences', 'mallory');
      expect([list.status, list.body['items']]).toEqual([200, []]);
    }
    // bob (allowed) sees it without the guest list, may not end it, and does not list it as his.
    const asBob = await call('reg-c2-1', 'GET', `/v1/conferences/${CID}`, 'bob');
    expect(asBob.status).toBe(200);
    expect(asBob.body).not.toHaveProperty('allowed');
    expect((await call('reg-c1-1', 'DELETE', `/v1/conferences/${CID}`, 'bob')).body['code']).toBe(
      'conference.not-owner',
    );
    expect((await call('reg-c1-1', 'GET', '/v1/conferences', 'bob')).body['items']).toEqual([]);
    const mine = await call('reg-c1-1', 'GET', '/v1/conferences', 'alice');
    expect(mine.body['items'].map((c: Json) => c.id)).toEqual([`${CID}`]);
    // No token at all: 401 on every route.
    for (const [method, path] of [
      ['GET', '/v1/conferences'],
      ['GET', `/v1/conferences/${CID}`],
      ['DELETE', `/v1/conferences/${CID}`],
      ['POST', '/v1/join'],
      ['POST', '/v1/conferences'],
    ]) {
      expect((await call('reg-c1-1', method, path, null, method === 'POST' ? {} : undefined)).status).toBe(
        401,
      );
    }
  });

  it('bad input gets a 4xx problem+json with a stable code and persists nothing', async () => {
    const cases = badInputCases(CID, MX1);
    for (const [method, path, body, raw, status, code] of cases) {
      const res = await call('reg-c1-1', method, path, 'alice', body, raw);
      expect([path, res.status, res.body['code']]).toEqual([path, status, code]);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    const address = await joinAt('reg-c1-1', 'bob', `hoot.mx://${CID}@-${MX1}.c1.hoot.mx`);
    expect(address.body).toMatchObject({ code: 'conference.address-invalid', part: 'mixerAddress' });
    const mine = await call('reg-c1-1', 'GET', '/v1/conferences', 'alice');
    expect(mine.body['items'].map((c: Json) => c.id)).toEqual([`${CID}`]);
  });

  it('forwards sign-in to the auth service: POST /v1/auth/token', async () => {
    const ok = await call('reg-c2-1', 'POST', '/v1/auth/token', null, {
      grant_type: 'api_key',
      api_key: platform.cluster.keyOf('cash'),
    });
    expect(ok.status).toBe(200);
    expect(typeof ok.body['access_token']).toBe('string');
    const bad = await call('reg-c2-1', 'POST', '/v1/auth/token', null, {
      grant_type: 'password',
      username: 'alice',
      password: 'wrong-password',
    });
    expect(bad.status).toBe(401);
    expect(typeof bad.body['code']).toBe('string');
  });

  it('a room closed by a drain leaves the conference idle in both clouds; the next join opens a room again', async () => {
    const id = `${CID}-idle`;
    const address = `hoot.mx://${id}@${MX2}.c2.hoot.mx`;
    const created = await call('reg-c2-1', 'POST', '/v1/conferences', 'alice', {
      id,
      type: 'm2m',
      allowed: ['bob'],
    });
    expect(created.body).toMatchObject({ address, status: 'reserved' });
    const cash = platform.cash.get(`${MX2}`)!;
    // The operators' account drains and undrains through the CASH (it may not advertise at a registry).
    const serviceToken = await platform.cluster.authService().serviceToken('ops');
    const operate = (action: 'drain' | 'undrain') =>
      fetch(`${cash.url}/internal/v1/coremx/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
        body: '{}',
      });
    const stateAt = async (registry: string) =>
      (await call(registry, 'GET', '/v1/coremx', 'alice')).body['coremx'].find(
        (c: Json) => c['coremxId'] === `${MX2}`,
      )?.['state'];
    const createdAt: Record<string, string> = {};
    expect((await operate('drain')).status).toBe(202);
    try {
      // The drain ends the empty room (reason system): idle, not ended, at both registries.
      for (const registry of ['reg-c1-1', 'reg-c2-1']) {
        await eventually(async () => {
          const read = await call(registry, 'GET', `/v1/conferences/${id}`, 'alice');
          expect(read.body).toMatchObject({ status: 'idle', participants: 0, endedAt: null });
          createdAt[registry] = read.body['createdAt'];
        });
      }
    } finally {
      expect((await operate('undrain')).status).toBe(200);
    }
    for (const registry of ['reg-c1-1', 'reg-c2-1'])
      await eventually(async () => expect(await stateAt(registry)).toBe('active'));

    // bob's join through cloud 1 reopens it on its CoreMX, and the CASH has the room again.
    const join = await joinAt('reg-c1-1', 'bob', address);
    expect(join.status).toBe(200);
    expect(join.body).toMatchObject({ coremxId: `${MX2}`, address });
    const { answer, socket } = await joinWithTicket(join.body['signalingUrl'], join.body['ticket']);
    socket.close();
    expect(answer).toMatchObject({ type: 'joined' });
    await eventually(() => {
      const life = events
        .filter((e) => e.conferenceId === id && ['room.reserved', 'room.ended'].includes(e.type))
        .map((e) => (e.type === 'room.ended' ? `ended:${(e.data as Json)['reason']}` : e.type));
      expect(life).toEqual(['room.reserved', 'ended:system', 'room.reserved']);
    });
    for (const registry of ['reg-c1-1', 'reg-c2-1']) {
      await eventually(async () => {
        const read = await call(registry, 'GET', `/v1/conferences/${id}`, 'alice');
        expect(['reserved', 'active']).toContain(read.body['status']);
        // The same conference, not a new one.
        expect(read.body['createdAt']).toBe(createdAt[registry]);
      });
    }
  });

  it('a drain closes a room with its owner and a promoted speaker: the next join reopens it with both roles back', async () => {
    const id = `${CID}-drained`;
    const address = `hoot.mx://${id}@${MX2}.c2.hoot.mx`;
    const created = await call('reg-c2-1', 'POST', '/v1/conferences', 'alice', {
      id,
      type: 'm2m',
      allowed: ['bob'],
    });
    expect(created.body).toMatchObject({ address, status: 'reserved' });
    // alice (owner) and bob are in the room; alice makes bob a speaker.
    const inRoom: Record<string, Awaited<ReturnType<typeof joinWithTicket>>> = {};
    for (const who of ['alice', 'bob']) {
      const j = await eventually(async () => {
        const answer = await joinAt('reg-c2-1', who, address);
        expect(answer.status).toBe(200);
        return answer.body;
      });
      inRoom[who] = await joinWithTicket(j['signalingUrl'], j['ticket']);
      expect(inRoom[who].answer).toMatchObject({ type: 'joined' });
    }
    const bobBefore = inRoom['bob'].answer['participantId'] as string;
    inRoom['bob'].socket.send(JSON.stringify({ type: 'raise-hand', id: '2' }));
    await eventually(() =>
      expect(events.some((e) => e.type === 'hand.raised' && e.conferenceId === id)).toBe(true),
    );
    inRoom['alice'].socket.send(JSON.stringify({ type: 'approve', id: '2', target: bobBefore }));
    await eventually(() =>
      expect(
        events.some(
          (e) =>
            e.type === 'participant.role-changed' &&
            e.conferenceId === id &&
            (e.data as Json)['participantId'] === bobBefore,
        ),
      ).toBe(true),
    );

    // The platform drains the CoreMX with a deadline of 0: the room ends (reason system) with both in it.
    const cash = platform.cash.get(`${MX2}`)!;
    const serviceToken = await platform.cluster.authService().serviceToken('ops');
    const operate = (action: 'drain' | 'undrain', body: object = {}) =>
      fetch(`${cash.url}/internal/v1/coremx/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await operate('drain', { deadlineMs: 0 })).status).toBe(202);
    try {
      await eventually(() => {
        const end = events.find((e) => e.type === 'room.ended' && e.conferenceId === id);
        expect(end?.data).toMatchObject({ by: null, reason: 'system' });
        expect(((end?.data as Json)['participantIds'] as string[]).sort()).toEqual(
          [inRoom['alice'].answer['participantId'], bobBefore].sort(),
        );
      });
      for (const registry of ['reg-c1-1', 'reg-c2-1']) {
        await eventually(async () => {
          const read = await call(registry, 'GET', `/v1/conferences/${id}`, 'alice');
          expect(read.body).toMatchObject({ status: 'idle', participants: 0, endedAt: null });
        });
      }
    } finally {
      for (const who of ['alice', 'bob']) inRoom[who].socket.close();
      expect((await operate('undrain')).status).toBe(200);
    }
    for (const registry of ['reg-c1-1', 'reg-c2-1']) {
      await eventually(async () => {
        const { body } = await call(registry, 'GET', '/v1/coremx', 'alice');
        expect(body['coremx'].find((c: Json) => c['coremxId'] === `${MX2}`)?.['state']).toBe('active');
      });
    }

    // bob comes back first, through the other cloud: his join reopens the room on the same CoreMX, and he
    // is a speaker again without raising his hand (his ticket says viewer, as every non-owner's does).
    const bobJoin = await joinAt('reg-c1-1', 'bob', address);
    expect(bobJoin.status).toBe(200);
    expect(bobJoin.body).toMatchObject({ coremxId: `${MX2}`, address, role: 'viewer' });
    const bobBack = await joinWithTicket(bobJoin.body['signalingUrl'], bobJoin.body['ticket']);
    const aliceJoin = await joinAt('reg-c2-1', 'alice', address);
    expect(aliceJoin.body).toMatchObject({ coremxId: `${MX2}`, address });
    const aliceBack = await joinWithTicket(aliceJoin.body['signalingUrl'], aliceJoin.body['ticket']);
    try {
      expect(bobBack.answer).toMatchObject({ type: 'joined' });
      const bobId = bobBack.answer['participantId'] as string;
      expect((bobBack.answer['room'] as Json)['participants'][bobId]).toMatchObject({
        identity: ids['bob'],
        role: 'publisher',
      });
      // alice, the oldest publisher of the closed room, is its owner again; bob is still a speaker.
      expect(aliceBack.answer).toMatchObject({ type: 'joined' });
      const room = aliceBack.answer['room'] as Json;
      const aliceId = aliceBack.answer['participantId'] as string;
      expect(room['ownerId']).toBe(aliceId);
      expect(room['participants'][aliceId]).toMatchObject({ identity: ids['alice'], role: 'publisher' });
      expect(room['participants'][bobId]).toMatchObject({ identity: ids['bob'], role: 'publisher' });
    } finally {
      bobBack.socket.close();
      aliceBack.socket.close();
    }
    // Reopened where it was (a StatefulSet pod keeps its CoreMX id): no move, the same conference.
    await eventually(() => {
      const life = events
        .filter(
          (e) =>
            e.conferenceId === id && ['room.reserved', 'room.ended', 'conference.moved'].includes(e.type),
        )
        .map((e) => (e.type === 'room.ended' ? `ended:${(e.data as Json)['reason']}` : e.type));
      expect(life).toEqual(['room.reserved', 'ended:system', 'room.reserved']);
    });
  });

  it('kill -9 of a CASH: its conferences are re-homed once and the old address joins on the new CoreMX', async () => {
    // alice (owner) and bob are in the room on MX1 when it dies; alice made bob a speaker.
    const address1 = `hoot.mx://${CID}@${MX1}.c1.hoot.mx`;
    const joinedAt1: Record<
      string,
      { answer: Json; socket: Awaited<ReturnType<typeof joinWithTicket>>['socket'] }
    > = {};
    for (const who of ['alice', 'bob']) {
      const j = await joinAt('reg-c1-1', who, address1);
      expect(j.body).toMatchObject({ coremxId: `${MX1}` });
      joinedAt1[who] = await joinWithTicket(j.body['signalingUrl'], j.body['ticket']);
      expect(joinedAt1[who].answer).toMatchObject({ type: 'joined' });
    }
    const bobId = joinedAt1['bob'].answer['participantId'] as string;
    joinedAt1['bob'].socket.send(JSON.stringify({ type: 'raise-hand', id: '2' }));
    await eventually(() =>
      expect(events.some((e) => e.type === 'hand.raised' && e.conferenceId === CID)).toBe(true),
    );
    joinedAt1['alice'].socket.send(JSON.stringify({ type: 'approve', id: '2', target: bobId }));
    await eventually(() =>
      expect(
        events.some(
          (e) =>
            e.type === 'participant.role-changed' &&
            e.conferenceId === CID &&
            (e.data as Json)['participantId'] === bobId,
        ),
      ).toBe(true),
    );
    await eventually(async () =>
      expect((await call('reg-c1-1', 'GET', `/v1/conferences/${CID}`, 'alice')).body).toMatchObject({
        participants: 2,
      }),
    );
    // The primary's directory (its MongoDB record) has applied bob's role change before the CoreMX dies.
    const directory = await connectMongo(platform.cluster.registries.get('reg-c1-1')!.mongoUri);
    try {
      const store = new MongoConferenceStore(directory, 'reg-c1-1');
      await eventually(async () =>
        expect((await store.get(CID))?.roster).toEqual(
          expect.arrayContaining([expect.objectContaining({ participantId: bobId, role: 'publisher' })]),
        ),
      );
    } finally {
      await directory.close();
    }
    await platform.killCash(`${MX1}`);
    for (const who of ['alice', 'bob']) joinedAt1[who].socket.terminate();
    for (const registry of ['reg-c1-1', 'reg-c2-1']) {
      await eventually(
        async () => {
          const read = await call(registry, 'GET', `/v1/conferences/${CID}`, 'alice');
          expect(read.body).toMatchObject({
            coremxId: `${MX2}`,
            address: `hoot.mx://${CID}@${MX2}.c2.hoot.mx`,
            previousAddresses: [`hoot.mx://${CID}@${MX1}.c1.hoot.mx`],
          });
        },
        { timeoutMs: 60_000 },
      );
    }
    const join = await joinAt('reg-c2-1', 'bob', `hoot.mx://${CID}@${MX1}.c1.hoot.mx`);
    expect(join.status).toBe(200);
    expect(join.body).toMatchObject({
      coremxId: `${MX2}`,
      address: `hoot.mx://${CID}@${MX2}.c2.hoot.mx`,
      signalingUrl: platform.cash.get(`${MX2}`)!.signalingUrl,
    });
    const { answer, socket } = await joinWithTicket(join.body['signalingUrl'], join.body['ticket']);
    socket.close();
    expect(answer).toMatchObject({ type: 'joined' });
    // The registry sent the roster with the move: bob, back within the grace, is a speaker again.
    const back = (answer['room'] as Json)['participants'][answer['participantId'] as string];
    expect(back).toMatchObject({ identity: ids['bob'], role: 'publisher' });
    // Exactly one move, by one replica of the primary of cloud 1, announced by the new CASH.
    await eventually(() => {
      const moves = events.filter((e) => e.type === 'conference.moved' && e.conferenceId === `${CID}`);
      expect(
        moves.map((e) => [e.coremxId, (e.data as Json)['fromCoremxId'], (e.data as Json)['reason']]),
      ).toEqual([[`${MX2}`, `${MX1}`, 'coremx-down']]);
    });
  });

  it('the owner ends it: 204, the room ends on its CASH, and joins answer 410 in both clouds', async () => {
    const end = await call('reg-c1-1', 'DELETE', `/v1/conferences/${CID}`, 'alice');
    expect(end.status).toBe(204);
    await eventually(() => {
      const ended = events.filter((e) => e.type === 'room.ended' && e.conferenceId === `${CID}`);
      expect(ended.map((e) => [e.coremxId, (e.data as Json)['by'], (e.data as Json)['reason']])).toEqual([
        [`${MX2}`, ids['alice'], 'ended'],
      ]);
    });
    for (const registry of ['reg-c1-1', 'reg-c2-1']) {
      await eventually(async () => {
        const join = await joinAt(registry, 'bob', `hoot.mx://${CID}@${MX2}.c2.hoot.mx`);
        expect([join.status, join.body['code']]).toEqual([410, 'conference.ended']);
      });
    }
  });
});
