import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { startPlatform, type RunningPlatform } from '@hoot/platform';
import { eventually, integrationInfra, startKubeApiserver, workspaceRoot } from '@hoot/testing';
import { load } from 'js-yaml';

/**
 * The CLI as a user installs it: `npx nx run cli:pack`'s build (tools/build/build-cli.js) packed into a
 * tarball, `npm install -g --prefix <empty folder> <tarball>` run outside the workspace (cwd in the temporary
 * folder, no NODE_PATH, no npm_* variables of the test runner, no node_modules/.bin on the PATH), then the
 * installed `hoot` and `kubectl-hoot` against the platform `npm start` runs (`startPlatform`, test mode).
 * Nothing of the workspace is reachable from the prefix: what runs is what the tarball and its production
 * dependencies carry.
 */
const root = workspaceRoot();
const conferenceId = `clipkg${Date.now().toString(36)}`;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions walk the JSON freely
type Json = Record<string, any>;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a user's shell: the runner's, less what would let the installed CLI see the workspace. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|HOOT_|KUBERNETES_)/i.test(key)) continue;
    if (['NODE_PATH', 'NODE_OPTIONS', 'KUBECONFIG', 'INIT_CWD'].includes(key)) continue;
    env[key] = value;
  }
  env['PATH'] = (process.env['PATH'] ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && !dir.includes('node_modules'))
    .join(delimiter);
  return { ...env, NO_COLOR: '1', ...extra };
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string },
) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** Runs a workspace script with node; its stdout when it exits 0. */
function nodeScript(script: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [join(root, script), ...args],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`${script} failed: ${stderr}`)) : resolve(stdout)),
    ),
  );
}

describe('the CLI packed, installed with npm into an empty prefix, and run against the platform', () => {
  const infra = integrationInfra();
  const work = mkdtempSync(join(tmpdir(), 'hoot-cli-pkg-'));
  const prefix = join(work, 'prefix');
  const home = join(work, 'home');
  const configDir = join(work, 'config');
  const installed = join(prefix, 'lib', 'node_modules', 'hoot-cli');
  const krewRoot = join(work, 'krew-root');
  // The kubectl that `npm test` installs (scripts/infra/kubernetes.sh): `kubectl hoot` through krew's bin folder.
  const kubectl = join(root, '.infra', 'kubernetes', 'kubectl');
  let tarball = '';
  let platform: RunningPlatform | undefined;
  let registryUrl = '';
  let coremxId = '';

  /** The installed `hoot` (or `kubectl-hoot`), from the temporary folder, as a user's shell runs it. */
  const hoot = (args: string[], stdin?: string, bin = 'hoot'): Promise<Run> =>
    run(join(prefix, 'bin', bin), args, { cwd: work, env: userEnv({ HOOT_CONFIG_DIR: configDir }), stdin });
  const ok = async (args: string[], stdin?: string): Promise<string> => {
    const result = await hoot(args, stdin);
    if (result.code !== 0) throw new Error(`hoot ${args.join(' ')} → ${result.code}: ${result.stderr}`);
    return result.stdout;
  };

  beforeAll(async () => {
    mkdirSync(prefix);
    mkdirSync(home);
    const packAndInstall = async () => {
      const built = await nodeScript('tools/build/build-cli.js', [
        '--outdir',
        join(work, 'build'),
        '--pack',
        join(work, 'pack'),
      ]);
      tarball = built.trim().split('\n').pop() ?? '';
      // The npm cache stays the user's (~/.npm, whatever npm config says); everything else is the prefix's.
      const install = await run(
        'npm',
        ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', tarball],
        { cwd: work, env: userEnv() },
      );
      if (install.code !== 0)
        throw new Error(`npm install -g ${tarball} → ${install.code}: ${install.stderr}`);
    };
    const [, started] = await Promise.all([
      packAndInstall(),
      startPlatform({ mode: 'test', ...infra, kmsEngine: 'fake' }),
    ]);
    platform = started;
    const [c1] = platform.registries;
    registryUrl = c1.url;
    coremxId = platform.cash.find((c) => c.cloud === c1.cloud)?.coremxId ?? '';
  }, 900_000);

  afterAll(async () => {
    await platform?.stop();
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('installs hoot and kubectl-hoot from a tarball with its production dependencies only, outside the workspace', () => {
    expect(tarball).toMatch(/hoot-cli-\d+\.\d+\.\d+\.tgz$/);
    expect(relative(root, prefix).startsWith('..')).toBe(true);
    expect(existsSync(join(prefix, 'bin', 'hoot'))).toBe(true);
    expect(existsSync(join(prefix, 'bin', 'kubectl-hoot'))).toBe(true);

    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Json;
    expect(pkg['bin']).toEqual({ hoot: 'bin/hoot.js', 'kubectl-hoot': 'bin/kubectl-hoot.js' });
    expect(pkg['devDependencies']).toBeUndefined();
    // Third-party runtime dependencies at the workspace's versions; the @hoot/* libs are inside the package.
    const workspace = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Json;
    expect(pkg['dependencies']).toEqual({
      '@kubernetes/client-node': workspace['dependencies']['@kubernetes/client-node'],
      kafkajs: workspace['dependencies']['kafkajs'],
    });
    // The libs the CLI reaches travel compiled inside the package; servers' and test libs do not.
    const libs = readdirSync(join(installed, 'libs'));
    expect(libs).toEqual(expect.arrayContaining(['sdk', 'k8s', 'events']));
    for (const notReached of ['testing', 'platform', 'mongo', 'media', 'service-kit'])
      expect(libs).not.toContain(notReached);
    const modules = join(installed, 'node_modules');
    expect(existsSync(join(modules, 'kafkajs', 'package.json'))).toBe(true);
    expect(existsSync(join(modules, '@kubernetes', 'client-node', 'package.json'))).toBe(true);
    for (const devOnly of ['@swc/core', 'tsconfig-paths', 'typescript', 'jest', '@hoot'])
      expect(existsSync(join(modules, devOnly))).toBe(false);
    // The launcher runs compiled JavaScript, not TypeScript through a dev-time loader.
    const launcher = readFileSync(join(installed, 'bin', 'hoot.js'), 'utf8');
    expect(launcher).not.toMatch(/swc|ts-node|tsconfig-paths|\.ts'/);
    const main = readFileSync(join(installed, 'apps', 'cli', 'src', 'main.js'), 'utf8');
    expect(main).not.toContain('@hoot/');
  });

  it('prints its help and version', async () => {
    const help = await hoot(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^hoot — the hoot command line$/m);
    expect(help.stdout).toMatch(/^Usage: hoot COMMAND \[flags\]$/m);
    expect(help.stdout).toMatch(/^ {2}login +sign in at the registry/m);
    expect(help.stdout).toMatch(/^ {2}conferences list +list your conferences$/m);
    expect(help.stderr).toBe('');

    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(await ok(['--version'])).toBe(`hoot ${version}\n`);
  });

  it('as kubectl-hoot, prints the plugin help', async () => {
    const help = await hoot(['--help'], undefined, 'kubectl-hoot');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: kubectl hoot COMMAND \[flags\]$/m);
    expect(help.stdout).toMatch(/^ {2}registries +every registry node/m);
  });

  it('signs in, creates a conference and lists it', async () => {
    const password = platform?.users.alice.password ?? '';
    const login = await ok(
      ['login', '-u', 'alice', '--password-stdin', '--registry', registryUrl],
      `${password}\n`,
    );
    expect(login).toContain(`Logged in as alice at ${registryUrl}`);

    // The conference lands on a CoreMX once its CASH reports to the registry.
    await eventually(
      async () => {
        const all = (JSON.parse(await ok(['coremx', 'list', '-o', 'json'])) as Json)['coremx'] as Json[];
        expect(all.find((c) => c['coremxId'] === coremxId)).toMatchObject({
          state: 'active',
          liveness: 'alive',
        });
      },
      { timeoutMs: 30_000, intervalMs: 500, description: `${coremxId} active at the registry` },
    );
    const created = await ok(['conferences', 'create', '--id', conferenceId, '--type', 'm2m']);
    expect(created).toContain(`Conference ${conferenceId} created.`);

    const table = await ok(['conferences', 'list']);
    expect(table.split('\n')[0]).toMatch(/^ID +TYPE +STATUS +PARTICIPANTS +COREMX +CREATED +ADDRESS$/);
    // On the creating cloud's CoreMX, unless placement passed it over (a CASH that answers 503 for load or
    // too slowly under a busy CI is left out and the next one tried): any of the platform's CoreMX.
    const coremxIds = (platform?.cash ?? []).map((c) => c.coremxId).join('|');
    expect(table).toMatch(new RegExp(`^${conferenceId} +m2m +reserved +0 +(${coremxIds}) `, 'm'));
    const json = JSON.parse(await ok(['conferences', 'list', '--all', '-o', 'json'])) as Json;
    expect((json['items'] as Json[]).map((c) => c['id'])).toContain(conferenceId);
  });

  it('builds the krew archive from the tarball, its sha256 in the manifest, laid out as krew installs it', async () => {
    const [manifestPath, archive] = (
      await nodeScript('apps/cli/krew/krew-archive.js', [
        '--tarball',
        tarball,
        '--outdir',
        join(work, 'krew'),
      ])
    )
      .trim()
      .split('\n');
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(archive).toBe(join(work, 'krew', `kubectl-hoot-v${version}.tar.gz`));
    const manifest = load(readFileSync(manifestPath ?? '', 'utf8')) as Json;
    expect(manifest).toMatchObject({
      apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
      kind: 'Plugin',
      metadata: { name: 'hoot' },
      spec: { version: `v${version}` },
    });
    expect(manifest['spec']['caveats']).toMatch(/node 20\.19 or newer/);
    const [platformEntry, ...others] = manifest['spec']['platforms'] as Json[];
    expect(others).toEqual([]);
    expect(platformEntry).toMatchObject({
      bin: 'kubectl-hoot',
      selector: { matchExpressions: [{ key: 'os', operator: 'In', values: ['linux', 'darwin'] }] },
    });
    expect(platformEntry?.['uri']).toMatch(new RegExp(`^https://.*/kubectl-hoot-v${version}\\.tar\\.gz$`));
    const sha256 = createHash('sha256')
      .update(readFileSync(archive ?? ''))
      .digest('hex');
    expect(platformEntry?.['sha256']).toBe(sha256);

    // krew's unpacker takes folders and regular files only, and no name with '..'.
    const listing = await run('tar', ['-tvzf', archive ?? ''], { cwd: work, env: userEnv() });
    expect(listing.code).toBe(0);
    const entries = listing.stdout.trim().split('\n');
    expect(entries.filter((line) => !/^[-d]/.test(line))).toEqual([]);
    expect(entries.filter((line) => line.includes('..'))).toEqual([]);
    expect(entries.some((line) => / \.\/kubectl-hoot$/.test(line) && line.startsWith('-rwx'))).toBe(true);

    // What `kubectl krew install --manifest --archive` does: unpack into the store, link bin/kubectl-<name>
    // (a relative link, as krew makes it).
    const store = join(krewRoot, 'store', 'hoot', `v${version}`);
    mkdirSync(store, { recursive: true });
    mkdirSync(join(krewRoot, 'bin'));
    const untar = await run('tar', ['-xzf', archive ?? '', '-C', store], { cwd: work, env: userEnv() });
    expect(untar.code).toBe(0);
    symlinkSync(
      relative(join(krewRoot, 'bin'), join(store, platformEntry?.['bin'] as string)),
      join(krewRoot, 'bin', 'kubectl-hoot'),
    );
    const help = await run(join(krewRoot, 'bin', 'kubectl-hoot'), ['--help'], { cwd: work, env: userEnv() });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: kubectl hoot COMMAND \[flags\]$/m);
  }, 240_000);

  it('as kubectl-hoot, finds the registry through a real Kubernetes API server (its @kubernetes/client-node)', async () => {
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
      const registryId = platform?.registries[0]?.registryId ?? '';
      expect(
        await post('/api/v1/namespaces/hoot/services', {
          metadata: {
            name: registryId,
            labels: { 'app.kubernetes.io/component': 'registry', 'hoot.mx/registry-id': registryId },
            annotations: { 'hoot.mx/url': registryUrl },
          },
          spec: { ports: [{ name: 'http', port: 3200, targetPort: 3200 }] },
        }),
      ).toBe(201);

      const found = await hoot(
        ['registries', '--kubeconfig', kube.kubeconfigPath, '-n', 'hoot'],
        undefined,
        'kubectl-hoot',
      );
      expect(found.stderr).toBe('');
      expect(found.code).toBe(0);
      expect(found.stdout).toMatch(new RegExp(`^${registryId} +c1 +1 `, 'm'));

      // `kubectl hoot …`: kubectl finds the plugin krew linked (the previous spec) on the PATH.
      const path = [join(krewRoot, 'bin'), userEnv()['PATH']].join(delimiter);
      const plugin = await run(
        kubectl,
        ['hoot', 'registries', '--kubeconfig', kube.kubeconfigPath, '-n', 'hoot'],
        {
          cwd: work,
          env: userEnv({ HOOT_CONFIG_DIR: configDir, PATH: path }),
        },
      );
      expect(plugin.stderr).toBe('');
      expect(plugin.code).toBe(0);
      expect(plugin.stdout).toMatch(new RegExp(`^${registryId} +c1 +1 `, 'm'));
    } finally {
      await kube.stop();
    }
  }, 240_000);
});
