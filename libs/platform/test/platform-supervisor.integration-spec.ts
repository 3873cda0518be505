import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, integrationInfra } from '@hoot/testing';
import WebSocket from 'ws';
import { startPlatform, type PlatformProgress, type RunningPlatform } from '../src';
import { processesOfRun } from './run-processes';

type Json = Record<string, unknown>;

/**
 * The supervisor of the local platform with real processes (test mode, supervision switched on as `npm start`
 * has it): a CASH killed with SIGKILL comes back on the same port and takes joins again, nothing else is
 * restarted; a service killed again and again is a crash loop and the platform stops everything, naming it.
 * The crash loop here is 3 crashes within 10 minutes (the default is 5 within 60 s) so that a busy machine's
 * slow restarts cannot spread the kills out of the window.
 */
describe('the platform supervisor (npm start restarts a crashed service)', () => {
  let platform: RunningPlatform;
  const events: (PlatformProgress & { at: number })[] = [];
  const prefix = `sup${Date.now().toString(36)}`;

  beforeAll(async () => {
    platform = await startPlatform({
      mode: 'test',
      ...integrationInfra(),
      kmsEngine: 'fake',
      supervise: { crashLoop: { crashes: 3, withinMs: 600_000 } },
      onProgress: (e) => events.push({ ...e, at: Date.now() }),
    });
  }, 300_000);

  afterAll(() => platform?.stop(), 120_000);

  const token = async (): Promise<string> => {
    const res = await fetch(`${platform.registries[0].url}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'password',
        username: 'alice',
        password: platform.users.alice.password,
      }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };

  /** Creates a conference at cloud 1's registry and joins it over signaling; resolves with where it landed. */
  const createAndJoin = async (id: string): Promise<{ coremxId: string; joined: Json }> => {
    const registry = platform.registries[0].url;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${await token()}` };
    const created = await fetch(`${registry}/v1/conferences`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ id, type: 'm2m', allowed: [] }),
    });
    expect(created.status).toBe(201);
    const { address, coremxId } = (await created.json()) as { address: string; coremxId: string };
    const answer = await fetch(`${registry}/v1/join`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ address }),
    });
    expect(answer.status).toBe(200);
    const { signalingUrl, ticket } = (await answer.json()) as { signalingUrl: string; ticket: string };
    const socket = new WebSocket(signalingUrl);
    try {
      const joined = await new Promise<Json>((resolve, reject) => {
        socket.once('error', reject);
        socket.once('close', () => reject(new Error('signaling closed before an answer')));
        socket.on('message', (data) => {
          const message = JSON.parse(String(data)) as Json;
          if (message['type'] === 'joined' || message['type'] === 'error') resolve(message);
        });
        socket.once('open', () => socket.send(JSON.stringify({ type: 'join', id: '1', ticket })));
      });
      return { coremxId, joined };
    } finally {
      socket.close();
    }
  };

  /** The pid of a service once it runs (and is ready) again, different from `old`. */
  const readyAgain = (part: string, old: number) =>
    eventually(
      () => {
        const pid = platform.pidOf(part);
        expect(pid).toBeDefined();
        expect(pid).not.toBe(old);
        return pid as number;
      },
      { timeoutMs: 180_000, intervalMs: 50, description: `${part} running again` },
    );

  it('restarts a CASH killed with SIGKILL on the same port; a join through it works again; nothing else restarts', async () => {
    const [cash, other] = platform.cash;
    const part = `cash-${cash.coremxId}`;
    const parts = [
      'auth',
      ...platform.kms.map((k) => `kms-lite-${new URL(k.url).port}`),
      ...platform.registries.map((r) => r.registryId),
      part,
      `cash-${other.coremxId}`,
    ];
    const before = Object.fromEntries(parts.map((p) => [p, platform.pidOf(p)]));
    expect(Object.values(before).every((pid) => typeof pid === 'number')).toBe(true);
    const first = await eventually(() => createAndJoin(`${prefix}-before`), {
      timeoutMs: 60_000,
      intervalMs: 500,
      description: 'a join before the kill',
    });
    expect(first).toMatchObject({ coremxId: cash.coremxId, joined: { type: 'joined' } });

    const killedAt = Date.now();
    process.kill(before[part] as number, 'SIGKILL'); // the service itself, as `kill -9 <pid>` would
    const pid = await readyAgain(part, before[part] as number);
    const ready = events.find((e) => e.part === part && e.state === 'ready' && e.attempt === 1);
    expect(ready).toBeDefined();
    process.stdout.write(
      `[supervisor] kill -9 of ${part} → ready again: ${(ready?.at ?? 0) - killedAt} ms\n`,
    );
    expect((await fetch(`${cash.url}/health/ready`)).status).toBe(200); // the same URL, so the same port

    // A new conference at cloud 1 lands on cloud 1's CoreMX again once the registries see it alive (while it
    // was down one may land on cloud 2's: those are left alone), and the join through the restarted CASH works.
    let n = 0;
    const again = await eventually(
      async () => {
        const result = await createAndJoin(`${prefix}-after-${(n += 1)}`);
        expect(result.coremxId).toBe(cash.coremxId);
        return result;
      },
      { timeoutMs: 120_000, intervalMs: 500, description: `a join through the restarted ${part}` },
    );
    expect(again.joined).toMatchObject({ type: 'joined' });

    expect(platform.restarts()).toEqual([{ part, attempt: 1, exit: { code: null, signal: 'SIGKILL' } }]);
    expect(events.filter((e) => e.state === 'crashed')).toEqual([
      expect.objectContaining({ part, exit: { code: null, signal: 'SIGKILL' }, attempt: 1 }),
    ]);
    const after = Object.fromEntries(parts.map((p) => [p, platform.pidOf(p)]));
    expect(after).toEqual({ ...before, [part]: pid });
    // The restart is marked in the service's log, after the first run's lines.
    const log = readFileSync(join(platform.logDir, `${part}.log`), 'utf8');
    expect(log).toMatch(
      new RegExp(`--- \\[hoot\\] \\S+ restart 1 of ${part} \\(it ended: signal SIGKILL\\) ---`),
    );
    expect(log.indexOf('restart 1 of')).toBeGreaterThan(0);
  }, 420_000);

  it('the services that depend on a restarted one reconnect: CASH to its kms-lite and registry, sign-in to auth', async () => {
    const [cash] = platform.cash;
    const kms = `kms-lite-${new URL(platform.kms[0].url).port}`; // cloud 1's, beside its CASH
    const registry = platform.registries[0].registryId; // where createAndJoin creates and joins, cloud 1's
    for (const part of [kms, 'auth', registry]) {
      const old = platform.pidOf(part) as number;
      expect(old).toEqual(expect.any(Number));
      const killedAt = Date.now();
      process.kill(old, 'SIGKILL');
      await readyAgain(part, old);
      const ready = events.find((e) => e.part === part && e.state === 'ready' && e.attempt === 1);
      process.stdout.write(
        `[supervisor] kill -9 of ${part} → ready again: ${(ready?.at ?? 0) - killedAt} ms\n`,
      );
    }
    // CASH's readiness checks its media server: ready again means it reconnected to the new kms-lite.
    await eventually(async () => expect((await fetch(`${cash.url}/health/ready`)).status).toBe(200), {
      timeoutMs: 120_000,
      intervalMs: 200,
      description: `${cash.coremxId} ready over the restarted ${kms}`,
    });
    let n = 0;
    const joined = await eventually(
      async () => {
        const result = await createAndJoin(`${prefix}-deps-${(n += 1)}`); // signs in through auth, too
        expect(result.coremxId).toBe(cash.coremxId);
        return result;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 500,
        description: `a join through ${cash.coremxId} after the restarts`,
      },
    );
    expect(joined.joined).toMatchObject({ type: 'joined' });
    expect(platform.restarts().map((r) => `${r.part}#${r.attempt}`)).toEqual([
      `cash-${cash.coremxId}#1`,
      `${kms}#1`,
      'auth#1',
      `${registry}#1`,
    ]);
  }, 420_000);

  it('stops everything when a service crash-loops, naming it with its last log lines', async () => {
    const part = `cash-${platform.cash[1].coremxId}`;
    const groups = platform.pids();
    let pid = platform.pidOf(part) as number;
    expect(pid).toEqual(expect.any(Number));
    for (let kill = 1; kill <= 3; kill += 1) {
      process.kill(pid, 'SIGKILL');
      if (kill < 3) pid = await readyAgain(part, pid);
    }
    const loop = await platform.crashLoop;
    expect(loop).toMatchObject({ part, crashes: 3, lastExit: { code: null, signal: 'SIGKILL' } });
    expect(loop.message).toBe(
      `${part} crashed 3 times within 600 s (last: signal SIGKILL); not restarting it again`,
    );
    expect(loop.lastOutput.length).toBeGreaterThan(0);
    expect(events).toContainEqual(
      expect.objectContaining({ part, state: 'crash-loop', error: loop.lastOutput }),
    );
    expect(
      platform
        .restarts()
        .filter((r) => r.part === part)
        .map((r) => r.attempt),
    ).toEqual([1, 2]);
    // Everything was stopped (crashLoop resolves only after that): nothing of the run is left.
    await eventually(
      () => expect(processesOfRun(platform.runId, [...groups, ...platform.pids()])).toEqual([]),
      {
        timeoutMs: 10_000,
        description: 'no process of the run left',
      },
    );
    expect(platform.cash.map((c) => platform.pidOf(`cash-${c.coremxId}`))).toEqual([undefined, undefined]);
  }, 420_000);
});

describe('the platform supervisor stopped while a crashed service waits for its restart (Ctrl-C during a backoff)', () => {
  it('stops everything, the crashed service is never started again, nothing of the run is left', async () => {
    const events: PlatformProgress[] = [];
    const platform = await startPlatform({
      mode: 'test',
      ...integrationInfra(),
      kmsEngine: 'fake',
      // A backoff far longer than the spec, so that the stop surely comes during it.
      supervise: { backoffMs: { initial: 600_000, max: 600_000 } },
      onProgress: (e) => events.push(e),
    });
    try {
      const part = `cash-${platform.cash[0].coremxId}`;
      const groups = platform.pids();
      process.kill(platform.pidOf(part) as number, 'SIGKILL');
      await eventually(
        () => expect(events).toContainEqual(expect.objectContaining({ part, state: 'crashed' })),
        {
          timeoutMs: 60_000,
          description: `${part} seen crashed`,
        },
      );
      expect(events.find((e) => e.state === 'crashed')).toMatchObject({ restartInMs: 600_000, attempt: 1 });
      await platform.stop();
      await eventually(
        () => expect(processesOfRun(platform.runId, [...groups, ...platform.pids()])).toEqual([]),
        {
          timeoutMs: 10_000,
          description: 'no process of the run left',
        },
      );
      expect(platform.restarts()).toEqual([]);
      expect(events.filter((e) => e.attempt !== undefined).map((e) => `${e.part} ${e.state}`)).toEqual([
        `${part} crashed`,
      ]);
    } finally {
      await platform.stop();
    }
  }, 300_000);
});
