import { existsSync, readFileSync } from 'node:fs';
import { eventually, integrationInfra } from '@hoot/testing';
import { startPlatform, type PlatformProgress, type RunningPlatform } from '../src';
import { processesOfRun } from './run-processes';

async function signIn(registryUrl: string, username: string, password: string): Promise<Response> {
  return fetch(`${registryUrl}/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'password', username, password }),
  });
}

describe('startPlatform in test mode (the launcher of npm start)', () => {
  let platform: RunningPlatform;
  const events: PlatformProgress[] = [];

  beforeAll(async () => {
    const { kafkaBrokers, mongoUri } = integrationInfra();
    platform = await startPlatform({
      mode: 'test',
      kafkaBrokers,
      mongoUri,
      onProgress: (e) => events.push(e),
    });
  }, 300_000);

  afterAll(() => platform?.stop(), 60_000);

  it('reports each part ready, each only after what it needs', () => {
    const readyAt = (part: string) => events.findIndex((e) => e.part === part && e.state === 'ready');
    const startingAt = (part: string) => events.findIndex((e) => e.part === part && e.state === 'starting');
    const parts = [
      'web',
      'auth',
      'kms-lite',
      'reg-c1-1',
      'reg-c2-1',
      'cash-coremx-1-c1',
      'cash-coremx-1-c2',
      'accounts',
    ];
    for (const part of parts) {
      const ready = events.find((e) => e.part.startsWith(part) && e.state === 'ready');
      expect(ready).toBeDefined();
    }
    // Kafka and the MongoDB-protocol server were reused, not started.
    expect(events.filter((e) => e.part === 'kafka' || e.part === 'mongo')).toEqual([]);
    for (const registry of ['reg-c1-1', 'reg-c2-1']) {
      expect(startingAt(registry)).toBeGreaterThan(readyAt('auth'));
      expect(startingAt(registry)).toBeGreaterThan(readyAt('web'));
    }
    for (const cash of ['cash-coremx-1-c1', 'cash-coremx-1-c2']) {
      expect(startingAt(cash)).toBeGreaterThan(readyAt('reg-c1-1'));
      expect(startingAt(cash)).toBeGreaterThan(readyAt('reg-c2-1'));
    }
    expect(events.filter((e) => e.state === 'failed')).toEqual([]);
  });

  it('has every registry and CASH ready and serves the web app at / of both registries', async () => {
    expect(platform.registries.map((r) => [r.registryId, r.cloud])).toEqual([
      ['reg-c1-1', 'c1'],
      ['reg-c2-1', 'c2'],
    ]);
    expect(platform.cash.map((c) => c.coremxId)).toEqual(['coremx-1-c1', 'coremx-1-c2']);
    for (const url of [...platform.registries, ...platform.cash].map((s) => s.url)) {
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    }
    for (const { url } of platform.registries) {
      const res = await fetch(`${url}/`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toContain('app.js');
    }
  });

  it('signs alice in through a registry with her password, and refuses a wrong one', async () => {
    const ok = await signIn(platform.registries[1].url, 'alice', platform.users.alice.password);
    expect(ok.status).toBe(200);
    expect((await ok.json()) as { access_token: string }).toMatchObject({ access_token: expect.any(String) });
    const wrong = await signIn(platform.registries[0].url, 'alice', `${platform.users.alice.password}x`);
    expect(wrong.status).toBe(401);
    expect(new Set(Object.values(platform.users).map((u) => u.password)).size).toBe(3);
  });

  it('lists both CoreMX at both registries', async () => {
    const res = await signIn(platform.registries[0].url, 'bob', platform.users.bob.password);
    const { access_token: token } = (await res.json()) as { access_token: string };
    for (const { url } of platform.registries) {
      await eventually(
        async () => {
          const list = await fetch(`${url}/v1/coremx`, { headers: { authorization: `Bearer ${token}` } });
          expect(list.status).toBe(200);
          const body = (await list.json()) as { coremx: { coremxId: string; state: string }[] };
          expect(body.coremx.map((c) => c.coremxId).sort()).toEqual(['coremx-1-c1', 'coremx-1-c2']);
        },
        { timeoutMs: 30_000, intervalMs: 200, description: `both CoreMX at ${url}` },
      );
    }
  });

  it('gives each CASH a key of its own, bound to its CoreMX: alive everywhere, refused for the other (403 coremx.not-bound)', async () => {
    const serviceToken = async (apiKeyFile: string) => {
      const res = await fetch(`${platform.authUrl}/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'api_key', api_key: readFileSync(apiKeyFile, 'utf8').trim() }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { access_token: string }).access_token;
    };
    expect(platform.cash.map((c) => c.serviceAccount)).toEqual(['cash-coremx-1-c1', 'cash-coremx-1-c2']);
    const keys = platform.cash.map((c) => readFileSync(c.apiKeyFile, 'utf8').trim());
    expect(new Set(keys).size).toBe(2);
    for (const [i, cash] of platform.cash.entries()) {
      const token = await serviceToken(cash.apiKeyFile);
      const other = platform.cash[1 - i].coremxId;
      for (const { url } of platform.registries) {
        // Each registry accepts both CASH's heartbeats, each under its own account (strict binding).
        await eventually(
          async () => {
            const list = await fetch(`${url}/internal/v1/coremx`, {
              headers: { authorization: `Bearer ${token}` },
            });
            const body = (await list.json()) as { coremx: { coremxId: string; liveness: string }[] };
            expect(body.coremx.map((c) => `${c.coremxId}:${c.liveness}`).sort()).toEqual([
              'coremx-1-c1:alive',
              'coremx-1-c2:alive',
            ]);
          },
          { timeoutMs: 30_000, intervalMs: 200, description: `both CoreMX alive at ${url}` },
        );
        const refused = await fetch(`${url}/internal/v1/coremx/${other}/deregister`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ incarnation: 0, seq: 0 }),
        });
        expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([
          403,
          'coremx.not-bound',
        ]);
      }
    }
  });

  it('runs a packager per CoreMX, ready, on its own port and RTP range, its control API behind its own key', async () => {
    expect(platform.packagers.map((p) => [p.coremxId, p.rtpPorts])).toEqual([
      ['coremx-1-c1', { min: 42000, max: 42499 }],
      ['coremx-1-c2', { min: 42500, max: 42999 }],
    ]);
    expect(new Set(platform.packagers.map((p) => p.url)).size).toBe(2);
    const controlKeys = platform.packagers.map((p) => readFileSync(p.controlKeyFile, 'utf8').trim());
    const tokenKeys = platform.packagers.map((p) => readFileSync(p.viewerTokenKeyFile, 'utf8').trim());
    expect(new Set([...controlKeys, ...tokenKeys]).size).toBe(4);
    for (const [i, packager] of platform.packagers.entries()) {
      expect((await fetch(`${packager.url}/health/ready`)).status).toBe(200);
      const streams = (key: string) =>
        fetch(`${packager.url}/v1/streams`, { headers: { authorization: `Bearer ${key}` } });
      expect((await streams(controlKeys[i])).status).toBe(200);
      // The other CoreMX's key is refused: no key is shared.
      const refused = await streams(controlKeys[1 - i]);
      expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([
        401,
        'packager.unauthorized',
      ]);
    }
  });

  it('stop() leaves no process of the run and no temporary state behind', async () => {
    const groups = platform.pids();
    // The web build, the ffmpeg install, auth, two kms-lite, two packagers, two registries, two CASH.
    expect(groups.length).toBe(11);
    expect(processesOfRun(platform.runId).length).toBeGreaterThanOrEqual(7);
    await platform.stop();
    // A killed watchdog may linger as a zombie until it is reaped; zombies run nothing and are skipped.
    await eventually(() => expect(processesOfRun(platform.runId, groups)).toEqual([]), {
      timeoutMs: 10_000,
      description: 'no process of the run left',
    });
    expect(existsSync(platform.webRoot)).toBe(false);
  }, 90_000);
});
