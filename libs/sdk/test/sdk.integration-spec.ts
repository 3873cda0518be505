import { randomBytes } from 'node:crypto';
// The spec starts the real platform as processes (Node only) with the test starters of other libs; the
// SDK's own code stays browser-pure (the boundary holds for src/).
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only: kms-lite starter
import { startKmsLite, type KmsLiteProcess } from '@hoot/media/testing';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only: process starters and eventually
import {
  REGISTRY_FAST_TUNABLES,
  eventually,
  freePort,
  integrationInfra,
  mongoUriFor,
  startAuthService,
  startCashProcess,
  startRegistryProcess,
  type RunningAuthService,
  type RunningCash,
  type RunningRegistry,
} from '@hoot/testing';
import WebSocket from 'ws';
import { HootApiError, HootClient, type RoomSession, type RoomSessionEvents } from '../src';

/**
 * The SDK against the real platform (processes on loopback): auth, registry nodes reg-c1-1 and reg-c2-1
 * (fast gossip, re-homing every 300 ms), and per cloud a kms-lite (fake engine) and a CASH. Signaling only,
 * no media: create, join across clouds, raise hand → approve, kick, and reconnection after kill -9 of the
 * CASH that holds a room.
 */
const prefix = `sdkit${Date.now().toString(36)}`;
const ISSUER = 'https://auth.sdk-integration.test';
const REGISTRIES = [
  { registryId: 'reg-c1-1', latitude: 50, longitude: 8 },
  { registryId: 'reg-c2-1', latitude: 40, longitude: -74 },
];

/** Resolves with the next `name` event of a session that satisfies `accept` (rejects after `timeoutMs`). */
function nextEvent<K extends keyof RoomSessionEvents>(
  session: RoomSession,
  name: K,
  accept: (payload: RoomSessionEvents[K]) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<RoomSessionEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${String(name)} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = session.on(name, (payload) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** Every event name a session emitted, in order. */
function recordNames(session: RoomSession): string[] {
  const seen: string[] = [];
  for (const name of [
    'reconnecting',
    'reconnected',
    'kicked',
    'ended',
    'closed',
    'error',
    'role-changed',
  ] as const) {
    session.on(name, () => seen.push(name));
  }
  return seen;
}

describe('@hoot/sdk against the real platform', () => {
  const infra = integrationInfra();
  let auth: RunningAuthService;
  const registries = new Map<string, RunningRegistry>();
  const kms: KmsLiteProcess[] = [];
  const cash = new Map<string, RunningCash>();
  const sessions: RoomSession[] = [];
  const tokens: Record<string, string> = {};

  const urlOf = (registryId: string) => registries.get(registryId)!.url;
  const clientAt = (registryIds: string[], who?: string) =>
    new HootClient({
      registryUrls: registryIds.map((id) => ({ registryId: id, url: urlOf(id) })),
      WebSocket,
      ...(who ? { token: tokens[who] } : {}),
    });
  const track = (session: RoomSession) => {
    sessions.push(session);
    return session;
  };

  beforeAll(async () => {
    auth = await startAuthService({
      mongoUri: mongoUriFor(`${prefix}_auth`),
      kafkaBrokers: infra.kafkaBrokers,
      revocationsTopic: `${prefix}.auth.revocations`,
      issuer: ISSUER,
      serviceAccounts: ['cash', ...REGISTRIES.map((r) => r.registryId)],
    });
    await auth.createUser('alice');
    const ports = await Promise.all(REGISTRIES.map(() => freePort()));
    const peers = ports.map((port) => `http://127.0.0.1:${port}`);
    const webhookSigningKey = randomBytes(32).toString('hex');
    await Promise.all(
      REGISTRIES.map(async (spec, i) => {
        const registry = await startRegistryProcess({
          ...spec,
          port: ports[i],
          peers,
          authUrl: auth.url,
          issuer: ISSUER,
          apiKey: auth.keyOf(spec.registryId),
          mongoUri: mongoUriFor(`${prefix}_${spec.registryId.replace(/-/g, '_')}`),
          kafkaBrokers: infra.kafkaBrokers,
          webhookSigningKey,
          env: { ...REGISTRY_FAST_TUNABLES, REHOME_INTERVAL_MS: '300' },
        });
        registries.set(spec.registryId, registry);
      }),
    );
    for (const [coremxId, cloud] of [
      ['coremx-1', 'c1'],
      ['coremx-2', 'c2'],
    ]) {
      const media = await startKmsLite({ engine: 'fake' });
      kms.push(media);
      const own = cloud === 'c1' ? ['reg-c1-1', 'reg-c2-1'] : ['reg-c2-1', 'reg-c1-1'];
      cash.set(
        coremxId,
        await startCashProcess({
          coremxId,
          mixerAddress: `${coremxId}.${cloud}.hoot.mx`,
          kmsUrl: media.url,
          kafkaBrokers: infra.kafkaBrokers,
          authUrl: auth.url,
          issuer: ISSUER,
          revocationsTopic: auth.revocationsTopic,
          apiKey: auth.keyOf('cash'),
          registryUrls: own.map(urlOf),
        }),
      );
    }
    for (const user of ['bob', 'carol']) tokens[user] = await auth.userToken(user);
    const alice = clientAt(['reg-c1-1']);
    tokens['alice'] = (await alice.signIn('alice', auth.userPassword)).accessToken;
    // Both CoreMX are alive in both clouds before anything is placed.
    for (const registryId of ['reg-c1-1', 'reg-c2-1']) {
      const client = clientAt([registryId], 'alice');
      await eventually(
        async () => {
          const { coremx } = await client.coremx();
          const seen = coremx.map((c) => `${c.coremxId}:${c.liveness}`).sort();
          if (seen.join() !== 'coremx-1:alive,coremx-2:alive') throw new Error(`${registryId} sees ${seen}`);
        },
        { timeoutMs: 30_000 },
      );
    }
  });

  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.leave().catch(() => undefined)));
    await Promise.all([...cash.values()].map((c) => c.stop()));
    await Promise.all(kms.map((k) => k.stop()));
    await Promise.all([...registries.values()].map((r) => r.stop()));
    await auth?.stop();
  });

  it('signs in through the registry, and a wrong password is a typed 4xx with the auth code', async () => {
    const client = clientAt(['reg-c1-1', 'reg-c2-1']);
    const error = await client.signIn('alice', 'not-her-password').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HootApiError);
    expect((error as HootApiError).status).toBeGreaterThanOrEqual(400);
    expect((error as HootApiError).status).toBeLessThan(500);
    expect((error as HootApiError).code).toMatch(/^auth\./);
    expect(client.token).toBeUndefined();
    const { accessToken, expiresIn } = await client.signIn('alice', auth.userPassword);
    expect(client.token).toBe(accessToken);
    expect(expiresIn).toBeGreaterThan(0);
    await expect(client.listConferences()).resolves.toMatchObject({ next: null });
  });

  it('create, join across clouds, raise hand → approve, kick: both room objects agree', async () => {
    const alice = clientAt(['reg-c1-1'], 'alice');
    const { conference, created } = await alice.createConference({
      id: 'sdk-standup',
      type: 'm2m',
      allowed: ['bob', 'carol'],
    });
    expect(created).toBe(true);
    expect(conference).toMatchObject({ id: 'sdk-standup', coremxId: 'coremx-1', status: 'reserved' });
    const address = conference.address;
    expect(address).toBe('hoot.mx://sdk-standup@coremx-1.c1.hoot.mx');
    await expect(
      alice.createConference({ id: 'sdk-standup', type: 'm2m', allowed: ['bob', 'carol'] }),
    ).resolves.toMatchObject({ created: false });

    // bob joins through the other cloud's registry (it learns the conference from the CoreMX topic).
    const bob = clientAt(['reg-c2-1'], 'bob');
    const bobRoom = track(await eventually(() => bob.joinRoom(address), { timeoutMs: 30_000 }));
    const bobEvents = recordNames(bobRoom);
    // Names come from the account (CASH ignores a client's displayName): the helper's accounts are named
    // after their usernames.
    expect(bobRoom.me).toMatchObject({ displayName: 'bob', role: 'viewer' });
    expect(bobRoom.coremxId).toBe('coremx-1');

    const aliceRoom = track(await alice.joinRoom(address));
    expect(aliceRoom.me?.role).toBe('publisher');
    expect(aliceRoom.isOwner).toBe(true);
    expect(Object.keys(aliceRoom.room.participants).sort()).toEqual(
      [aliceRoom.participantId, bobRoom.participantId].sort(),
    );
    await eventually(() => expect(bobRoom.room.ownerId).toBe(aliceRoom.participantId));

    // bob raises his hand; alice is asked and approves; bob publishes in both views.
    const asked = nextEvent(aliceRoom, 'publish-request');
    const promoted = nextEvent(
      bobRoom,
      'role-changed',
      (c) => c.participant.participantId === bobRoom.participantId,
    );
    await bobRoom.raiseHand();
    await expect(asked).resolves.toMatchObject({
      participantId: bobRoom.participantId,
      participant: { displayName: 'bob', handRaised: true },
    });
    await aliceRoom.approve(bobRoom.participantId);
    await expect(promoted).resolves.toMatchObject({ from: 'viewer', to: 'publisher' });
    expect(bobRoom.me?.role).toBe('publisher');
    await eventually(() =>
      expect(aliceRoom.room.participants[bobRoom.participantId]?.role).toBe('publisher'),
    );
    expect(aliceRoom.room).toEqual(bobRoom.room);

    // A refused command reaches the caller with CASH's code and changes nothing.
    await expect(bobRoom.approve(aliceRoom.participantId)).rejects.toMatchObject({ name: 'SignalingError' });

    // alice kicks bob: he is told, his session closes and does not come back.
    const kicked = nextEvent(bobRoom, 'kicked');
    const left = nextEvent(aliceRoom, 'participant-left', (p) => p.participantId === bobRoom.participantId);
    await aliceRoom.kick(bobRoom.participantId);
    await expect(kicked).resolves.toEqual({ by: aliceRoom.participantId });
    await left;
    await eventually(() => expect(bobRoom.state).toBe('closed'));
    expect(bobRoom.closeReason).toBe('kicked');
    expect(bobEvents).toEqual(['role-changed', 'kicked', 'closed']);
    await expect(bobRoom.raiseHand()).rejects.toMatchObject({ code: 'sdk.room-not-connected' });
    await aliceRoom.leave();
    expect(aliceRoom.state).toBe('closed');
  });

  it('a drain past its deadline closes the room under the session: it joins again and the registry reopens the conference on the other CoreMX', async () => {
    const alice = clientAt(['reg-c2-1'], 'alice');
    const { conference } = await alice.createConference({ id: 'sdk-drain', type: 'm2m', allowed: ['carol'] });
    expect(conference.coremxId).toBe('coremx-2');
    // Through the registry that created it (reg-c1-1 learns it from coremx-2's topic a moment later).
    const carol = clientAt(['reg-c2-1'], 'carol');
    const room = track(await carol.joinRoom(conference.address));
    const events = recordNames(room);
    expect(room.coremxId).toBe('coremx-2');

    const drained = cash.get('coremx-2')!;
    const serviceToken = await auth.serviceToken('cash');
    const operate = (action: 'drain' | 'undrain', body: object = {}) =>
      fetch(`${drained.url}/internal/v1/coremx/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const reconnecting = nextEvent(room, 'reconnecting');
    const reconnected = nextEvent(room, 'reconnected', () => true, 90_000);
    expect((await operate('drain', { deadlineMs: 500 })).status).toBe(202);
    try {
      await expect(reconnecting).resolves.toMatchObject({ reason: 'room-closed' });
      const back = await reconnected;
      expect(back).toMatchObject({
        coremxId: 'coremx-1',
        previousCoremxId: 'coremx-2',
        address: 'hoot.mx://sdk-drain@coremx-1.c1.hoot.mx',
      });
      expect(room).toMatchObject({ state: 'joined', coremxId: 'coremx-1' });
      expect(events).toEqual(['reconnecting', 'reconnected']);
      const read = await alice.getConference('sdk-drain');
      expect(read).toMatchObject({
        coremxId: 'coremx-1',
        previousAddresses: ['hoot.mx://sdk-drain@coremx-2.c2.hoot.mx'],
      });
    } finally {
      expect((await operate('undrain')).status).toBe(200);
    }
    // coremx-2 takes conferences again (the next spec re-homes onto it).
    for (const registryId of ['reg-c1-1', 'reg-c2-1']) {
      const client = clientAt([registryId], 'alice');
      await eventually(
        async () => {
          const { coremx } = await client.coremx();
          expect(coremx.find((c) => c.coremxId === 'coremx-2')?.state).toBe('active');
        },
        { timeoutMs: 30_000 },
      );
    }
  });

  it('kill -9 of the CASH holding a room: the session reconnects on the other CoreMX once it is re-homed', async () => {
    const alice = clientAt(['reg-c1-1'], 'alice');
    const { conference } = await alice.createConference({ id: 'sdk-crash', type: 'm2m', allowed: ['carol'] });
    expect(conference.coremxId).toBe('coremx-1');
    const carol = clientAt(['reg-c1-1', 'reg-c2-1'], 'carol');
    const room = track(await carol.joinRoom(conference.address));
    const events = recordNames(room);
    expect(room.coremxId).toBe('coremx-1');
    const firstId = room.participantId;

    const reconnecting = nextEvent(room, 'reconnecting');
    const reconnected = nextEvent(room, 'reconnected', () => true, 90_000);
    const victim = cash.get('coremx-1')!;
    victim.process.kill('SIGKILL');
    await victim.stop();
    cash.delete('coremx-1');

    await expect(reconnecting).resolves.toMatchObject({ reason: 'connection-lost' });
    const back = await reconnected;
    expect(back).toMatchObject({
      coremxId: 'coremx-2',
      previousCoremxId: 'coremx-1',
      address: 'hoot.mx://sdk-crash@coremx-2.c2.hoot.mx',
    });
    expect(room).toMatchObject({ state: 'joined', coremxId: 'coremx-2', address: back.address });
    expect(room.participantId).not.toBe(firstId);
    expect(room.me).toMatchObject({ displayName: 'carol' });
    expect(events).toEqual(['reconnecting', 'reconnected']);
    // The new room works: a chat message comes back as a patch.
    const chat = nextEvent(room, 'chat');
    await room.chat('still here');
    await expect(chat).resolves.toMatchObject({ text: 'still here', by: room.participantId });
    const read = await alice.getConference('sdk-crash');
    expect(read).toMatchObject({
      coremxId: 'coremx-2',
      previousAddresses: ['hoot.mx://sdk-crash@coremx-1.c1.hoot.mx'],
    });
  });
});
