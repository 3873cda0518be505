import { RegistryClient } from '@hoot/sdk';
import { eventually, integrationInfra, mongoUriFor, RegistryCluster } from '@hoot/testing';

/**
 * Four registry nodes in two clouds as real processes on loopback, with the real auth service and the
 * real MongoDB-protocol server: membership, spread, primary failover, client failover and fail-back,
 * warm restart from MongoDB, and a partition that heals.
 */
const IDS = ['reg-c1-1', 'reg-c1-2', 'reg-c2-1', 'reg-c2-2'];
/** The CoreMX reported here; each has its own CASH service account (`cash-<id>`). */
const COREMX = ['coremx-a', 'coremx-b', 'coremx-r', 'coremx-z'];
const prefix = `regit${Date.now().toString(36)}`;

describe('registry nodes (real processes, real MongoDB protocol)', () => {
  const cluster = new RegistryCluster(
    {
      mongoUri: (db) => mongoUriFor(db),
      kafkaBrokers: integrationInfra().kafkaBrokers,
      prefix,
    },
    [
      ...IDS.map((registryId, i) => ({ registryId, latitude: i < 2 ? 50 : 40, longitude: i < 2 ? 8 : -74 })),
      // A second replica of reg-c2-1: same identity, same database.
      { registryId: 'reg-c2-1', replica: 'reg-c2-1-b', latitude: 40, longitude: -74 },
    ],
    undefined,
    COREMX,
  );
  let user = '';
  let cash = '';
  let seq = 0;

  const get = async (registryId: string, path: string) => {
    const res = await fetch(`${cluster.urlOf(registryId)}${path}`, {
      headers: { authorization: `Bearer ${user}` },
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk the JSON freely
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  /** A CoreMX report, by default with the token of that CoreMX's own CASH (`as` another service account). */
  const report = async (
    registryId: string,
    coremxId: string,
    body: Record<string, unknown> = {},
    as?: string,
  ) =>
    fetch(`${cluster.urlOf(registryId)}/internal/v1/coremx/${coremxId}`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${
          as
            ? await cluster.serviceToken(as)
            : await cluster.cashToken(COREMX.includes(coremxId) ? coremxId : COREMX[0])
        }`,
      },
      body: JSON.stringify({
        address: `${coremxId}.c1.hoot.mx`,
        signalingUrl: `ws://127.0.0.1:1/${coremxId}/signal`,
        state: 'active',
        load: 0.25,
        rooms: 1,
        participants: 2,
        capacity: 100,
        incarnation: 1,
        seq: ++seq,
        ...body,
      }),
    });
  const coremxAt = async (registryId: string, coremxId: string) =>
    ((await get(registryId, '/v1/coremx')).body['coremx'] as Array<Record<string, unknown>>).find(
      (c) => c['coremxId'] === coremxId,
    );

  beforeAll(async () => {
    await cluster.start();
    user = await cluster.userToken('operator');
    cash = await cluster.cashToken('coremx-a');
  }, 300_000);

  afterAll(async () => {
    await cluster.stop();
  });

  it('spreads a CoreMX registered at one registry to every registry', async () => {
    const res = await report('reg-c1-1', 'coremx-a');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ accepted: true, registryId: 'reg-c1-1' });
    for (const id of IDS) {
      await eventually(
        async () =>
          expect(await coremxAt(id, 'coremx-a')).toMatchObject({
            state: 'active',
            load: 0.25,
            registryId: 'reg-c1-1',
          }),
        {
          description: `${id} lists coremx-a`,
          timeoutMs: 20_000,
        },
      );
    }
    const registries = await get('reg-c2-2', '/v1/registries');
    expect(registries.body['primaries']).toEqual({ c1: 'reg-c1-1', c2: 'reg-c2-1' });
  });

  it('keeps two replicas of one registry node identical through their shared store', async () => {
    expect((await report('reg-c2-1-b', 'coremx-r', { load: 0.75 })).status).toBe(200);
    await eventually(
      async () =>
        expect(await coremxAt('reg-c2-1', 'coremx-r')).toMatchObject({ load: 0.75, registryId: 'reg-c2-1' }),
      {
        description: 'the sibling replica lists coremx-r',
        timeoutMs: 20_000,
      },
    );
    await eventually(
      async () => {
        const [a, b] = await Promise.all(
          ['reg-c2-1', 'reg-c2-1-b'].map(
            async (id) => (await get(id, '/v1/gcas')).body['gcas']['reg-c2-1']['coremx'],
          ),
        );
        expect(a).toEqual(b);
      },
      { description: 'both replicas hold the same entries of reg-c2-1', timeoutMs: 20_000 },
    );
  });

  it('refuses bad input and callers without the right credentials, changing nothing', async () => {
    expect((await report('reg-c1-1', 'Bad_Id')).status).toBe(400);
    expect((await report('reg-c1-1', 'coremx-b', { load: 7 })).status).toBe(400);
    expect((await report('reg-c1-1', 'coremx-b', { extra: true })).status).toBe(400);
    const asUser = await fetch(`${cluster.urlOf('reg-c1-1')}/internal/v1/coremx/coremx-b`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user}` },
      body: '{}',
    });
    expect(asUser.status).toBe(401);
    // CoreMX binding: coremx-a's CASH cannot advertise coremx-b, nor can the operators, a registry or the
    // former shared cash account (403 coremx.not-bound); nothing of coremx-b appears.
    for (const as of ['cash-coremx-a', 'ops', 'reg-c2-1', 'cash']) {
      const res = await report('reg-c1-1', 'coremx-b', {}, as);
      expect([as, res.status, ((await res.json()) as Record<string, unknown>)['code']]).toEqual([
        as,
        403,
        'coremx.not-bound',
      ]);
    }
    // The CoreMX list for operators' tools: service credentials only.
    const listAsUser = await fetch(`${cluster.urlOf('reg-c1-1')}/internal/v1/coremx`, {
      headers: { authorization: `Bearer ${user}` },
    });
    expect(listAsUser.status).toBe(401);
    const listAsService = await fetch(`${cluster.urlOf('reg-c1-1')}/internal/v1/coremx`, {
      headers: { authorization: `Bearer ${cash}` },
    });
    expect(listAsService.status).toBe(200);
    expect(((await listAsService.json()) as Record<string, unknown>)['registryId']).toBe('reg-c1-1');
    // A CASH's service token cannot speak for a registry in the exchange.
    const forged = await fetch(`${cluster.urlOf('reg-c1-1')}/internal/v1/gossip`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${cash}` },
      body: JSON.stringify({ type: 'digest', from: 'reg-c2-1', digest: {} }),
    });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as Record<string, unknown>)['code']).toBe('gossip.not-a-registry');
    const garbage = await fetch(`${cluster.urlOf('reg-c1-1')}/internal/v1/gossip`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await cluster.serviceToken('reg-c2-1')}`,
      },
      body: JSON.stringify({ type: 'delta', from: 'reg-c2-1', gcas: { 'reg-c2-1': { meta: {} } } }),
    });
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as Record<string, unknown>)['code']).toBe('gossip.message-invalid');
    expect(await coremxAt('reg-c1-1', 'coremx-b')).toBeUndefined();
    expect((await get('reg-c1-1', '/v1/roulette?lat=91&lon=0')).status).toBe(400);
  });

  it('orders registries for a client by distance, then priority (iroulette)', async () => {
    const res = await fetch(`${cluster.urlOf('reg-c1-2')}/v1/roulette?lat=41&lon=-73`);
    const body = (await res.json()) as { registries: Array<{ registryId: string; distanceKm: number }> };
    expect(body.registries.map((r) => r.registryId)).toEqual([
      'reg-c2-1',
      'reg-c2-2',
      'reg-c1-1',
      'reg-c1-2',
    ]);
    const byRegion = (await (await fetch(`${cluster.urlOf('reg-c1-2')}/v1/roulette?region=c1`)).json()) as {
      registries: Array<{ registryId: string }>;
    };
    expect(byRegion.registries.map((r) => r.registryId)).toEqual([
      'reg-c1-1',
      'reg-c1-2',
      'reg-c2-1',
      'reg-c2-2',
    ]);
  });

  it('after kill -9 of a cloud primary, the next one becomes primary, the others mark it dead, and a client fails over then back', async () => {
    const client = new RegistryClient({
      registries: IDS.map((registryId) => ({ registryId, url: cluster.urlOf(registryId) })),
      ownCloud: 'c1',
      timeoutMs: 1_000,
      probeIntervalMs: 300,
      backoff: { initialMs: 200, maxMs: 1_000, factor: 2 },
    });
    expect((await client.request('GET', '/health/ready')).status).toBe(200);
    expect(client.current()).toBe('reg-c1-1');

    await cluster.killHard('reg-c1-1');
    for (const id of ['reg-c1-2', 'reg-c2-1', 'reg-c2-2']) {
      await eventually(
        async () => {
          const body = (await get(id, '/v1/registries')).body;
          expect(body['primaries']['c1']).toBe('reg-c1-2');
          expect(
            body['registries'].find((r: { registryId: string }) => r.registryId === 'reg-c1-1').liveness,
          ).toBe('dead');
        },
        { description: `${id} sees reg-c1-1 dead and reg-c1-2 primary`, timeoutMs: 20_000 },
      );
    }
    expect((await client.request('GET', '/health/ready')).status).toBe(200);
    expect(client.current()).toBe('reg-c1-2');

    await cluster.startRegistry('reg-c1-1');
    // Warm restart: the map came back from MongoDB (coremx-a was reported only to reg-c1-1 itself).
    const metrics = await (await fetch(`${cluster.urlOf('reg-c1-1')}/metrics`)).text();
    expect(Number(/hoot_registry_gcas_restored_entries (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
    expect(await coremxAt('reg-c1-1', 'coremx-a')).toMatchObject({ registryId: 'reg-c1-1' });
    await eventually(
      async () => {
        await client.request('GET', '/health/ready');
        expect(client.current()).toBe('reg-c1-1');
      },
      { description: 'the client fails back to reg-c1-1', timeoutMs: 20_000 },
    );
    for (const id of IDS) {
      await eventually(
        async () => expect((await get(id, '/v1/registries')).body['primaries']['c1']).toBe('reg-c1-1'),
        {
          description: `${id} sees reg-c1-1 primary again`,
          timeoutMs: 20_000,
        },
      );
    }
  });

  it('heals a partitioned registry: it misses changes while cut off and converges once back', async () => {
    const stopped = cluster.process('reg-c2-2');
    stopped.kill('SIGSTOP');
    try {
      await eventually(
        async () =>
          expect(
            (await get('reg-c2-1', '/v1/registries')).body['registries'].find(
              (r: { registryId: string }) => r.registryId === 'reg-c2-2',
            ).liveness,
          ).toBe('dead'),
        { description: 'reg-c2-1 sees the cut-off reg-c2-2 dead', timeoutMs: 20_000 },
      );
      expect((await report('reg-c2-1', 'coremx-z', { load: 0.5 })).status).toBe(200);
    } finally {
      stopped.kill('SIGCONT');
    }
    await eventually(
      async () => expect(await coremxAt('reg-c2-2', 'coremx-z')).toMatchObject({ load: 0.5 }),
      {
        description: 'reg-c2-2 learns coremx-z after the partition',
        timeoutMs: 20_000,
      },
    );
    await eventually(
      async () => {
        const views = await Promise.all(
          IDS.map(async (id) =>
            JSON.stringify(
              (await get(id, '/v1/coremx')).body['coremx'].map((c: Record<string, unknown>) => [
                c['coremxId'],
                c['version'],
                c['state'],
              ]),
            ),
          ),
        );
        expect(new Set(views).size).toBe(1);
      },
      { description: 'all registries hold the same CoreMX versions', timeoutMs: 20_000 },
    );
  });
});
