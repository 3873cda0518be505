import type { FetchInit } from '@hoot/sdk';
import { FakeClock } from '@hoot/testing';
import { InMemoryRegistryLink } from '../testing/in-memory-registry-link';
import { HeartbeatService } from './heartbeat.service';
import { HttpRegistryLink, RegistryUnreachableError } from './http-registry-link';
import type { CoreMxReport } from './registry-link.port';

const flush = () => new Promise((resolve) => setImmediate(resolve));

const figures = (): Omit<CoreMxReport, 'incarnation' | 'seq'> => ({
  address: 'coremx-1.c1.hoot.mx',
  signalingUrl: 'wss://coremx-1.c1.hoot.mx/signal',
  state: 'active',
  load: 0.1,
  rooms: 2,
  participants: 5,
  capacity: 100,
});

describe('HeartbeatService', () => {
  it('reports at start and every interval with an increasing seq, and deregisters on stop', async () => {
    const clock = new FakeClock();
    const link = new InMemoryRegistryLink();
    const beat = new HeartbeatService({
      coremxId: 'coremx-1',
      link,
      clock,
      intervalMs: 5_000,
      incarnation: 42,
      figures,
    });
    beat.start();
    await flush();
    clock.advance(5_000);
    await flush();
    clock.advance(5_000);
    await flush();
    expect(link.reports.map((r) => [r.report.incarnation, r.report.seq])).toEqual([
      [42, 1],
      [42, 2],
      [42, 3],
    ]);
    expect(link.last()).toMatchObject({ ...figures(), incarnation: 42, seq: 3 });
    await beat.stop();
    expect(link.deregistrations).toEqual([{ coremxId: 'coremx-1', incarnation: 42, seq: 4 }]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('keeps beating through failures and reports them in its status', async () => {
    const clock = new FakeClock();
    const link = new InMemoryRegistryLink();
    link.failing = true;
    const beat = new HeartbeatService({
      coremxId: 'coremx-1',
      link,
      clock,
      intervalMs: 1_000,
      incarnation: 1,
      figures,
    });
    beat.start();
    await flush();
    expect(beat.status()).toMatchObject({
      consecutiveFailures: 1,
      lastError: expect.stringContaining('unreachable'),
    });
    link.failing = false;
    clock.advance(1_000);
    await flush();
    expect(beat.status()).toMatchObject({ consecutiveFailures: 0, seq: 2, lastAnswer: { accepted: true } });
    await beat.stop();
  });
});

describe('HttpRegistryLink', () => {
  it('fails over in priority order, renews the token after a 401, and sends the membership body', async () => {
    const calls: { url: string; auth: string; body: unknown }[] = [];
    let token = 'old';
    const fetchImpl = async (url: string, init: FetchInit) => {
      const auth = init.headers.authorization;
      calls.push({ url, auth, body: JSON.parse(String(init.body)) });
      if (url.startsWith('http://reg-1')) throw new Error('connect ECONNREFUSED');
      if (auth === 'Bearer old') return new Response('', { status: 401 });
      return Response.json({ accepted: true, registryId: 'reg-c1-2' });
    };
    const link = new HttpRegistryLink({
      urls: ['http://reg-1', 'http://reg-2/'],
      authorization: async () => `Bearer ${token}`,
      invalidateCredentials: () => (token = 'new'),
      fetch: fetchImpl,
    });
    const report = { ...figures(), incarnation: 7, seq: 1 };
    await expect(link.report('coremx-1', report)).resolves.toEqual({
      accepted: true,
      registryId: 'reg-c1-2',
      url: 'http://reg-2',
    });
    expect(calls.map((c) => [c.url, c.auth])).toEqual([
      ['http://reg-1/internal/v1/coremx/coremx-1', 'Bearer old'],
      ['http://reg-2/internal/v1/coremx/coremx-1', 'Bearer old'],
      ['http://reg-2/internal/v1/coremx/coremx-1', 'Bearer new'],
    ]);
    expect(calls[2].body).toEqual(report);
    await link.deregister('coremx-1', { incarnation: 7, seq: 2 });
    expect(calls.at(-1)).toMatchObject({
      url: 'http://reg-2/internal/v1/coremx/coremx-1/deregister',
      body: { incarnation: 7, seq: 2 },
    });
  });

  it('rejects with every failure when no registry answers, and stops at a 400', async () => {
    let n = 0;
    const link = new HttpRegistryLink({
      urls: ['http://a', 'http://b'],
      authorization: async () => 'Bearer t',
      fetch: async () => {
        n += 1;
        return new Response('{"code":"request.invalid"}', { status: 400 });
      },
    });
    await expect(link.report('coremx-1', { ...figures(), incarnation: 1, seq: 1 })).rejects.toThrow(
      /HTTP 400/,
    );
    expect(n).toBe(1);
  });

  it('goes back to the first registry once a fail-back probe finds it ready (SDK RegistryClient)', async () => {
    const clock = new FakeClock();
    let firstDown = true;
    const calls: string[] = [];
    const link = new HttpRegistryLink({
      urls: ['http://reg-1', 'http://reg-2'],
      authorization: async () => 'Bearer t',
      clock,
      probeIntervalMs: 1_000,
      fetch: async (url) => {
        calls.push(url);
        if (url.startsWith('http://reg-1') && firstDown) throw new Error('connect ECONNREFUSED');
        if (url.endsWith('/health/ready')) return Response.json({ status: 'ok' });
        return Response.json({ accepted: true, registryId: url.startsWith('http://reg-1') ? 'r1' : 'r2' });
      },
    });
    const report = (seq: number) => link.report('coremx-1', { ...figures(), incarnation: 1, seq });
    await expect(report(1)).resolves.toMatchObject({ registryId: 'r2', url: 'http://reg-2' });
    // Sticky: reg-1 is not tried again while it backs off.
    calls.length = 0;
    await expect(report(2)).resolves.toMatchObject({ registryId: 'r2' });
    expect(calls).toEqual(['http://reg-2/internal/v1/coremx/coremx-1']);
    firstDown = false;
    clock.advance(2_000);
    await report(3);
    await link.client.idle();
    expect(calls).toContain('http://reg-1/health/ready');
    await expect(report(4)).resolves.toMatchObject({ registryId: 'r1', url: 'http://reg-1' });
    expect(link.client.current()).toBe('registry-1');
  });

  it('fails over on a 5xx and reports every attempt when all fail', async () => {
    const link = new HttpRegistryLink({
      urls: ['http://a', 'http://b'],
      authorization: async () => 'Bearer t',
      fetch: async (url) =>
        url.startsWith('http://a')
          ? new Response('busy', { status: 503 })
          : Promise.reject(new Error('connect ECONNREFUSED')),
    });
    const failure = link.report('coremx-1', { ...figures(), incarnation: 1, seq: 1 });
    await expect(failure).rejects.toBeInstanceOf(RegistryUnreachableError);
    await expect(failure).rejects.toThrow(/http:\/\/a: .*503.*http:\/\/b: /);
  });
});
