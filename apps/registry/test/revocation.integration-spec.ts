import { eventually, integrationInfra, mongoUriFor, RegistryCluster } from '@hoot/testing';

/**
 * Revocation at the registry with real processes: auth publishes to its revocation topic, the registry's
 * verifier follows it. After `POST /v1/revocations` (one `jti`, then a whole subject: what auth also
 * publishes when an account is disabled) every route that takes a user token answers 401 problem+json.
 * The propagation time (revocation answered by auth → first 401 at the registry) is printed, not asserted.
 */
const prefix = `revit${Date.now().toString(36)}`;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk the JSON freely
type Json = Record<string, any>;

/** The account id (`sub`) and token id (`jti`) inside an access token. */
const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { sub: string; jti: string };

describe('revocation reaches the registry (real Kafka)', () => {
  const infra = integrationInfra();
  const cluster = new RegistryCluster(
    { mongoUri: (db) => mongoUriFor(db), kafkaBrokers: infra.kafkaBrokers, prefix },
    [{ registryId: 'reg-c1-1' }],
  );
  const figures: Record<string, number> = {};

  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${cluster.urlOf('reg-c1-1')}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      body: (text ? JSON.parse(text) : {}) as Json,
    };
  };

  /** Every registry route that takes a user token: list, create, get, end, webhooks, join. */
  const routes: [string, string, unknown?][] = [
    ['GET', '/v1/conferences'],
    ['POST', '/v1/conferences', { id: `rev-${prefix}`, type: 'm2m' }],
    ['GET', `/v1/conferences/rev-${prefix}`],
    ['DELETE', `/v1/conferences/rev-${prefix}`],
    ['GET', '/v1/webhook'],
    ['PUT', '/v1/webhook', { url: 'https://hooks.example.com/hoot' }],
    ['GET', '/v1/webhook/dead-letters'],
    ['POST', '/v1/join', { address: `hoot.mx://rev-${prefix}@coremx-1.c1.hoot.mx` }],
    ['GET', '/v1/coremx'],
  ];

  const expectRefusedEverywhere = async (token: string) => {
    for (const [method, path, body] of routes) {
      const answer = await call(token, method, path, body);
      expect({ route: `${method} ${path}`, status: answer.status, type: answer.type }).toEqual({
        route: `${method} ${path}`,
        status: 401,
        type: expect.stringContaining('application/problem+json'),
      });
      expect(answer.body['code']).toBe('token.revoked');
    }
  };

  /** Revokes through auth's API, then polls the registry until it refuses: the elapsed ms. */
  const revokeAndMeasure = async (service: string, request: Json, token: string): Promise<number> => {
    const serviceToken = await cluster.serviceToken(service);
    const started = performance.now();
    const res = await fetch(`${cluster.authUrl}/v1/revocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    expect(res.status).toBeLessThan(300);
    await eventually(
      async () => {
        expect((await call(token, 'GET', '/v1/conferences')).status).toBe(401);
      },
      { intervalMs: 10, timeoutMs: 30_000, description: 'registry refuses the revoked token' },
    );
    return Math.round(performance.now() - started);
  };

  beforeAll(async () => {
    await cluster.start();
  });

  afterAll(async () => {
    // The figure the README's Security section quotes (no threshold here: timing varies by machine).
    process.stdout.write(`registry revocation propagation (ms): ${JSON.stringify(figures)}\n`);
    await cluster.stop();
  });

  it('reports its revocation feed in /health/ready (up once caught up)', async () => {
    const res = await fetch(`${cluster.urlOf('reg-c1-1')}/health/ready`);
    const body = (await res.json()) as Json;
    expect(res.status).toBe(200);
    expect(JSON.stringify(body)).toMatch(/"revocations":\{"status":"up"/);
  });

  it('refuses a token on every user route once its jti is revoked', async () => {
    const token = await cluster.userToken('rev-alice');
    for (const [method, path, body] of routes) {
      expect({
        route: `${method} ${path}`,
        status: (await call(token, method, path, body)).status,
      }).not.toEqual({ route: `${method} ${path}`, status: 401 });
    }
    const other = await cluster.userToken('rev-alice');
    const { sub, jti } = claimsOf(token);
    figures['jti'] = await revokeAndMeasure('reg-c1-1', { sub, jti }, token);
    await expectRefusedEverywhere(token);
    // Only that token: another of the same account still works.
    expect((await call(other, 'GET', '/v1/conferences')).status).toBe(200);
  });

  it('refuses every token of a subject once the subject is revoked (what disabling an account publishes)', async () => {
    const token = await cluster.userToken('rev-bob');
    const bystander = await cluster.userToken('rev-carol');
    expect((await call(token, 'GET', '/v1/conferences')).status).toBe(200);
    figures['subject'] = await revokeAndMeasure('reg-c1-1', { sub: claimsOf(token).sub }, token);
    await expectRefusedEverywhere(token);
    expect((await call(bystander, 'GET', '/v1/conferences')).status).toBe(200);
  });

  it('applies revocations published before it started (read to the end before serving)', async () => {
    const token = await cluster.userToken('rev-dave');
    const serviceToken = await cluster.serviceToken('reg-c1-1');
    await cluster.process('reg-c1-1').stop(5_000);
    const res = await fetch(`${cluster.authUrl}/v1/revocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sub: claimsOf(token).sub }),
    });
    expect(res.status).toBeLessThan(300);
    expect(((await res.json()) as Json)['published']).toBe(true);
    await cluster.startRegistry('reg-c1-1');
    // The first answer after the restart already refuses it: no polling.
    expect((await call(token, 'GET', '/v1/conferences')).status).toBe(401);
  });
});
