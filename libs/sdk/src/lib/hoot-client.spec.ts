import { HootApiError } from './hoot-api.error';
import { HootClient } from './hoot-client';
import type { Conference, JoinAnswer } from '@hoot/contracts';
import { FakeServers, problemBody, TestClock, type FakeAnswer } from './registry-fakes.fixture';
import { RegistryUnavailableError } from './registry-unavailable.error';
import { SdkErrorCode } from './sdk-error-codes';

const A = 'http://reg-c1-1';
const B = 'http://reg-c2-1';

const conference: Conference = {
  id: 'standup',
  address: 'hoot.mx://standup@coremx-1.c1.hoot.mx',
  type: 'm2m',
  owner: 'acc_1',
  public: false,
  allowed: ['bob'],
  maxParticipants: null,
  status: 'reserved',
  participants: 0,
  coremxId: 'coremx-1',
  previousAddresses: [],
  createdAt: '2026-11-23T10:00:00.000Z',
  endedAt: null,
};

const joinAnswer: JoinAnswer = {
  conferenceId: 'standup',
  address: conference.address,
  coremxId: 'coremx-1',
  signalingUrl: 'ws://coremx-1/signal',
  ticket: 'tkt',
  ticketId: 'tid',
  expiresAt: '2026-11-23T10:01:00.000Z',
  role: 'viewer',
  webUrl: 'http://web/join/standup#ticket=tkt',
};

function setup(token?: string) {
  const clock = new TestClock();
  const servers = new FakeServers(clock);
  const client = new HootClient({
    registryUrls: [`${B}/`, A],
    ownCloud: 'c1',
    fetch: servers.fetch,
    clock,
    token,
  });
  return { clock, servers, client };
}

const body = (call: { body: string | undefined }): unknown => JSON.parse(call.body ?? 'null');

describe('HootClient: requests', () => {
  it('signs in with a password through the own cloud first and keeps the token for later calls', async () => {
    const { servers, client } = setup();
    servers.set(A, (call) =>
      call.path === '/v1/auth/token'
        ? { status: 200, body: { access_token: 'tok-1', token_type: 'Bearer', expires_in: 28800 } }
        : { status: 200, body: conference },
    );
    await expect(client.signIn('alice', 's3cret')).resolves.toEqual({
      accessToken: 'tok-1',
      expiresIn: 28800,
    });
    expect(client.token).toBe('tok-1');
    expect(servers.calls[0]).toMatchObject({ origin: A, method: 'POST', path: '/v1/auth/token' });
    expect(servers.calls[0].headers.authorization).toBeUndefined();
    expect(body(servers.calls[0])).toEqual({ grant_type: 'password', username: 'alice', password: 's3cret' });
    await client.getConference('standup');
    expect(servers.calls[1].headers.authorization).toBe('Bearer tok-1');
  });

  it('signs in with an API key', async () => {
    const { servers, client } = setup();
    servers.set(A, { status: 200, body: { access_token: 'tok-2', expires_in: 60 } });
    await expect(client.signInWithApiKey('hk_123')).resolves.toEqual({ accessToken: 'tok-2', expiresIn: 60 });
    expect(body(servers.calls[0])).toEqual({ grant_type: 'api_key', api_key: 'hk_123' });
    client.setToken(undefined);
    expect(client.token).toBeUndefined();
  });

  it('refuses a token answer without a token', async () => {
    const { servers, client } = setup();
    servers.set(A, { status: 200, body: { hello: 1 } });
    await expect(client.signIn('a', 'b')).rejects.toMatchObject({ code: SdkErrorCode.AnswerInvalid });
    expect(client.token).toBeUndefined();
  });

  it('creates a conference and tells a new one (201) from an existing one (200)', async () => {
    const { servers, client } = setup('t');
    let status = 201;
    servers.set(A, () => ({ status, body: conference }));
    const input = {
      id: 'standup',
      type: 'm2m' as const,
      allowed: ['bob'],
      public: false,
      settings: { maxParticipants: 5 },
    };
    await expect(client.createConference(input)).resolves.toEqual({ conference, created: true });
    status = 200;
    await expect(client.createConference(input)).resolves.toEqual({ conference, created: false });
    expect(servers.calls[0]).toMatchObject({ method: 'POST', path: '/v1/conferences' });
    expect(body(servers.calls[0])).toEqual(input);
  });

  it('reads, lists, ends and joins with the documented routes', async () => {
    const { servers, client } = setup('t');
    const answers: Record<string, FakeAnswer> = {
      'GET /v1/conferences/stand%2Fup': { status: 200, body: conference },
      'GET /v1/conferences?limit=5&after=abc': {
        status: 200,
        body: { items: [conference], next: 'standup' },
      },
      'GET /v1/conferences': { status: 200, body: { items: [], next: null } },
      'DELETE /v1/conferences/standup': { status: 204 },
      'POST /v1/join': { status: 200, body: joinAnswer },
      'GET /v1/gcas': { status: 200, body: { registryId: 'reg-c1-1', gcas: {} } },
      'GET /v1/registries': { status: 200, body: { registryId: 'reg-c1-1', registries: [], primaries: {} } },
      'GET /v1/coremx': { status: 200, body: { registryId: 'reg-c1-1', coremx: [] } },
      'GET /internal/v1/coremx': { status: 200, body: { registryId: 'reg-c1-1', coremx: ['s'] } },
      'GET /v1/roulette?region=eu&lat=1.5&lon=2': { status: 200, body: { registries: [] } },
    };
    servers.set(A, (call) => answers[`${call.method} ${call.path}`] ?? { status: 599 });
    await expect(client.getConference('stand/up')).resolves.toEqual(conference);
    await expect(client.listConferences({ limit: 5, after: 'abc' })).resolves.toEqual({
      items: [conference],
      next: 'standup',
    });
    await expect(client.listConferences()).resolves.toEqual({ items: [], next: null });
    await expect(client.endConference('standup')).resolves.toBeUndefined();
    await expect(client.join(conference.address)).resolves.toEqual(joinAnswer);
    expect(body(servers.calls[4])).toEqual({ address: conference.address });
    await expect(client.gcas()).resolves.toEqual({ registryId: 'reg-c1-1', gcas: {} });
    await expect(client.registries()).resolves.toMatchObject({ primaries: {} });
    await expect(client.coremx()).resolves.toEqual({ registryId: 'reg-c1-1', coremx: [] });
    await expect(client.serviceCoremx()).resolves.toEqual({ registryId: 'reg-c1-1', coremx: ['s'] });
    await expect(client.roulette({ region: 'eu', lat: 1.5, lon: 2 })).resolves.toEqual({ registries: [] });
    expect(servers.calls.every((c) => c.origin === A)).toBe(true);
  });

  it('takes cloud and priority from registry host names, else the list order', () => {
    const clock = new TestClock();
    const fetch = new FakeServers(clock).fetch;
    const named = new HootClient({
      registryUrls: ['https://reg-c2-1.hoot.mx', 'https://reg-c1-2.hoot.mx'],
      ownCloud: 'c1',
      fetch,
      clock,
    });
    expect(named.registry.status().map((s) => s.registryId)).toEqual(['reg-c1-2', 'reg-c2-1']);
    const plain = new HootClient({
      registryUrls: ['http://127.0.0.1:9002', 'http://127.0.0.1:9001'],
      fetch,
      clock,
    });
    expect(plain.registry.status().map((s) => [s.registryId, s.url])).toEqual([
      ['registry-1', 'http://127.0.0.1:9002'],
      ['registry-2', 'http://127.0.0.1:9001'],
    ]);
    expect(() => new HootClient({ registryUrls: [], fetch, clock })).toThrow(
      expect.objectContaining({ code: SdkErrorCode.RegistryListInvalid }),
    );
  });
});

describe('HootClient: errors and failover', () => {
  it('throws HootApiError with the server code, status, message and Retry-After in seconds', async () => {
    const { servers, client } = setup('t');
    servers.set(A, {
      status: 429,
      body: problemBody(429, 'conference.rate-limited', 'too many joins'),
      headers: { 'retry-after': '7' },
    });
    const error = await client.join(conference.address).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HootApiError);
    expect(error).toMatchObject({
      name: 'HootApiError',
      status: 429,
      code: 'conference.rate-limited',
      detail: 'too many joins',
      retryAfterS: 7,
      registryId: 'reg-c1-1',
    });
    expect((error as Error).message).toContain('too many joins');
  });

  it.each([
    [403, 'conference.not-entitled'],
    [404, 'conference.not-found'],
    [409, 'conference.id-taken'],
    [410, 'conference.ended'],
    [401, 'auth.invalid-credentials'],
    [400, 'request.invalid'],
  ])('passes %i %s through unchanged, without failing over', async (status, code) => {
    const { servers, client } = setup('t');
    servers
      .set(A, { status, body: problemBody(status, code, 'no') })
      .set(B, { status: 200, body: conference });
    await expect(client.getConference('standup')).rejects.toMatchObject({ status, code });
    expect(servers.calls.map((c) => c.origin)).toEqual([A]);
  });

  it('keeps the registry on a 503 conference verdict (any registry would say the same)', async () => {
    const { servers, client } = setup('t');
    servers
      .set(A, {
        status: 503,
        body: problemBody(503, 'conference.coremx-unavailable', 're-homing'),
        headers: { 'retry-after': '5' },
      })
      .set(B, { status: 200, body: joinAnswer });
    await expect(client.join(conference.address)).rejects.toMatchObject({
      code: 'conference.coremx-unavailable',
      retryAfterS: 5,
    });
    await expect(client.join(conference.address)).rejects.toMatchObject({
      code: 'conference.coremx-unavailable',
    });
    expect(servers.calls.map((c) => c.origin)).toEqual([A, A]);
    expect(client.registry.current()).toBe('reg-c1-1');
  });

  it('fails over to the next registry when the current one is down (joins may be retried)', async () => {
    const { servers, client } = setup('t');
    servers.set(A, 'network').set(B, { status: 200, body: joinAnswer });
    await expect(client.join(conference.address)).resolves.toEqual(joinAnswer);
    expect(servers.calls.map((c) => c.origin)).toEqual([A, B]);
    expect(client.registry.current()).toBe('reg-c2-1');
  });

  it('surfaces the last registry answer as HootApiError when every registry failed with one', async () => {
    const { servers, client } = setup('t');
    servers
      .set(A, { status: 503, body: problemBody(503, 'service.not-ready', 'starting') })
      .set(B, { status: 503, body: problemBody(503, 'service.not-ready', 'starting too') });
    await expect(client.getConference('standup')).rejects.toMatchObject({
      name: 'HootApiError',
      code: 'service.not-ready',
      registryId: 'reg-c2-1',
    });
  });

  it('throws RegistryUnavailableError when no registry answered at all', async () => {
    const { client } = setup('t');
    const error = await client.getConference('standup').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect(error).toMatchObject({ code: SdkErrorCode.RegistryUnavailable });
  });

  it('does not retry a sign-in on another registry (not idempotent)', async () => {
    const { servers, client } = setup();
    servers.set(A, 'network').set(B, { status: 200, body: { access_token: 'x', expires_in: 1 } });
    await expect(client.signIn('a', 'b')).rejects.toBeInstanceOf(RegistryUnavailableError);
    expect(servers.calls.map((c) => c.origin)).toEqual([A]);
  });
});

describe('HootClient.discover', () => {
  it('asks iroulette and takes the nearest registry cloud as its own', async () => {
    const clock = new TestClock();
    const servers = new FakeServers(clock);
    servers.set('http://seed', {
      status: 200,
      body: {
        registries: [
          { registryId: 'reg-c2-1', url: B, cloud: 'c2', priority: 1 },
          { registryId: 'reg-c1-1', url: A, cloud: 'c1', priority: 1 },
        ],
      },
    });
    servers.set(B, { status: 200, body: conference });
    const client = await HootClient.discover({
      rouletteUrl: 'http://seed',
      lat: 48.8,
      lon: 2.3,
      region: 'eu',
      fetch: servers.fetch,
      clock,
      token: 't',
    });
    expect(servers.calls[0].path).toBe('/v1/roulette?region=eu&lat=48.8&lon=2.3');
    expect(client.registry.current()).toBe('reg-c2-1');
    await client.getConference('standup');
    expect(servers.calls[1]).toMatchObject({ origin: B, headers: { authorization: 'Bearer t' } });
  });
});
