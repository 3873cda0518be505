import { CliHarness, FakeClusterTunnel, FakeEventSource, sampleCoreMx } from './testing/cli-harness';
import { fakeFetch } from './cli.runner.fixture';

describe('hoot (in-process, fake client)', () => {
  describe('gcas, registries, coremx list', () => {
    it('gcas has a row per versioned entry', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.gcas = () => ({
        registryId: 'reg-c1-1',
        gcas: {
          'reg-c1-1': {
            meta: { version: { incarnation: 2, seq: 40 }, candidates: { a: {} } },
            coremx: { 'coremx-1': { version: { incarnation: 1, seq: 9 }, candidates: { a: {}, b: {} } } },
          },
        },
      });
      const { stdout } = await h.run('gcas');
      expect(stdout.split('\n')).toEqual([
        'REGISTRY   KIND       KEY        VERSION   CANDIDATES',
        'reg-c1-1   registry   reg-c1-1      2.40            1',
        'reg-c1-1   coremx     coremx-1       1.9            2',
        '',
      ]);
    });

    it('registries lists liveness, primary and load', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.registries = () => ({
        registryId: 'reg-c1-1',
        primaries: { c1: 'reg-c1-1' },
        registries: [
          {
            registryId: 'reg-c1-1',
            cloud: 'c1',
            priority: 1,
            url: 'http://r1',
            region: 'eu',
            latitude: 0,
            longitude: 0,
            liveness: 'alive',
            primary: true,
            self: true,
            silentForMs: 0,
            heartbeat: { incarnation: 1, seq: 2 },
            load: 0.5,
            coremx: 1,
          },
        ],
      });
      const { stdout } = await h.run('registries');
      expect(stdout).toContain(
        'REGISTRY   CLOUD   PRIORITY   REGION   LIVENESS   PRIMARY   LOAD   COREMX   URL',
      );
      expect(stdout).toContain(
        'reg-c1-1   c1             1   eu       alive      yes        50%        1   http://r1',
      );
    });

    it('coremx list shows the CASH API URL derived from the signaling URL', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.coremx = () => ({
        registryId: 'reg-c1-1',
        coremx: [
          sampleCoreMx(),
          sampleCoreMx({
            coremxId: 'coremx-2',
            apiUrl: 'https://cash-2.internal/',
            signalingUrl: 'wss://x/signal',
          }),
        ],
      });
      const { stdout } = await h.run('coremx', 'list');
      expect(stdout).toMatch(/^coremx-1 .* 13% .* http:\/\/10\.0\.0\.5:3300$/m);
      expect(stdout).toMatch(/^coremx-2 .* https:\/\/cash-2\.internal$/m);
      const json = await h.run('coremx', 'list', '-o', 'json');
      expect(JSON.parse(json.stdout).coremx).toHaveLength(2);
    });
  });

  describe('coremx drain, undrain, status', () => {
    const status = {
      coremxId: 'coremx-1',
      state: 'draining',
      load: 0.1,
      rooms: 2,
      participants: 3,
      drain: { draining: true },
    };

    it('drain exchanges the API key for a service token, finds the CASH at the registry with it and calls it (no user login)', async () => {
      const seen: { url: string; init: unknown }[] = [];
      const h = new CliHarness({
        env: { apiKey: 'hk_env' },
        fetch: fakeFetch({ 'POST http://10.0.0.5:3300/internal/v1/coremx/drain': [202, status] }, seen),
      });
      const { code, stdout } = await h.run(
        'coremx',
        'drain',
        'coremx-1',
        '--deadline-ms',
        '60000',
        '--registry',
        'http://reg.test',
      );
      expect(code).toBe(0);
      expect(h.clients.flatMap((c) => c.calls.map((x) => [x.method, ...x.args]))).toEqual([
        ['signInWithApiKey', 'hk_env'],
        ['serviceCoremx'],
      ]);
      expect(seen[0].init).toMatchObject({
        method: 'POST',
        headers: { authorization: 'Bearer service-token', 'content-type': 'application/json' },
        body: '{"deadlineMs":60000}',
      });
      expect(stdout).toContain('CoreMX coremx-1 is draining.');
      expect(stdout).toMatch(/^state: +draining$/m);
    });

    it('--api-key wins over HOOT_API_KEY; undrain sends no body; -o json prints the status', async () => {
      const seen: { url: string; init: unknown }[] = [];
      const h = new CliHarness({
        env: { apiKey: 'hk_env' },
        fetch: fakeFetch(
          { 'POST http://10.0.0.5:3300/internal/v1/coremx/undrain': [200, { ...status, state: 'active' }] },
          seen,
        ),
      });
      await h.login();
      const { stdout } = await h.run('coremx', 'undrain', 'coremx-1', '--api-key', 'hk_flag', '-o', 'json');
      expect(h.clients[0].calls).toEqual([
        { method: 'signInWithApiKey', args: ['hk_flag'] },
        { method: 'serviceCoremx', args: [] },
      ]);
      expect(seen[0].init).not.toHaveProperty('body');
      expect(JSON.parse(stdout)).toMatchObject({ state: 'active' });
    });

    it('status reads the CASH status', async () => {
      const h = new CliHarness({
        env: { apiKey: 'k' },
        fetch: fakeFetch({ 'GET http://10.0.0.5:3300/internal/v1/coremx/status': [200, status] }),
      });
      await h.login();
      expect((await h.run('coremx', 'status', 'coremx-1')).stdout).toMatch(/^rooms: +2$/m);
    });

    it('no API key is a usage error before anything is asked', async () => {
      const h = new CliHarness();
      await h.login();
      const { code, stderr } = await h.run('coremx', 'drain', 'coremx-1');
      expect(code).toBe(2);
      expect(stderr).toContain('cli.api-key-missing');
      expect(h.clients).toHaveLength(0);
    });

    it('an unknown CoreMX is exit 1 and names the known ones', async () => {
      const h = new CliHarness({ env: { apiKey: 'k' } });
      await h.login();
      const { code, stderr } = await h.run('coremx', 'drain', 'coremx-9');
      expect(code).toBe(1);
      expect(stderr).toContain("cli.coremx-not-found: no CoreMX 'coremx-9' (known: coremx-1)");
    });

    it("the CASH's refusal is exit 1 with its code; a CASH that does not answer is exit 3", async () => {
      const h = new CliHarness({
        env: { apiKey: 'k' },
        fetch: fakeFetch({
          'POST http://10.0.0.5:3300/internal/v1/coremx/drain': [
            403,
            { code: 'auth.forbidden', detail: 'not a service' },
          ],
        }),
      });
      await h.login();
      expect(await h.run('coremx', 'drain', 'coremx-1')).toMatchObject({
        code: 1,
        stderr: 'error: auth.forbidden: not a service\n',
      });
      const dead = await h.run('coremx', 'undrain', 'coremx-1');
      expect(dead.code).toBe(3);
      expect(dead.stderr).toContain(
        'cli.unreachable: CASH of coremx-1 at http://10.0.0.5:3300/internal/v1/coremx/undrain did not answer',
      );
    });
  });

  describe('kubectl hoot outside the cluster: the CASH through the Kubernetes API', () => {
    const podHost = 'hoot-coremx-c2-0.hoot-coremx-c2.hoot.svc';
    const inCluster = sampleCoreMx({ apiUrl: `http://${podHost}:3300` });
    const drained = { coremxId: 'coremx-1', state: 'draining' };

    it('a cluster-DNS API URL goes through the tunnel, with a notice on stderr', async () => {
      const direct: { url: string; init: unknown }[] = [];
      const tunnelled: { url: string; init: unknown }[] = [];
      const tunnel = new FakeClusterTunnel(
        [podHost],
        fakeFetch({ [`POST http://${podHost}:3300/internal/v1/coremx/drain`]: [202, drained] }, tunnelled),
      );
      const h = new CliHarness({
        programName: 'kubectl-hoot',
        env: { apiKey: 'k' },
        tunnel,
        fetch: fakeFetch({}, direct),
      });
      h.answers = { serviceCoremx: () => ({ registryId: 'reg-c1-1', coremx: [inCluster] }) };
      const { code, stdout, stderr } = await h.run('coremx', 'drain', 'coremx-1', '-n', 'hoot');
      expect(code).toBe(0);
      expect(stdout).toContain('CoreMX coremx-1 is draining.');
      expect(stderr).toContain(`connecting to ${podHost} through the Kubernetes API`);
      expect(tunnelled).toHaveLength(1);
      expect(direct).toHaveLength(0);
      expect(tunnel.asked[0].target).toMatchObject({ namespace: 'hoot', inCluster: false });
    });

    it("the tunnel's errors keep their code and message (RBAC → exit 1, no Ready pod → exit 3)", async () => {
      const k8sError = (code: string, message: string) =>
        Object.assign(new Error(message), { name: 'K8sError', code });
      const run = async (error: Error) => {
        const h = new CliHarness({
          programName: 'kubectl-hoot',
          env: { apiKey: 'k' },
          tunnel: new FakeClusterTunnel([podHost], undefined, error),
        });
        h.answers = { serviceCoremx: () => ({ registryId: 'reg-c1-1', coremx: [inCluster] }) };
        return h.run('coremx', 'status', 'coremx-1');
      };
      const forbidden = await run(
        k8sError(
          'k8s.api-forbidden',
          'port-forward to pod hoot-coremx-c2-0 port 3300 in namespace hoot is forbidden (HTTP 403): your Kubernetes user needs "create" on "pods/portforward" in namespace hoot',
        ),
      );
      expect(forbidden.code).toBe(1);
      expect(forbidden.stderr).toContain('error: k8s.api-forbidden: port-forward to pod hoot-coremx-c2-0');
      const noPod = await run(
        k8sError('k8s.no-ready-endpoint', 'no Ready pod behind Service hoot/x port 3300'),
      );
      expect(noPod.code).toBe(3);
    });

    it('plain hoot (no cluster) never asks the tunnel and fetches directly', async () => {
      const tunnel = new FakeClusterTunnel([podHost]);
      const h = new CliHarness({
        env: { apiKey: 'k' },
        tunnel,
        fetch: fakeFetch({ [`GET http://${podHost}:3300/internal/v1/coremx/status`]: [200, drained] }),
      });
      h.answers = { serviceCoremx: () => ({ registryId: 'reg-c1-1', coremx: [inCluster] }) };
      expect((await h.run('coremx', 'status', 'coremx-1', '--registry', 'http://reg.test')).code).toBe(0);
      expect(tunnel.asked).toEqual([]);
    });

    it('events: kubectl hoot hands Kafka a socket factory of the tunnel; plain hoot does not', async () => {
      const tunnel = new FakeClusterTunnel();
      const events = new FakeEventSource();
      const kube = new CliHarness({ programName: 'kubectl-hoot', tunnel, events });
      expect((await kube.run('events', '--coremx', 'coremx-1', '--brokers', 'hoot-kafka:9092')).code).toBe(0);
      expect(typeof events.reads[0].socketFactory).toBe('function');
      expect(tunnel.factories).toHaveLength(1);
      const plainEvents = new FakeEventSource();
      const plain = new CliHarness({ tunnel, events: plainEvents });
      await plain.run('events', '--coremx', 'coremx-1', '--brokers', '127.0.0.1:9092');
      expect(plainEvents.reads[0].socketFactory).toBeUndefined();
      expect(tunnel.factories).toHaveLength(1);
    });
  });
});
