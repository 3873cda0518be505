import { RegistryClient, type RegistryClientOptions, type SwitchReason } from './registry-client';
import { FakeServers, problemBody, TestClock, type FakeAnswer } from './registry-fakes.fixture';
import { RegistryHttpError } from './registry-http.error';
import { RegistryUnavailableError } from './registry-unavailable.error';
import { SdkError, SdkErrorCode } from './sdk-error-codes';

const A = 'http://reg-c1-1';
const B = 'http://reg-c1-2';
const C = 'http://reg-c2-1';
const OK: FakeAnswer = { status: 200, body: { ok: true } };
const unavailable = (extra: { status?: number; headers?: Record<string, string> } = {}): FakeAnswer => ({
  status: 503,
  body: problemBody(503, 'service.not-ready', 'not ready: mongo down'),
  ...extra,
});
const UNAVAILABLE = unavailable();

function setup(overrides: Partial<RegistryClientOptions> = {}, ids = ['reg-c1-1', 'reg-c1-2', 'reg-c2-1']) {
  const clock = new TestClock();
  const servers = new FakeServers(clock);
  const switches: [string, string, SwitchReason][] = [];
  const client = new RegistryClient({
    registries: ids.map((id) => ({ registryId: id, url: `http://${id}` })),
    ownCloud: 'c1',
    timeoutMs: 2_000,
    backoff: { initialMs: 100, maxMs: 500, factor: 2 },
    probeIntervalMs: 1_000,
    fetch: servers.fetch,
    clock,
    onSwitch: (from, to, reason) => switches.push([from, to, reason]),
    ...overrides,
  });
  return { clock, servers, client, switches };
}

/** Runs a call and returns what it threw (the call must throw). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

describe('RegistryClient: stickiness and ordering', () => {
  it('sends every call to the first registry in order while it is healthy', async () => {
    const { servers, client } = setup();
    servers.set(A, OK).set(B, OK).set(C, OK);
    for (let i = 0; i < 3; i++) expect((await client.request('GET', '/v1/x')).registryId).toBe('reg-c1-1');
    expect(servers.calls.map((c) => c.origin)).toEqual([A, A, A]);
    expect(client.current()).toBe('reg-c1-1');
    expect(client.status().map((s) => [s.registryId, s.state])).toEqual([
      ['reg-c1-1', 'healthy'],
      ['reg-c1-2', 'unknown'],
      ['reg-c2-1', 'unknown'],
    ]);
  });

  it('starts with the own cloud', async () => {
    const { servers, client } = setup({ ownCloud: 'c2' });
    servers.set(A, OK).set(C, OK);
    expect((await client.request('GET', '/v1/x')).registryId).toBe('reg-c2-1');
    expect(client.status().map((s) => s.registryId)).toEqual(['reg-c2-1', 'reg-c1-1', 'reg-c1-2']);
  });

  it('sends method, path, JSON body, authorization and caller headers', async () => {
    const { servers, client } = setup({ authorization: () => Promise.resolve('Bearer t0k') });
    servers.set(A, { status: 201, body: { id: 'x' } });
    const res = await client.request('post', '/v1/conferences?x=1', {
      body: { name: 'standup' },
      headers: { 'X-Trace': '7' },
    });
    expect(res).toEqual({
      registryId: 'reg-c1-1',
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: { id: 'x' },
    });
    expect(servers.calls[0]).toMatchObject({
      method: 'POST',
      path: '/v1/conferences?x=1',
      body: '{"name":"standup"}',
      headers: { authorization: 'Bearer t0k', 'content-type': 'application/json', 'x-trace': '7' },
    });
  });

  it('refuses a malformed call before sending anything', async () => {
    const { servers, client } = setup();
    for (const path of ['v1/x', '//evil.example/x', 'http://evil.example/x']) {
      await expect(client.request('GET', path)).rejects.toMatchObject({ code: SdkErrorCode.RequestInvalid });
    }
    await expect(client.request('GE T', '/x')).rejects.toMatchObject({ code: SdkErrorCode.RequestInvalid });
    expect(servers.calls).toHaveLength(0);
  });

  it('refuses bad options with stable codes', () => {
    const clock = new TestClock();
    const fetch = new FakeServers(clock).fetch;
    expect(() => new RegistryClient({ registries: [], fetch, clock })).toThrow(
      expect.objectContaining({ code: SdkErrorCode.RegistryListInvalid }),
    );
    const registries = [{ registryId: 'reg-c1-1', url: 'http://a' }];
    for (const bad of [
      { timeoutMs: 0 },
      { probeIntervalMs: -1 },
      { backoff: { factor: 0.5 } },
      { backoff: { initialMs: 10, maxMs: 5 } },
      { maxAttemptsPerCall: 0 },
    ]) {
      expect(() => new RegistryClient({ registries, fetch, clock, ...bad })).toThrow(
        expect.objectContaining({ code: SdkErrorCode.OptionsInvalid }),
      );
    }
  });
});

describe('RegistryClient: failover', () => {
  it('fails over on a network error, retries the same call on the next registry and sticks to it', async () => {
    const { servers, client, switches } = setup();
    servers.set(A, 'network').set(B, OK);
    const res = await client.request('GET', '/v1/x');
    expect(res).toMatchObject({ registryId: 'reg-c1-2', status: 200, body: { ok: true } });
    expect(servers.calls.map((c) => [c.origin, c.path])).toEqual([
      [A, '/v1/x'],
      [B, '/v1/x'],
    ]);
    expect(client.current()).toBe('reg-c1-2');
    expect(switches).toEqual([['reg-c1-1', 'reg-c1-2', 'failover']]);
    await client.request('GET', '/v1/y');
    expect(servers.calls.map((c) => c.origin)).toEqual([A, B, B]);
    expect(client.status()[0]).toMatchObject({
      state: 'failed',
      failures: 1,
      lastError: expect.stringMatching(/refused/),
    });
  });

  it('fails over when an attempt times out (the deadline runs on the injected clock)', async () => {
    const { servers, client, clock } = setup();
    servers.set(A, 'hang').set(B, OK);
    const call = client.request('GET', '/v1/x');
    await servers.waitForCalls(1);
    clock.advance(1_999);
    expect(servers.calls).toHaveLength(1);
    clock.advance(1);
    expect((await call).registryId).toBe('reg-c1-2');
    expect(client.status()[0].lastError).toMatch(/no answer within 2000 ms/);
    expect(clock.pendingTimers).toBe(0);
  });

  it.each([500, 502, 503])('fails over on %i', async (status) => {
    const { servers, client } = setup();
    servers.set(A, unavailable({ status })).set(B, OK);
    expect((await client.request('GET', '/v1/x')).registryId).toBe('reg-c1-2');
    expect(client.status()[0].state).toBe('failed');
  });

  it.each([400, 401, 404, 409, 429])('returns a %i answer without failing over', async (status) => {
    const { servers, client } = setup();
    servers.set(A, { status, body: problemBody(status, 'x.y', 'nope') }).set(B, OK);
    const res = await client.request('GET', '/v1/x');
    expect(res).toMatchObject({ registryId: 'reg-c1-1', status, body: { code: 'x.y' } });
    expect(servers.calls).toHaveLength(1);
    expect(client.status()[0].state).toBe('healthy');
  });

  it('lets the caller decide which answers count as failures (retryOn)', async () => {
    const { servers, client } = setup();
    servers
      .set(A, { status: 409, body: problemBody(409, 'registry.not-primary', 'ask the primary') })
      .set(B, OK);
    const res = await client.request('GET', '/v1/x', { retryOn: (r) => r.status === 409 });
    expect(res.registryId).toBe('reg-c1-2');
  });

  it.each(['GET', 'PUT', 'DELETE', 'HEAD'])(
    'retries an idempotent %s on the next registry',
    async (method) => {
      const { servers, client } = setup();
      servers.set(A, 'network').set(B, OK);
      expect((await client.request(method, '/v1/x')).registryId).toBe('reg-c1-2');
    },
  );

  it('does not retry a POST, but the next call goes to the next registry', async () => {
    const { servers, client } = setup();
    servers.set(A, UNAVAILABLE).set(B, OK);
    const error = await failure(client.request('POST', '/v1/conferences', { body: {} }));
    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect((error as RegistryUnavailableError).attempts).toEqual([
      { registryId: 'reg-c1-1', error: expect.objectContaining({ status: 503, code: 'service.not-ready' }) },
    ]);
    expect(servers.calls.map((c) => c.origin)).toEqual([A]);
    expect((await client.request('POST', '/v1/conferences', { body: {} })).registryId).toBe('reg-c1-2');
    expect(client.current()).toBe('reg-c1-2');
  });

  it('retries a POST the caller marks idempotent', async () => {
    const { servers, client } = setup();
    servers.set(A, 'network').set(B, OK);
    const res = await client.request('POST', '/v1/x', {
      idempotent: true,
      headers: { 'idempotency-key': 'k1' },
    });
    expect(res.registryId).toBe('reg-c1-2');
    expect(servers.callsTo(B)[0].headers['idempotency-key']).toBe('k1');
  });

  it('throws RegistryUnavailableError listing every attempt when all registries fail', async () => {
    const { servers, client, clock } = setup();
    servers.set(A, 'network').set(B, 'hang').set(C, UNAVAILABLE);
    const call = failure(client.request('GET', '/v1/x'));
    await servers.waitForCalls(2);
    clock.advance(2_000);
    const error = (await call) as RegistryUnavailableError;
    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect(error.code).toBe(SdkErrorCode.RegistryUnavailable);
    expect(error.attempts.map((a) => [a.registryId, (a.error as { code: string }).code])).toEqual([
      ['reg-c1-1', SdkErrorCode.RegistryNetwork],
      ['reg-c1-2', SdkErrorCode.RegistryTimeout],
      ['reg-c2-1', 'service.not-ready'],
    ]);
    expect(error.attempts[2].error).toBeInstanceOf(RegistryHttpError);
    expect(error.message).toMatch(/reg-c1-1: .*reg-c1-2: .*reg-c2-1: /);
  });

  it('skips a registry that is backing off while another is available', async () => {
    const { servers, client } = setup();
    servers.set(A, 'network').set(B, OK).set(C, OK);
    await client.request('GET', '/v1/x'); // A fails, B answers
    servers.set(B, 'network');
    expect((await client.request('GET', '/v1/x')).registryId).toBe('reg-c2-1');
    expect(servers.calls.map((c) => c.origin)).toEqual([A, B, B, C]);
  });

  it('tries a registry again once its backoff is over', async () => {
    const { servers, client, clock } = setup();
    servers.set(A, 'network').set(B, OK).set(C, OK);
    await client.request('GET', '/v1/x'); // A backs off for 100 ms, B current
    servers.set(B, 'network').set(A, OK);
    clock.advance(100);
    expect((await client.request('GET', '/v1/x')).registryId).toBe('reg-c1-1');
  });

  it('when every registry is backing off, tries the one whose backoff ends first (never refuses)', async () => {
    const { servers, client, clock } = setup({ maxAttemptsPerCall: 1 });
    const tried: string[] = [];
    for (let i = 0; i < 5; i++) {
      const error = await failure(client.request('GET', '/v1/x'));
      expect(error).toBeInstanceOf(RegistryUnavailableError);
      tried.push((error as RegistryUnavailableError).attempts[0].registryId);
      clock.advance(10);
    }
    // t=0 A (until 100), t=10 B (until 110), t=20 C (until 120); then all back off: A, then B.
    expect(tried).toEqual(['reg-c1-1', 'reg-c1-2', 'reg-c2-1', 'reg-c1-1', 'reg-c1-2']);
    expect(servers.calls).toHaveLength(5);
  });

  it('backs off exponentially and caps the pause', async () => {
    const { servers, client, clock } = setup({}, ['reg-c1-1']);
    servers.set(A, 'network');
    const pauses: number[] = [];
    for (let i = 0; i < 6; i++) {
      await failure(client.request('GET', '/v1/x'));
      const [s] = client.status();
      pauses.push((s.nextTryAt ?? 0) - clock.now());
      clock.advance(1);
    }
    expect(pauses).toEqual([100, 200, 400, 500, 500, 500]);
    expect(client.status()[0].failures).toBe(6);
  });

  it('resets the backoff after an answer', async () => {
    const { servers, client, clock } = setup({}, ['reg-c1-1']);
    servers.set(A, 'network');
    await failure(client.request('GET', '/v1/x'));
    await failure(client.request('GET', '/v1/x'));
    servers.set(A, OK);
    await client.request('GET', '/v1/x');
    expect(client.status()[0]).toMatchObject({ state: 'healthy', failures: 0, nextTryAt: undefined });
    servers.set(A, 'network');
    await failure(client.request('GET', '/v1/x'));
    expect((client.status()[0].nextTryAt ?? 0) - clock.now()).toBe(100);
  });

  it('honours Retry-After of a failing answer (capped by maxMs)', async () => {
    const { servers, client, clock } = setup();
    servers.set(A, unavailable({ headers: { 'retry-after': '0' } })).set(B, OK);
    await client.request('GET', '/v1/x');
    expect((client.status()[0].nextTryAt ?? 0) - clock.now()).toBe(100);
    servers.set(B, unavailable({ headers: { 'retry-after': '60' } })).set(C, OK);
    await client.request('GET', '/v1/x');
    expect((client.status()[1].nextTryAt ?? 0) - clock.now()).toBe(500);
  });

  it('counts overlapping failures of one registry once', async () => {
    const clock = new TestClock();
    const servers = new FakeServers(clock).set(A, 'network').set(B, OK);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const client = new RegistryClient({
      registries: [
        { registryId: 'reg-c1-1', url: A },
        { registryId: 'reg-c1-2', url: B },
      ],
      backoff: { initialMs: 100, maxMs: 500, factor: 2 },
      fetch: async (url, init) => {
        await gate;
        return servers.fetch(url, init);
      },
      clock,
    });
    const calls = ['/1', '/2', '/3'].map((path) => client.request('GET', path));
    release();
    expect((await Promise.all(calls)).map((r) => r.registryId)).toEqual(['reg-c1-2', 'reg-c1-2', 'reg-c1-2']);
    expect(servers.callsTo(A)).toHaveLength(3);
    expect(client.status()[0]).toMatchObject({ failures: 1, nextTryAt: clock.now() + 100 });
  });

  it('does not count a call the caller aborted against the registry', async () => {
    const { servers, client } = setup();
    servers.set(A, 'hang');
    const controller = new AbortController();
    const call = failure(client.request('GET', '/v1/x', { signal: controller.signal }));
    await servers.waitForCalls(1);
    controller.abort(new Error('user left'));
    expect(await call).toEqual(new Error('user left'));
    expect(servers.calls).toHaveLength(1);
    expect(client.status()[0]).toMatchObject({ state: 'unknown', failures: 0 });
  });

  it('ignores a throwing switch listener', async () => {
    const { servers, client } = setup();
    const seen: string[] = [];
    client.onSwitch(() => {
      throw new Error('listener bug');
    });
    const off = client.onSwitch((_from, to) => seen.push(to));
    servers.set(A, 'network').set(B, OK);
    expect((await client.request('GET', '/v1/x')).registryId).toBe('reg-c1-2');
    off();
    servers.set(B, 'network').set(C, OK);
    await client.request('GET', '/v1/x');
    expect(seen).toEqual(['reg-c1-2']);
  });
});

describe('RegistryClient: fail back', () => {
  /** A down, B current since t0 (the failover). */
  async function failedOver(overrides: Partial<RegistryClientOptions> = {}) {
    const ctx = setup(overrides);
    ctx.servers.set(A, 'network').set(B, OK).set(C, OK);
    await ctx.client.request('GET', '/v1/x');
    expect(ctx.client.current()).toBe('reg-c1-2');
    return ctx;
  }

  it('probes the higher registry out of band and fails back once it is ready', async () => {
    const { servers, client, clock, switches } = await failedOver();
    servers.set(A, (call) => (call.path === '/health/ready' ? { status: 200, body: { status: 'ok' } } : OK));
    clock.advance(999);
    await client.request('GET', '/v1/x');
    await client.idle();
    expect(servers.callsTo(A, '/health/ready')).toHaveLength(0);
    clock.advance(1);
    const res = await client.request('GET', '/v1/y');
    expect(res.registryId).toBe('reg-c1-2'); // the call itself does not wait for the probe
    await client.idle();
    expect(servers.callsTo(A, '/health/ready')).toHaveLength(1);
    expect(client.current()).toBe('reg-c1-1');
    expect(switches).toEqual([
      ['reg-c1-1', 'reg-c1-2', 'failover'],
      ['reg-c1-2', 'reg-c1-1', 'failback'],
    ]);
    expect((await client.request('GET', '/v1/z')).registryId).toBe('reg-c1-1');
    expect(client.status()[0]).toMatchObject({ state: 'healthy', failures: 0 });
  });

  it('stays put while the higher registry is not ready, and backs off from it', async () => {
    const { servers, client, clock } = await failedOver();
    servers.set(A, UNAVAILABLE);
    clock.advance(1_000);
    await client.request('GET', '/v1/x');
    await client.idle();
    expect(servers.callsTo(A, '/health/ready')).toHaveLength(1);
    expect(client.current()).toBe('reg-c1-2');
    expect(client.status()[0]).toMatchObject({ state: 'failed', failures: 2 });
  });

  it('times a hanging probe out', async () => {
    const { servers, client, clock } = await failedOver();
    servers.set(A, 'hang');
    clock.advance(1_000);
    await client.request('GET', '/v1/x');
    await servers.waitForCalls(4);
    clock.advance(2_000);
    await client.idle();
    expect(client.current()).toBe('reg-c1-2');
    expect(client.status()[0].lastError).toMatch(/probe reg-c1-1\/health\/ready: no answer within 2000 ms/);
  });

  it('never probes more than once per interval, however many calls are made', async () => {
    const { servers, client, clock } = await failedOver();
    servers.set(A, UNAVAILABLE);
    for (let i = 0; i < 120; i++) {
      await Promise.all([client.request('GET', '/v1/x'), client.request('GET', '/v1/x')]);
      await client.idle();
      clock.advance(50);
    }
    const probes = servers.callsTo(A, '/health/ready').map((c) => c.at);
    expect(probes.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < probes.length; i++) expect(probes[i] - probes[i - 1]).toBeGreaterThanOrEqual(1_000);
  });

  it('runs one probe at a time', async () => {
    const { servers, client, clock } = await failedOver();
    servers.set(A, 'hang');
    clock.advance(1_000);
    await client.request('GET', '/v1/x');
    clock.advance(1_500); // interval over, probe still in flight (timeout 2000)
    await client.request('GET', '/v1/x');
    expect(servers.callsTo(A, '/health/ready')).toHaveLength(1);
    clock.advance(500);
    await client.idle();
  });

  it('does not probe while on the highest registry', async () => {
    const { servers, client, clock } = setup();
    servers.set(A, OK);
    for (let i = 0; i < 5; i++) {
      await client.request('GET', '/v1/x');
      clock.advance(1_000);
    }
    expect(servers.callsTo(A, '/health/ready')).toHaveLength(0);
  });

  it('takes the higher registries in turn, so a dead one does not hide one that is back', async () => {
    const { servers, client, clock } = setup();
    servers.set(A, 'network').set(B, 'network').set(C, OK);
    await client.request('GET', '/v1/x');
    expect(client.current()).toBe('reg-c2-1');
    servers.set(B, { status: 200 });
    clock.advance(1_000);
    await client.request('GET', '/v1/x');
    await client.idle();
    expect(servers.callsTo(A, '/health/ready')).toHaveLength(1); // A first: it is the highest
    expect(client.current()).toBe('reg-c2-1');
    clock.advance(1_000);
    await client.request('GET', '/v1/x');
    await client.idle();
    expect(servers.callsTo(B, '/health/ready')).toHaveLength(1);
    expect(client.current()).toBe('reg-c1-2');
    clock.advance(1_000);
    await client.request('GET', '/v1/x');
    await client.idle();
    expect(servers.callsTo(A, '/health/ready')).toHaveLength(2); // from B, only A is higher
  });
});

describe('RegistryClient.requestJson', () => {
  it('returns the body of a 2xx answer', async () => {
    const { servers, client } = setup();
    servers.set(A, { status: 200, body: { id: 'conf-1' } });
    await expect(client.requestJson<{ id: string }>('GET', '/v1/x')).resolves.toEqual({ id: 'conf-1' });
  });

  it('throws RegistryHttpError with the problem code for any other answer', async () => {
    const { servers, client } = setup();
    servers.set(A, {
      status: 404,
      body: problemBody(404, 'conference.not-found', 'no conference standup'),
      headers: { 'retry-after': '3' },
    });
    const error = await failure(client.requestJson('GET', '/v1/x'));
    expect(error).toBeInstanceOf(RegistryHttpError);
    expect(error).toMatchObject({
      status: 404,
      code: 'conference.not-found',
      detail: 'no conference standup',
      retryAfterMs: 3_000,
      registryId: 'reg-c1-1',
    });
  });

  it('throws RegistryUnavailableError (an SdkError) when no registry answers', async () => {
    const { servers, client } = setup({}, ['reg-c1-1']);
    servers.set(A, 'network');
    const error = await failure(client.requestJson('GET', '/v1/x'));
    expect(error).toBeInstanceOf(SdkError);
    expect(error).toBeInstanceOf(RegistryUnavailableError);
  });
});
