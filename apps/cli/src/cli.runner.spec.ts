import { statSync, readFileSync, writeFileSync } from 'node:fs';
import { HootApiError, HootClient, type FetchLike } from '@hoot/sdk';
import { describeError } from './cli.runner';
import type { CcesEvent } from '@hoot/events';
import {
  CliHarness,
  FakeClusterTunnel,
  FakeEventSource,
  FakeRegistryLocator,
  memoryStdin,
  sampleConference,
  sampleCoreMx,
} from './testing/cli-harness';

const refusal = (status: number, code: string, detail: string, retryAfterMs?: number) =>
  new HootApiError(status, code, 'Refused', detail, retryAfterMs, { code, detail }, 'reg-c1-1');

/** A fetch answering from a table of `METHOD url` → [status, body]; anything else fails like a dead host. */
function fakeFetch(
  routes: Record<string, [number, unknown]>,
  seen: { url: string; init: unknown }[] = [],
): FetchLike {
  return async (url, init) => {
    seen.push({ url, init });
    const route = routes[`${init.method} ${url}`];
    if (!route) throw new TypeError('fetch failed');
    const [status, body] = route;
    const json = status >= 400 ? 'application/problem+json' : 'application/json';
    return {
      status,
      headers: { forEach: (cb) => cb(json, 'content-type') },
      text: async () => (body === undefined ? '' : JSON.stringify(body)),
    };
  };
}

describe('hoot (in-process, fake client)', () => {
  describe('help, version and usage errors', () => {
    it('prints help with exit 0 and the commands', async () => {
      const h = new CliHarness();
      const { code, stdout } = await h.run('--help');
      expect(code).toBe(0);
      expect(stdout).toContain('conferences create');
      expect(stdout).toContain('Exit codes: 0 ok, 1 the server refused, 2 usage error, 3 unreachable.');
    });

    it('prints a command help with its flags and examples', async () => {
      const { code, stdout } = await new CliHarness().run('coremx', 'drain', '--help');
      expect(code).toBe(0);
      expect(stdout).toContain('--deadline-ms N');
      expect(stdout).toContain('Examples:');
    });

    it('as kubectl-hoot, help speaks of `kubectl hoot`', async () => {
      const { stdout } = await new CliHarness({ programName: 'kubectl-hoot' }).run('--help');
      expect(stdout).toContain('Usage: kubectl hoot COMMAND [flags]');
    });

    it('prints the version', async () => {
      expect(await new CliHarness().run('--version')).toMatchObject({ code: 0, stdout: 'hoot 9.9.9\n' });
    });

    it.each([
      [[], 'Usage: hoot COMMAND'],
      [['nope'], "unknown command 'nope'"],
      [['conferences', 'nope'], "unknown command 'conferences nope'"],
      [['conferences'], 'Usage: hoot conferences create|list|show|end'],
      [['conferences', 'list', '--bogus'], 'unknown flag --bogus'],
      [['conferences', 'list', '--limit', '0'], '--limit must be between 1 and 100'],
      [['conferences', 'create'], '--type is required'],
      [['conferences', 'create', '--type', 'x2y'], '--type must be one of m2m, a2m, p2m, p2p'],
      [['conferences', 'create', '--type', 'm2m', '--id', 'No'], '--id must match'],
      // The registry API contract's bound (the CLI allowed up to 1,000,000 and let the registry refuse it).
      [
        ['conferences', 'create', '--type', 'm2m', '--max-participants', '100001'],
        '--max-participants must be between 1 and 100000',
      ],
      [['conferences', 'show'], 'a conference ID is required'],
      [['conferences', 'show', 'a', 'b'], "unexpected argument 'b'"],
      [['gcas', '-o', 'yaml'], '-o must be table or json'],
      [['events'], '--coremx is required'],
      [['events', '--coremx', 'c1'], 'no Kafka brokers'],
      [['events', '--coremx', 'c1', '--brokers', 'nohostport'], '--brokers takes HOST:PORT'],
    ])('%j is a usage error (exit 2) saying %s, and nothing is asked of a server', async (argv, message) => {
      const h = new CliHarness();
      const { code, stderr, stdout } = await h.run(...argv);
      expect(code).toBe(2);
      expect(stderr).toContain(message);
      expect(stdout).toBe('');
      expect(h.clients).toHaveLength(0);
    });

    it('points at the command help after a usage error', async () => {
      const { stderr } = await new CliHarness().run('conferences', 'list', '--bogus');
      expect(stderr).toBe(
        "error: cli.usage-invalid: unknown flag --bogus\nRun 'hoot conferences list --help' for usage.\n",
      );
    });
  });

  describe('login and logout', () => {
    it('signs in with the password from stdin and stores token and registries 0600', async () => {
      const h = new CliHarness({ stdin: memoryStdin('s3cret\nignored\n') });
      const { code, stdout } = await h.run(
        'login',
        '--username',
        'alice',
        '--password-stdin',
        '--registry',
        'http://r1:3200/,http://r2:3200',
      );
      expect(code).toBe(0);
      expect(h.clients[0].calls).toEqual([{ method: 'signIn', args: ['alice', 's3cret'] }]);
      expect(h.clients[0].registryUrls).toEqual(['http://r1:3200', 'http://r2:3200']);
      expect(stdout).toBe(
        'Logged in as alice at http://r1:3200, http://r2:3200 (token valid until 2026-11-23T11:00:00.000Z).\n',
      );
      expect(stdout).not.toContain('user-token');
      expect(statSync(h.credentialsPath).mode & 0o777).toBe(0o600);
      expect(JSON.parse(readFileSync(h.credentialsPath, 'utf8'))).toEqual({
        username: 'alice',
        registryUrls: ['http://r1:3200', 'http://r2:3200'],
        accessToken: 'user-token',
        expiresAt: '2026-11-23T11:00:00.000Z',
      });
    });

    it('later commands use the stored registries and token', async () => {
      const h = new CliHarness();
      await h.login('http://r9:3200');
      await h.run('conferences', 'list');
      expect(h.clients[0]).toMatchObject({ registryUrls: ['http://r9:3200'], token: 'user-token' });
    });

    it('without a terminal it needs --username and --password-stdin', async () => {
      const h = new CliHarness();
      expect((await h.run('login', '--registry', 'http://r1')).stderr).toContain('--username is required');
      const noPw = await h.run('login', '-u', 'alice', '--registry', 'http://r1');
      expect(noPw.code).toBe(2);
      expect(noPw.stderr).toContain('hint: pass it on stdin with --password-stdin');
    });

    it('a refused sign-in is exit 1 with the server code, and nothing is stored', async () => {
      const h = new CliHarness({ stdin: memoryStdin('wrong\n') });
      h.answers.signIn = () => {
        throw refusal(401, 'auth.invalid-credentials', 'wrong username or password');
      };
      const { code, stderr } = await h.run(
        'login',
        '-u',
        'alice',
        '--password-stdin',
        '--registry',
        'http://r1',
      );
      expect(code).toBe(1);
      expect(stderr).toContain('error: auth.invalid-credentials: wrong username or password');
      expect(() => statSync(h.credentialsPath)).toThrow();
    });

    it('refuses a registry that is not an http(s) URL', async () => {
      const h = new CliHarness({ stdin: memoryStdin('pw\n') });
      const { code, stderr } = await h.run('login', '-u', 'a', '--password-stdin', '--registry', 'ftp://x');
      expect(code).toBe(2);
      expect(stderr).toContain("not an http(s) URL: 'ftp://x'");
    });

    it('logout removes the file; again says so', async () => {
      const h = new CliHarness();
      await h.login();
      expect((await h.run('logout')).stdout).toContain('Logged out');
      expect(() => statSync(h.credentialsPath)).toThrow();
      expect(await h.run('logout', '-o', 'json')).toMatchObject({
        code: 0,
        stdout: expect.stringContaining('"removed": false'),
      });
    });

    it('commands that need a token say so before asking anything (exit 1)', async () => {
      const h = new CliHarness();
      const { code, stderr } = await h.run('conferences', 'list', '--registry', 'http://r1');
      expect(code).toBe(1);
      expect(stderr).toBe('error: cli.not-logged-in: not logged in\nhint: run: hoot login\n');
      expect(h.clients).toHaveLength(0);
    });

    it('without any registry it is a usage error', async () => {
      const h = new CliHarness({ stdin: memoryStdin('pw\n') });
      const { code, stderr } = await h.run('login', '-u', 'a', '--password-stdin');
      expect(code).toBe(2);
      expect(stderr).toContain('cli.no-registry');
    });
  });

  describe('registry resolution', () => {
    it('--registry wins over HOOT_REGISTRY, which wins over the stored ones', async () => {
      const h = new CliHarness({ env: { registry: 'http://env:1' } });
      await h.login('http://stored:1');
      await h.run('gcas');
      await h.run('gcas', '--registry', 'http://flag:1', '--registry', 'http://flag:2');
      expect(h.clients.map((c) => c.registryUrls)).toEqual([
        ['http://env:1'],
        ['http://flag:1', 'http://flag:2'],
      ]);
    });

    it('as kubectl-hoot it finds the registry Services through the cluster', async () => {
      const kube = new FakeRegistryLocator(['http://reg-c1-1.hoot.svc:3200']);
      const h = new CliHarness({ programName: 'kubectl-hoot', kube });
      await h.login('http://stored:1');
      const { code, stderr } = await h.run('coremx', 'list', '-n', 'hoot', '--context', 'prod');
      expect(code).toBe(0);
      expect(kube.targets.at(-1)).toEqual({
        context: 'prod',
        namespace: 'hoot',
        kubeconfig: undefined,
        inCluster: false,
        selector: 'app.kubernetes.io/component=registry',
      });
      expect(h.clients[0].registryUrls).toEqual(['http://reg-c1-1.hoot.svc:3200']);
      expect(stderr).toContain('warning: in-cluster only');
    });

    it('as hoot, --context turns the cluster lookup on, and --registry turns it off', async () => {
      const kube = new FakeRegistryLocator();
      const h = new CliHarness({ kube });
      await h.login();
      await h.run('registries', '--context', 'dev');
      await h.run('registries', '--context', 'dev', '--registry', 'http://direct:1');
      expect(kube.targets).toHaveLength(1);
      expect(h.clients.map((c) => c.registryUrls)).toEqual([
        ['http://reg-c1-1.hoot.test:3200'],
        ['http://direct:1'],
      ]);
    });

    it('in a pod (KUBERNETES_SERVICE_HOST) it asks the cluster', async () => {
      const kube = new FakeRegistryLocator();
      const h = new CliHarness({ kube, env: { inCluster: true } });
      await h.login();
      await h.run('registries');
      expect(kube.targets).toEqual([expect.objectContaining({ inCluster: true })]);
    });
  });

  describe('conferences', () => {
    it('create sends type, allowed, public and settings and shows the conference', async () => {
      const h = new CliHarness();
      await h.login();
      const { code, stdout } = await h.run(
        'conferences',
        'create',
        '--id',
        'standup',
        '--type',
        'm2m',
        '--allow',
        'bob,carol',
        '--allow',
        'dave',
        '--public',
        '--max-participants',
        '8',
      );
      expect(code).toBe(0);
      expect(h.clients[0].calls[0]).toEqual({
        method: 'createConference',
        args: [
          {
            id: 'standup',
            type: 'm2m',
            allowed: ['bob', 'carol', 'dave'],
            public: true,
            settings: { maxParticipants: 8 },
          },
        ],
      });
      expect(stdout).toContain('Conference standup created.\n');
      expect(stdout).toMatch(/^address: +hoot\.mx:\/\/standup@coremx-1\.c1\.hoot\.mx$/m);
    });

    it('create without options sends an empty allowed list; -o json has created and the conference', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.createConference = () => ({ conference: sampleConference(), created: false });
      const { stdout } = await h.run('conferences', 'create', '--type', 'p2p', '-o', 'json');
      expect(h.clients[0].calls[0].args).toEqual([{ type: 'p2p', allowed: [] }]);
      expect(JSON.parse(stdout)).toEqual({ created: false, conference: sampleConference() });
    });

    it('list prints a table and hints at the next page', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.listConferences = () => ({
        items: [
          sampleConference(),
          sampleConference({ id: 'retro', type: 'p2m', status: 'active', participants: 12 }),
        ],
        next: 'retro',
      });
      const { code, stdout, stderr } = await h.run('conferences', 'list', '--limit', '2');
      expect(code).toBe(0);
      expect(h.clients[0].calls[0].args).toEqual([{ limit: 2, after: undefined }]);
      expect(stdout.split('\n')).toEqual([
        'ID        TYPE   STATUS     PARTICIPANTS   COREMX     CREATED                    ADDRESS',
        'standup   m2m    reserved              0   coremx-1   2026-11-23T10:00:00.000Z   hoot.mx://standup@coremx-1.c1.hoot.mx',
        'retro     p2m    active               12   coremx-1   2026-11-23T10:00:00.000Z   hoot.mx://standup@coremx-1.c1.hoot.mx',
        '',
      ]);
      expect(stderr).toContain('more: hoot conferences list --after retro (or --all)');
    });

    it('list --all follows every page; -o json gives items and next null', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.listConferences = (o) =>
        o?.after === undefined
          ? { items: [sampleConference({ id: 'a-1' })], next: 'a-1' }
          : { items: [sampleConference({ id: 'b-2' })], next: null };
      const { stdout } = await h.run('conferences', 'list', '--all', '-o', 'json');
      expect(h.clients[0].calls.map((c) => c.args[0])).toEqual([
        { limit: undefined, after: undefined },
        { limit: undefined, after: 'a-1' },
      ]);
      const parsed = JSON.parse(stdout);
      expect(parsed.items.map((c: { id: string }) => c.id)).toEqual(['a-1', 'b-2']);
      expect(parsed.next).toBeNull();
    });

    it('show prints the fields; -o json the conference as is', async () => {
      const h = new CliHarness();
      await h.login();
      const table = await h.run('conferences', 'show', 'standup');
      expect(table.stdout).toMatch(/^status: +reserved$/m);
      expect(table.stdout).toMatch(/^allowed: +acc-bob$/m);
      const json = await h.run('conferences', 'show', 'standup', '-o', 'json');
      expect(JSON.parse(json.stdout)).toEqual(sampleConference());
    });

    it('show names people by the usernames the registry gives, and keeps an id it could not name', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.getConference = () =>
        sampleConference({
          allowed: ['acc-bob', 'acc-gone'],
          usernames: { 'acc-alice': 'alice', 'acc-bob': 'bob' },
        });
      const table = await h.run('conferences', 'show', 'standup');
      expect(table.stdout).toMatch(/^owner: +alice$/m);
      expect(table.stdout).toMatch(/^allowed: +bob, acc-gone$/m);
    });

    it('show of an unknown conference is exit 1 with the server code', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.getConference = () => {
        throw refusal(404, 'conference.not-found', 'no conference nope');
      };
      const { code, stderr, stdout } = await h.run('conferences', 'show', 'nope');
      expect(code).toBe(1);
      expect(stderr).toBe('error: conference.not-found: no conference nope\n');
      expect(stdout).toBe('');
    });

    it('end ends it', async () => {
      const h = new CliHarness();
      await h.login();
      const { stdout } = await h.run('conferences', 'end', 'standup');
      expect(h.clients[0].calls).toEqual([{ method: 'endConference', args: ['standup'] }]);
      expect(stdout).toBe('Conference standup ended.\n');
    });

    it('a rate limit shows Retry-After, and a 401 suggests signing in again', async () => {
      const h = new CliHarness();
      await h.login();
      h.answers.createConference = () => {
        throw refusal(429, 'conference.rate-limited', 'too many creations', 7_000);
      };
      const limited = await h.run('conferences', 'create', '--type', 'm2m');
      expect(limited.stderr).toBe('error: conference.rate-limited: too many creations (retry after 7 s)\n');
      h.answers.getConference = () => {
        throw refusal(401, 'token.expired', 'the token expired');
      };
      const expired = await h.run('conferences', 'show', 'x');
      expect(expired).toMatchObject({
        code: 1,
        stderr: 'error: token.expired: the token expired\nhint: sign in again: hoot login\n',
      });
    });
  });

  describe('join-url', () => {
    it('prints the web URL for an address', async () => {
      const h = new CliHarness();
      await h.login();
      const { code, stdout } = await h.run('join-url', 'hoot.mx://standup@coremx-1.c1.hoot.mx');
      expect(code).toBe(0);
      expect(h.clients[0].calls).toEqual([
        { method: 'join', args: ['hoot.mx://standup@coremx-1.c1.hoot.mx'] },
      ]);
      expect(stdout).toMatch(/^https:\/\/hoot\.example\/join\/standup#ticket=\S+\n$/);
    });

    it('looks a bare id up first; -o json prints the whole answer', async () => {
      const h = new CliHarness();
      await h.login();
      const { stdout } = await h.run('join-url', 'standup', '-o', 'json');
      expect(h.clients[0].calls.map((c) => c.method)).toEqual(['getConference', 'join']);
      expect(JSON.parse(stdout)).toMatchObject({
        conferenceId: 'standup',
        ticket: 'eyJ.ticket',
        role: 'publisher',
      });
    });
  });

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

  describe('events', () => {
    const event = (seq: number, type: string, data: Record<string, unknown>): CcesEvent =>
      ({
        id: `00000000-0000-4000-8000-00000000000${seq}`,
        type,
        schemaVersion: 1,
        coremxId: 'coremx-1',
        conferenceId: 'standup',
        seq,
        occurredAt: `2026-11-23T10:00:0${seq}.000Z`,
        data,
      }) as unknown as CcesEvent;
    const session = [
      event(1, 'room.started', {}),
      event(2, 'participant.joined', {
        participantId: 'p1',
        identity: 'acc-alice',
        role: 'publisher',
        joinOrder: 1,
      }),
    ];

    it('prints one line per event and reads from the beginning without --follow', async () => {
      const events = new FakeEventSource(session);
      const h = new CliHarness({ events, env: { kafkaBrokers: 'k1:9092,k2:9092' } });
      const { code, stdout } = await h.run('events', '--coremx', 'coremx-1');
      expect(code).toBe(0);
      expect(events.reads[0]).toMatchObject({
        brokers: ['k1:9092', 'k2:9092'],
        coremxId: 'coremx-1',
        follow: false,
        fromBeginning: true,
      });
      expect(stdout.split('\n')).toEqual([
        '2026-11-23T10:00:01.000Z  #1  standup  room.started',
        '2026-11-23T10:00:02.000Z  #2  standup  participant.joined  participantId=p1 identity=acc-alice role=publisher joinOrder=1',
        '',
      ]);
    });

    it('--follow starts at the end unless --from-beginning; -o json prints JSON lines', async () => {
      const events = new FakeEventSource(session);
      const h = new CliHarness({ events });
      await h.run('events', '--coremx', 'coremx-1', '--follow', '--brokers', 'k:1');
      const { stdout } = await h.run(
        'events',
        '--coremx',
        'coremx-1',
        '-f',
        '--from-beginning',
        '--brokers',
        'k:1',
        '-o',
        'json',
      );
      expect(events.reads.map((r) => [r.follow, r.fromBeginning])).toEqual([
        [true, false],
        [true, true],
      ]);
      expect(
        stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).type),
      ).toEqual(['room.started', 'participant.joined']);
    });

    it('prints chat.message as author and quoted text, never raw control or bidi characters (issue 21)', async () => {
      const chat = (seq: number, data: Record<string, unknown>) =>
        event(seq, 'chat.message', {
          messageId: `c${seq}`,
          participantId: 'p1',
          identity: 'acc-alice',
          displayName: 'Alice',
          ...data,
        });
      const events = new FakeEventSource([
        chat(3, { length: 19, text: 'hi\nall \u001b[2J\u202egnp.exe' }),
        chat(4, { length: 300, text: 'x'.repeat(300) }),
        chat(5, { length: 42, textOmitted: true }),
      ]);
      const { stdout } = await new CliHarness({ events }).run(
        'events',
        '--coremx',
        'coremx-1',
        '--brokers',
        'k:1',
      );
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(
        '2026-11-23T10:00:03.000Z  #3  standup  chat.message  Alice (p1): "hi?all ?[2J?gnp.exe"',
      );
      expect(lines[1]).toMatch(
        /^2026-11-23T10:00:04\.000Z {2}#4 {2}standup {2}chat\.message {2}Alice \(p1\): "x+…"$/,
      );
      expect(lines[1].length).toBeLessThan(200);
      expect(lines[2]).toBe(
        '2026-11-23T10:00:05.000Z  #5  standup  chat.message  Alice (p1): [text not published, 42 characters]',
      );
      expect(lines).toHaveLength(3);
    });

    it('does not need a login', async () => {
      const h = new CliHarness({ events: new FakeEventSource([]) });
      expect((await h.run('events', '--coremx', 'coremx-1', '--brokers', 'k:1')).code).toBe(0);
    });
  });
});

describe('hoot with the real HootClient over a fake fetch', () => {
  const realClient = (fetch: FetchLike) => (o: { registryUrls: string[]; token?: string }) =>
    new HootClient({ ...o, fetch, timeoutMs: 500, backoff: { initialMs: 1, maxMs: 1 } });

  it('a registry that does not answer is exit 3', async () => {
    const h = new CliHarness({ createClient: realClient(fakeFetch({})) });
    writeFileSync(
      `${h.configDir}/credentials.json`,
      JSON.stringify({
        username: 'a',
        registryUrls: ['http://dead:1'],
        accessToken: 't',
        expiresAt: '2030-01-01T00:00:00Z',
      }),
    );
    const { code, stderr } = await h.run('conferences', 'list');
    expect(code).toBe(3);
    expect(stderr).toMatch(/^error: sdk\.registry-unavailable: GET \/v1\/conferences: no registry answered/);
  });

  it("the registry's problem+json is exit 1 with its code, and the token is sent", async () => {
    const seen: { url: string; init: unknown }[] = [];
    const fetch = fakeFetch(
      {
        'GET http://r1:1/v1/conferences/x': [
          404,
          { code: 'conference.not-found', detail: 'no such conference' },
        ],
      },
      seen,
    );
    const h = new CliHarness({ createClient: realClient(fetch) });
    writeFileSync(
      `${h.configDir}/credentials.json`,
      JSON.stringify({
        username: 'a',
        registryUrls: ['http://r1:1'],
        accessToken: 'tok',
        expiresAt: '2030-01-01T00:00:00Z',
      }),
    );
    expect(await h.run('conferences', 'show', 'x')).toMatchObject({
      code: 1,
      stderr: 'error: conference.not-found: no such conference\n',
    });
    expect(seen[0].init).toMatchObject({ headers: expect.objectContaining({ authorization: 'Bearer tok' }) });
  });
});

describe('describeError', () => {
  const k8s = (code: string) => Object.assign(new Error(`${code} happened`), { name: 'K8sError', code });

  it.each([
    ['k8s.kubeconfig-not-found', 2],
    ['k8s.in-cluster-unavailable', 2],
    ['k8s.api-unavailable', 3],
    ['k8s.api-forbidden', 1],
    ['k8s.service-not-found', 1],
  ])('maps %s to exit %i with its code and no stack', (code, exitCode) => {
    const described = describeError(k8s(code));
    expect(described.exitCode).toBe(exitCode);
    expect(described.message).toBe(`${code}: ${code} happened`);
  });

  it('keeps the stack of an unexpected error (a bug to report)', () => {
    const described = describeError(new TypeError('x is undefined'));
    expect(described.exitCode).toBe(1);
    expect(described.message).toMatch(/^internal: TypeError: x is undefined\n\s+at /);
  });
});

describe('colour', () => {
  it('bolds table headers only when stdout is a terminal and NO_COLOR is not set', async () => {
    const tty = new CliHarness({ ttyOut: true });
    await tty.login();
    expect((await tty.run('coremx', 'list')).stdout.startsWith('\u001b[1mCOREMX')).toBe(true);
    const noColor = new CliHarness({ ttyOut: true, env: { noColor: true } });
    await noColor.login();
    expect((await noColor.run('coremx', 'list')).stdout.startsWith('COREMX')).toBe(true);
    const pipe = new CliHarness();
    await pipe.login();
    expect((await pipe.run('coremx', 'list')).stdout.startsWith('COREMX')).toBe(true);
  });
});
