/**
 * CASH as a real process against real infrastructure: the auth service and a registry node (processes),
 * kms-lite (fake engine: deterministic SDP, no sockets), Kafka and FerretDB from the integration setup.
 * Participants join with tickets signed by the auth service's own signing key, speak signaling over the
 * real WebSocket, and the CCES topic of the CoreMX is read back with `subscribeCces`.
 *
 * This file: the CoreMX registered at the registry, a conference re-homed to it, and revocations from auth
 * closing live sessions (the sessions, bad input and the drain: cash.integration-spec.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { RevocationPublisher, createKafka, type AuthRevocationEvent } from '@hoot/events';
import { eventually, integrationInfra, REGISTRY_ID, SignalingClient } from '@hoot/testing';
import { CashSpecSession } from './cash.integration.fixture';

jest.setTimeout(240_000);

const run = randomBytes(3).toString('hex');
const COREMX_ID = `coremx-it-${run}`;
const s = new CashSpecSession(COREMX_ID, run);
const { open, joinAs, api, eventsOf, typesOf } = s;

beforeAll(() => s.start(), 300_000);
afterAll(() => s.stop());

describe('CASH against real auth, registry, kms-lite, Kafka and FerretDB', () => {
  it('registers its CoreMX at the registry, which lists it as alive and active', async () => {
    const user = await s.stack.userToken(`viewer${run}`);
    await eventually(
      async () => {
        const res = await fetch(`${s.stack.registryUrl}/v1/coremx`, {
          headers: { authorization: `Bearer ${user}` },
        });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { coremx: Array<Record<string, unknown>> };
        expect(body.coremx.find((c) => c['coremxId'] === COREMX_ID)).toMatchObject({
          address: `${COREMX_ID}.c1.hoot.mx`,
          signalingUrl: s.cash.signalingUrl,
          state: 'active',
          liveness: 'alive',
          registryId: REGISTRY_ID,
        });
      },
      { timeoutMs: 30_000, description: 'the registry lists the CoreMX' },
    );
    const status = await api('GET', '/internal/v1/coremx/status');
    expect(status.status).toBe(200);
  });

  it('publishes room.reserved (v2) then conference.moved for a re-homed public conference, and ends it for its owner', async () => {
    const room = `rehomed-${run}`;
    const other = `coremx-gone-${run}`;
    const body = {
      id: room,
      type: 'm2m',
      owner: 'olga',
      public: true,
      allowed: ['pete', 'quinn'],
      maxParticipants: 40,
      movedFrom: { coremxId: other, reason: 'coremx-down' },
    };
    const reserved = await api('POST', '/internal/v1/rooms', body);
    expect(reserved.status).toBe(201);
    const address = `hoot.mx://${room}@${COREMX_ID}.c1.hoot.mx`;
    expect(reserved.body['address']).toBe(address);
    await eventually(() => expect(typesOf(room)).toEqual(['room.reserved', 'conference.moved']), {
      timeoutMs: 30_000,
      description: 'the CCES topic carries the reservation and the move',
    });
    expect(eventsOf(room).map((e) => [e.type, e.schemaVersion, e.seq, e.coremxId, e.data])).toEqual([
      [
        'room.reserved',
        2,
        1,
        COREMX_ID,
        {
          roomType: 'm2m',
          creator: 'olga',
          address,
          public: true,
          allowed: ['pete', 'quinn'],
          maxParticipants: 40,
        },
      ],
      [
        'conference.moved',
        1,
        2,
        COREMX_ID,
        { fromCoremxId: other, toCoremxId: COREMX_ID, toAddress: address, reason: 'coremx-down' },
      ],
    ]);

    // A repeat (the registry retrying) publishes nothing; a stranger joins the public room with an access token.
    expect((await api('POST', '/internal/v1/rooms', body)).status).toBe(200);
    const stranger = await open();
    const joined = await stranger.request({
      type: 'join',
      accessToken: await s.stack.userToken(`rosa${run}`),
      roomId: room,
    });
    expect(joined).toMatchObject({ type: 'joined', participantId: expect.any(String) });

    // The conference's owner ends it through the registry.
    expect((await api('DELETE', `/internal/v1/rooms/${room}?by=olga`)).status).toBe(204);
    await stranger.next('room-ended', (m) => m['reason'] === 'ended');
    await eventually(() => expect(typesOf(room).at(-1)).toBe('room.ended'));
    expect(eventsOf(room).map((e) => e.type)).toEqual([
      'room.reserved',
      'conference.moved',
      'room.started',
      'participant.joined',
      'room.ended',
    ]);
    expect(eventsOf(room).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(eventsOf(room).at(-1)?.data).toEqual({
      by: 'olga',
      reason: 'ended',
      participantIds: [joined['participantId']],
    });
    expect(s.anomalies).toEqual([]);
  });

  it('closes live sessions soon after a revocation reaches Kafka: a whole subject, or one ticket (figures printed)', async () => {
    const room = `revoke-${run}`;
    const kafka = createKafka({ clientId: `revoker-${run}`, brokers: integrationInfra().kafkaBrokers });
    const publisher = new RevocationPublisher(kafka, s.stack.revocationsTopic);
    await publisher.connect();
    const figures: Record<string, number> = {};
    try {
      const bystander = await joinAs(room, `olga-${run}`);
      /** Publishes `event` and answers the ms from the start of the publish to the socket's close. */
      const measure = async (client: SignalingClient, event: AuthRevocationEvent): Promise<number> => {
        const closed = new Promise<number>((resolve) =>
          client.ws.once('close', () => resolve(performance.now())),
        );
        const started = performance.now();
        await publisher.publish(event);
        const at = await closed;
        expect(client.closeCode).toBe(4001);
        expect(client.inbox.at(-1)).toMatchObject({ type: 'error', code: 'TICKET_REVOKED' });
        return Math.round(at - started);
      };
      const base = { schemaVersion: 1 as const, occurredAt: new Date().toISOString() };
      for (const n of [1, 2, 3]) {
        const sub = `mallory-${n}-${run}`;
        const victim = await joinAs(room, sub);
        figures[`subject-${n}`] = await measure(victim.client, {
          ...base,
          id: randomUUID(),
          type: 'subject.revoked',
          sub,
          beforeMs: Date.now() + 1,
        });
        const jti = randomUUID();
        const holder = await joinAs(room, `trent-${n}-${run}`, { jti });
        figures[`ticket-${n}`] = await measure(holder.client, {
          ...base,
          id: randomUUID(),
          type: 'token.revoked',
          sub: `trent-${n}-${run}`,
          jti,
          expiresAtMs: Date.now() + 300_000,
        });
      }
      // Everyone revoked left the room; the bystander is still in it.
      await eventually(() =>
        expect(eventsOf(room).filter((e) => e.type === 'participant.left')).toHaveLength(6),
      );
      process.stdout.write(`CASH revocation → socket closed (ms): ${JSON.stringify(figures)}\n`);
      expect(bystander.client.closeCode).toBeUndefined();
      expect(await bystander.client.request({ type: 'chat', text: 'still here' })).toMatchObject({
        type: 'ok',
      });
    } finally {
      await publisher.disconnect();
    }
  });
});
