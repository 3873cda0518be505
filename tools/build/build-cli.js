#!/usr/bin/env node
// Builds the CLI (`hoot`, `kubectl-hoot`) into an npm package that installs without the workspace:
//
//   node tools/build/build-cli.js [--outdir dist/apps/cli] [--pack DIR]
//
// The Nx `build` target of apps/cli runs it; `pack` adds `--pack dist/packages`. Steps:
//   1. tools/build/build-service.js cli: apps/cli/src and the @hoot/* libs it reaches, compiled with SWC into
//      the output (the libs are not published, so they travel inside the package), and the npm packages the
//      compiled code requires (@kubernetes/client-node, kafkajs), versions as in the root package.json, with the
//      workspace lockfile pruned to them;
//   2. bin/hoot.js and bin/kubectl-hoot.js: launchers of the compiled main.js (no @swc/core, no tsconfig-paths);
//   3. package.json with "bin", and the pruned lockfile as npm-shrinkwrap.json (npm honours a shrinkwrap inside
//      an installed package, so `npm install -g` gets exactly the workspace's versions);
//   4. with --pack DIR: `npm pack` of the output into DIR; the tarball's path is the last line on stdout.
// Then `npm install -g <DIR>/hoot-cli-<version>.tgz` installs both commands with production dependencies only.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '../..');

function log(message) {
  process.stderr.write(`build-cli: ${message}\n`);
}

function parseArgs(argv) {
  const value = (flag) => {
    const i = argv.indexOf(flag);
    if (i === -1) return undefined;
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a folder`);
    return v;
  };
  const known = new Set(['--outdir', '--pack']);
  for (let i = 0; i < argv.length; i += 2) {
    if (!known.has(argv[i]))
      throw new Error(`unknown argument '${argv[i]}' (usage: build-cli.js [--outdir DIR] [--pack DIR])`);
  }
  const outDir = path.resolve(ROOT, value('--outdir') ?? 'dist/apps/cli');
  const packDir = value('--pack');
  return { outDir, packDir: packDir === undefined ? undefined : path.resolve(ROOT, packDir) };
}

/** A launcher in the package's bin/: runs the compiled CLI under the given program name. */
function launcher(programName, what) {
  return [
    '#!/usr/bin/env node',
    `// \`${programName}\`: ${what} Written by tools/build/build-cli.js.`,
    "'use strict';",
    'process.setSourceMapsEnabled?.(true);',
    `require('../apps/cli/src/main.js').main('${programName}');`,
    '',
  ].join('\n');
}

function build(outDir) {
  execFileSync(process.execPath, [path.join(__dirname, 'build-service.js'), 'cli', '--outdir', outDir], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const built = JSON.parse(fs.readFileSync(path.join(outDir, 'package.json'), 'utf8'));
  if (fs.existsSync(path.join(outDir, 'packages')))
    throw new Error('the CLI reaches a workspace file: package; the installable package cannot carry it yet');

  fs.mkdirSync(path.join(outDir, 'bin'), { recursive: true });
  const bins = {
    hoot: launcher('hoot', 'the hoot command line.'),
    'kubectl-hoot': launcher('kubectl-hoot', 'the same CLI as a kubectl plugin (`kubectl hoot …`).'),
  };
  for (const [name, code] of Object.entries(bins)) {
    fs.writeFileSync(path.join(outDir, 'bin', `${name}.js`), code, { mode: 0o755 });
  }

  const pkg = {
    name: 'hoot-cli',
    version: built.version,
    description:
      'hoot — the command line of the hoot conference platform (`hoot`, and `kubectl hoot` as a kubectl plugin)',
    license: built.license,
    // Not for a registry: the package is installed from its tarball (`npm install -g hoot-cli-<v>.tgz`, krew).
    private: true,
    bin: Object.fromEntries(Object.keys(bins).map((name) => [name, `bin/${name}.js`])),
    files: ['apps/', 'libs/', 'bin/', 'README.md'],
    // @kubernetes/client-node 1.x is an ES module that the compiled CommonJS requires: Node 20.19 is the first
    // Node 20 to load it with require() unflagged (the workspace's own engines predate that).
    engines: { node: '>=20.19' },
    dependencies: built.dependencies,
    ...(built.overrides ? { overrides: built.overrides } : {}),
  };
  fs.writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  const lock = JSON.parse(fs.readFileSync(path.join(outDir, 'package-lock.json'), 'utf8'));
  lock.name = pkg.name;
  lock.packages[''] = {
    name: pkg.name,
    version: pkg.version,
    license: pkg.license,
    bin: pkg.bin,
    dependencies: pkg.dependencies,
    engines: pkg.engines,
  };
  fs.writeFileSync(path.join(outDir, 'npm-shrinkwrap.json'), `${JSON.stringify(lock, null, 2)}\n`);
  fs.rmSync(path.join(outDir, 'package-lock.json'));
  fs.rmSync(path.join(outDir, '.dockerignore'), { force: true });
  fs.copyFileSync(path.join(ROOT, 'apps/cli/README.md'), path.join(outDir, 'README.md'));
  log(
    `${pkg.name}@${pkg.version}: bin ${Object.keys(pkg.bin).join(', ')}; dependencies ${Object.keys(pkg.dependencies).join(', ')}`,
  );
  return pkg;
}

function pack(outDir, packDir) {
  fs.mkdirSync(packDir, { recursive: true });
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', packDir, outDir], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [{ filename, size, entryCount }] = JSON.parse(out);
  const tarball = path.join(packDir, path.basename(filename));
  log(`packed ${path.relative(ROOT, tarball)} (${entryCount} files, ${(size / 1024).toFixed(0)} KiB)`);
  return tarball;
}

try {
  const { outDir, packDir } = parseArgs(process.argv.slice(2));
  build(outDir);
  if (packDir !== undefined) process.stdout.write(`${pack(outDir, packDir)}\n`);
} catch (error) {
  process.stderr.write(`build-cli: error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
