import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPlatform, type RunningPlatform } from '@hoot/platform';
import { eventually, freePort, integrationInfra, startKubeApiserver, workspaceRoot } from '@hoot/testing';
import WebSocket from 'ws';

/**
 * The real `hoot` binary (apps/cli/bin/hoot.js, as a child process) against the platform `npm start` runs,
 * started by the same launcher (`startPlatform` of `@hoot/platform`, test mode: free ports, temporary
 * folders, kms-lite on its fake engine): auth with the demo users and the operators' service account, two
 * registry nodes in two clouds, two CASH. Kafka and the MongoDB-protocol server are the integration run's.
 */
const prefix = `cliit${Date.now().toString(36)}`;
const HOOT_BIN = join(workspaceRoot(), 'apps/cli/bin/hoot.js');
const KUBECTL_HOOT_BIN = join(workspaceRoot(), 'apps/cli/bin/kubectl-hoot.js');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk the JSON freely
type Json = Record<string, any>;

interface HootRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('hoot CLI against the platform npm start runs', () => {
  const infra = integrationInfra();
  const configDir = mkdtempSync(join(tmpdir(), 'hoot-cli-it-'));
  let platform: RunningPlatform | undefined;
  // Cloud 1's registry node and CoreMX (where `hoot conferences create` lands), and cloud 2's.
  let REGISTRY_ID = '';
  let registryUrl = '';
  let COREMX_ID = '';
  let cashUrl = '';
  let signalingUrl = '';
  let OTHER_REGISTRY_ID = '';
  let otherRegistryUrl = '';
  let OTHER_COREMX_ID = '';
  const followers: ChildProcess[] = [];

  /** Runs `hoot …` to its end; HOOT_* and cluster variables of the runner are not passed on. */
  const hoot = (args: string[], stdin?: string, bin = HOOT_BIN): Promise<HootRun> =>
    new Promise((resolve, reject) => {
      const child = spawnHoot(args, bin);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d) => (stdout += String(d)));
      child.stderr?.on('data', (d) => (stderr += String(d)));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin?.end(stdin ?? '');
    });

  const spawnHoot = (args: string[], bin = HOOT_BIN): ChildProcess => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (!k.startsWith('HOOT_') && !k.startsWith('KUBERNETES_') && k !== 'KUBECONFIG') env[k] = v;
    }
    return spawn(process.execPath, [bin, ...args], {
      cwd: workspaceRoot(),
      env: { ...env, HOOT_CONFIG_DIR: configDir, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  };

  const ok = async (args: string[], stdin?: string): Promise<string> => {
    const run = await hoot(args, stdin);
    if (run.code !== 0) throw new Error(`hoot ${args.join(' ')} → ${run.code}: ${run.stderr}`);
    return run.stdout;
  };
  const okJson = async (args: string[]): Promise<Json> =>
    JSON.parse(await ok([...args, '-o', 'json'])) as Json;

  /** alice's demo password, as `npm start` prints it. */
  const alicePassword = (): string => {
    if (!platform) throw new Error('the platform is not started');
    return platform.users.alice.password;
  };
  const operatorKey = (): string => {
    if (!platform) throw new Error('the platform is not started');
    return platform.operator.apiKey;
  };

  beforeAll(async () => {
    platform = await startPlatform({ mode: 'test', ...infra, kmsEngine: 'fake' });
    const [c1, c2] = platform.registries;
    const [cash1, cash2] = platform.cash;
    if ([c1.cloud, c2.cloud, cash1.cloud, cash2.cloud].join() !== 'c1,c2,c1,c2')
      throw new Error('the platform is not one registry node and one CoreMX per cloud, c1 then c2');
    ({ registryId: REGISTRY_ID, url: registryUrl } = c1);
    ({ registryId: OTHER_REGISTRY_ID, url: otherRegistryUrl } = c2);
    ({ coremxId: COREMX_ID, url: cashUrl, signalingUrl } = cash1);
    OTHER_COREMX_ID = cash2.coremxId;
  }, 900_000);

  afterAll(async () => {
    for (const child of followers) if (child.exitCode === null) child.kill('SIGKILL');
    await platform?.stop();
    rmSync(configDir, { recursive: true, force: true });
  }, 120_000);

  it('refuses a wrong password with exit 1 and the server code, and stores nothing', async () => {
    const run = await hoot(
      ['login', '-u', 'alice', '--password-stdin', '--registry', registryUrl],
      'wrong\n',
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: auth.invalid-credentials');
    expect(() => statSync(join(configDir, 'credentials.json'))).toThrow();
  });

  it('exits 3 when no registry answers', async () => {
    const deadPort = await freePort();
    const run = await hoot(
      ['login', '-u', 'alice', '--password-stdin', '--registry', `http://127.0.0.1:${deadPort}`],
      `${alicePassword()}\n`,
    );
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('sdk.registry-unavailable');
  });

  it('logs in and keeps the token 0600', async () => {
    const out = await ok(
      ['login', '-u', 'alice', '--password-stdin', '--registry', registryUrl],
      `${alicePassword()}\n`,
    );
    expect(out).toContain(`Logged in as alice at ${registryUrl}`);
    expect(statSync(join(configDir, 'credentials.json')).mode & 0o777).toBe(0o600);
  });

  it('sees the CoreMX, the registries and the GCAS', async () => {
    const coremx = await eventually(
      async () => {
        const answer = await okJson(['coremx', 'list']);
        const entry = (answer['coremx'] as Json[]).find((c) => c['coremxId'] === COREMX_ID);
        if (!entry || entry['state'] !== 'active' || entry['liveness'] !== 'alive')
          throw new Error('not yet');
        return entry;
      },
      { timeoutMs: 30_000, intervalMs: 500, description: `${COREMX_ID} active at the registry` },
    );
    expect(coremx['signalingUrl']).toBe(signalingUrl);
    const table = await ok(['coremx', 'list']);
    expect(table.split('\n')[0]).toMatch(
      /^COREMX +CLOUD +STATE +LIVENESS +LOAD +ROOMS +PARTICIPANTS +REGISTRY +API$/,
    );
    expect(table).toMatch(new RegExp(`^${COREMX_ID} .* active +alive .* ${REGISTRY_ID} +${cashUrl}$`, 'm'));

    // Both clouds' CoreMX, each reported by its own cloud's registry node.
    await eventually(
      async () => {
        const all = (await okJson(['coremx', 'list']))['coremx'] as Json[];
        const other = all.find((c) => c['coremxId'] === OTHER_COREMX_ID);
        expect(other).toMatchObject({ cloud: 'c2', state: 'active', liveness: 'alive' });
      },
      { timeoutMs: 30_000, intervalMs: 500, description: `${OTHER_COREMX_ID} alive at ${REGISTRY_ID}` },
    );

    const registries = await ok(['registries']);
    expect(registries).toMatch(new RegExp(`^${REGISTRY_ID} +c1 +1 .* alive +yes .* ${registryUrl}$`, 'm'));
    expect(registries).toMatch(
      new RegExp(`^${OTHER_REGISTRY_ID} +c2 +1 .* alive +yes .* ${otherRegistryUrl}$`, 'm'),
    );

    const gcas = await okJson(['gcas']);
    expect(gcas['registryId']).toBe(REGISTRY_ID);
    expect(Object.keys(gcas['gcas'][REGISTRY_ID]['coremx'])).toContain(COREMX_ID);
    expect(await ok(['gcas'])).toMatch(new RegExp(`^${REGISTRY_ID} +coremx +${COREMX_ID} `, 'm'));
  });

  it('creates, lists, shows a conference and prints its join URL', async () => {
    const created = await ok([
      'conferences',
      'create',
      '--id',
      `${prefix}-a`,
      '--type',
      'm2m',
      '--max-participants',
      '5',
      '--allow',
      'bob',
    ]);
    expect(created).toContain(`Conference ${prefix}-a created.`);
    expect(created).toMatch(
      new RegExp(`^address: +hoot\\.mx://${prefix}-a@${COREMX_ID}\\.c1\\.hoot\\.mx$`, 'm'),
    );
    // Idempotent for its owner.
    expect((await okJson(['conferences', 'create', '--id', `${prefix}-a`, '--type', 'm2m']))['created']).toBe(
      false,
    );
    await ok(['conferences', 'create', '--id', `${prefix}-b`, '--type', 'p2p']);

    const list = await ok(['conferences', 'list']);
    expect(list.split('\n')[0]).toMatch(/^ID +TYPE +STATUS +PARTICIPANTS +COREMX +CREATED +ADDRESS$/);
    expect(list).toMatch(new RegExp(`^${prefix}-a +m2m +reserved +0 +${COREMX_ID} `, 'm'));
    expect(list).toMatch(new RegExp(`^${prefix}-b +p2p `, 'm'));
    const paged = await hoot(['conferences', 'list', '--limit', '1', '-o', 'json']);
    expect(JSON.parse(paged.stdout)).toMatchObject({ items: [{ id: `${prefix}-a` }], next: `${prefix}-a` });
    const all = await okJson(['conferences', 'list', '--all', '--limit', '1']);
    expect(all['items'].map((c: Json) => c['id'])).toEqual([`${prefix}-a`, `${prefix}-b`]);

    const shown = await okJson(['conferences', 'show', `${prefix}-a`]);
    expect(shown).toMatchObject({
      id: `${prefix}-a`,
      type: 'm2m',
      status: 'reserved',
      maxParticipants: 5,
      coremxId: COREMX_ID,
    });
    const shownTable = await ok(['conferences', 'show', `${prefix}-a`]);
    expect(shownTable).toMatch(/^status: +reserved$/m);
    // People by name (the registry asks auth), not by account id.
    expect(shownTable).toMatch(/^owner: +alice$/m);
    expect(shownTable).toMatch(/^allowed: +bob$/m);

    const url = (await ok(['join-url', shown['address']])).trim();
    expect(url).toMatch(new RegExp(`^${registryUrl}/join/${prefix}-a#ticket=[\\w.-]+&`));
    const answer = await okJson(['join-url', `${prefix}-a`]);
    expect(answer).toMatchObject({
      conferenceId: `${prefix}-a`,
      coremxId: COREMX_ID,
      signalingUrl,
      role: 'publisher',
    });

    // The same address through cloud 2's registry node: it learnt the conference from Kafka.
    const viaOtherCloud = await eventually(
      async () => okJson(['join-url', shown['address'], '--registry', otherRegistryUrl]),
      {
        timeoutMs: 30_000,
        intervalMs: 300,
        description: `${prefix}-a joinable through ${OTHER_REGISTRY_ID}`,
      },
    );
    expect(viaOtherCloud).toMatchObject({ conferenceId: `${prefix}-a`, coremxId: COREMX_ID, signalingUrl });
    expect(viaOtherCloud['webUrl']).toMatch(new RegExp(`^${otherRegistryUrl}/join/${prefix}-a#ticket=`));

    const missing = await hoot(['conferences', 'show', `${prefix}-zzz`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error: conference.not-found');
  });

  it('events --follow prints the events of a session as they happen; without --follow it stops at the end', async () => {
    const conferenceId = `${prefix}-live`;
    const follower = spawnHoot([
      'events',
      '--coremx',
      COREMX_ID,
      '--follow',
      '--from-beginning',
      '--brokers',
      infra.kafkaBrokers.join(','),
    ]);
    followers.push(follower);
    let followed = '';
    let followErr = '';
    follower.stdout?.on('data', (d) => (followed += String(d)));
    follower.stderr?.on('data', (d) => (followErr += String(d)));

    await ok(['conferences', 'create', '--id', conferenceId, '--type', 'm2m']);
    const join = await okJson(['join-url', conferenceId]);
    const socket = new WebSocket(join['signalingUrl']);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      const joined = await new Promise<Json>((resolve, reject) => {
        socket.on('message', (data) => {
          const message = JSON.parse(String(data)) as Json;
          if (message['type'] === 'joined' || message['type'] === 'error') resolve(message);
        });
        socket.once('close', () => reject(new Error('signaling closed before an answer')));
        socket.send(JSON.stringify({ type: 'join', id: '1', ticket: join['ticket'] }));
      });
      expect(joined['type']).toBe('joined');

      const lineOf = (type: string) =>
        new RegExp(`^\\S+  #\\d+  ${conferenceId}  ${type.replace('.', '\\.')}(  |$)`, 'm');
      await eventually(
        () => {
          expect(followed).toMatch(lineOf('room.reserved'));
          expect(followed).toMatch(lineOf('participant.joined'));
        },
        {
          timeoutMs: 30_000,
          intervalMs: 200,
          description: `events of ${conferenceId} (stderr: ${followErr})`,
        },
      );
      expect(followed).toMatch(new RegExp(`${conferenceId}  participant\\.joined  participantId=p-`));
    } finally {
      socket.close();
    }
    const exited = new Promise<number | null>((resolve) => follower.once('close', resolve));
    follower.kill('SIGINT');
    expect(await exited).toBe(0);

    const stored = await hoot([
      'events',
      '--coremx',
      COREMX_ID,
      '--brokers',
      infra.kafkaBrokers.join(','),
      '-o',
      'json',
    ]);
    expect(stored.code).toBe(0);
    const events = stored.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json)
      .filter((e) => e['conferenceId'] === conferenceId);
    expect(events[0]['type']).toBe('room.reserved');
    expect(events.map((e) => e['type'])).toContain('participant.joined');
    expect(events.map((e) => e['seq'])).toEqual(events.map((_, i) => i + 1));
  });

  it('ends a conference; joins are refused afterwards', async () => {
    expect(await ok(['conferences', 'end', `${prefix}-a`])).toBe(`Conference ${prefix}-a ended.\n`);
    expect((await okJson(['conferences', 'show', `${prefix}-a`]))['status']).toBe('ended');
    const refused = await hoot(['join-url', `${prefix}-a`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: conference.ended');
  });

  it('as kubectl-hoot, finds the registry Services through the Kubernetes API', async () => {
    const kube = await startKubeApiserver();
    try {
      const ca = readFileSync(kube.caFile);
      const post = (path: string, body: unknown) =>
        new Promise<number>((resolve, reject) => {
          const req = request(
            `${kube.server}${path}`,
            {
              method: 'POST',
              ca,
              headers: { authorization: `Bearer ${kube.token}`, 'content-type': 'application/json' },
            },
            (res) => {
              res.resume();
              res.once('end', () => resolve(res.statusCode ?? 0));
            },
          );
          req.once('error', reject);
          req.end(JSON.stringify(body));
        });
      expect(await post('/api/v1/namespaces', { metadata: { name: 'hoot' } })).toBe(201);
      // As the chart makes them: one Service per registry node, its public URL in the hoot.mx/url annotation.
      const service = (registryId: string, url: string) => ({
        metadata: {
          name: registryId,
          labels: { 'app.kubernetes.io/component': 'registry', 'hoot.mx/registry-id': registryId },
          annotations: { 'hoot.mx/url': url },
        },
        spec: { ports: [{ name: 'http', port: 3200, targetPort: 3200 }] },
      });
      const deadUrl = `http://127.0.0.1:${await freePort()}`;
      expect(await post('/api/v1/namespaces/hoot/services', service('reg-c1-1', registryUrl))).toBe(201);
      expect(await post('/api/v1/namespaces/hoot/services', service('reg-c1-2', deadUrl))).toBe(201);

      const run = await hoot(
        ['registries', '--kubeconfig', kube.kubeconfigPath, '-n', 'hoot'],
        undefined,
        KUBECTL_HOOT_BIN,
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^${REGISTRY_ID} +c1 +1 `, 'm'));
      // hoot itself asks the cluster when given a context.
      const viaContext = await hoot([
        'coremx',
        'list',
        '--kubeconfig',
        kube.kubeconfigPath,
        '--context',
        'hoot-test',
        '-n',
        'hoot',
      ]);
      expect(viaContext.code).toBe(0);
      expect(viaContext.stdout).toContain(COREMX_ID);
      // A namespace without registry Services: the cluster's answer, exit 1.
      const none = await hoot(
        ['registries', '--kubeconfig', kube.kubeconfigPath],
        undefined,
        KUBECTL_HOOT_BIN,
      );
      expect(none.code).toBe(1);
      expect(none.stderr).toContain("error: k8s.service-not-found: no service in namespace 'default'");
    } finally {
      await kube.stop();
    }
  }, 240_000);

  it('logs out', async () => {
    expect(await ok(['logout'])).toContain('Logged out');
    const after = await hoot(['conferences', 'list']);
    expect(after).toMatchObject({ code: 1, stderr: expect.stringContaining('cli.not-logged-in') });
  });

  it("after logout too: drains and undrains the CoreMX through its CASH with the operators' service API key alone", async () => {
    const noKey = await hoot(['coremx', 'drain', COREMX_ID, '--registry', registryUrl]);
    expect(noKey.code).toBe(2);
    const drained = await hoot([
      'coremx',
      'drain',
      COREMX_ID,
      '--deadline-ms',
      '60000',
      '-o',
      'json',
      '--api-key',
      operatorKey(),
      '--registry',
      registryUrl,
    ]);
    expect(drained.code).toBe(0);
    expect(JSON.parse(drained.stdout)).toMatchObject({ coremxId: COREMX_ID, state: 'draining' });
    const back = await hoot([
      'coremx',
      'undrain',
      COREMX_ID,
      '-o',
      'json',
      '--api-key',
      operatorKey(),
      '--registry',
      otherRegistryUrl,
    ]);
    expect(JSON.parse(back.stdout)).toMatchObject({ state: 'active' });
    const badKey = await hoot([
      'coremx',
      'status',
      COREMX_ID,
      '--api-key',
      'hk_AAAAAAAAAAAAAAAA_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '--registry',
      registryUrl,
    ]);
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain('error: auth.invalid-credentials');
  });
});
