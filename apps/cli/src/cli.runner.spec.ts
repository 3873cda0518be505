import { statSync, readFileSync } from 'node:fs';
import { describeError } from './cli.runner';
import { CliHarness, FakeRegistryLocator, memoryStdin } from './testing/cli-harness';
import { refusal } from './cli.runner.fixture';

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
