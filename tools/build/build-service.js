#!/usr/bin/env node
// Builds one service into a self-contained folder that runs anywhere Node 20 and npm are:
//
//   node tools/build/build-service.js <auth|registry|cash|kms-lite|packager> [--outdir dist/apps/<svc>]
//
// The Nx `build` target of each service runs this. The output (default dist/apps/<svc>/):
//   apps/<svc>/src/main.js …, libs/<lib>/src/…   the service and the libs it reaches, compiled with SWC (the same
//                                                transform as tools/ts-node/register.js; path aliases become
//                                                relative requires), with source maps
//   package.json, package-lock.json              only the npm packages the compiled code requires (found by walking
//                                                its requires from main.js), versions as in the workspace, and the
//                                                workspace lockfile pruned to them: `npm ci --omit=dev` installs
//                                                exactly those
//   packages/<name>-<version>.tgz                workspace packages it needs (`file:` dependencies such as
//                                                reconnect-ws), packed, so the folder needs nothing from the repo
//   dist/apps/web/                               registry only: the built web app (its default WEB_ROOT)
// Run the result with `cd dist/apps/<svc> && npm ci --omit=dev && node apps/<svc>/src/main.js`; the service's
// Dockerfile does exactly that.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { pruneLockfile, walkRequires } = require('./src/service-deps');

const ROOT = path.resolve(__dirname, '../..');
const SERVICES = ['auth', 'registry', 'cash', 'kms-lite', 'packager', 'cli'];

function log(message) {
  process.stderr.write(`build-service: ${message}\n`);
}

function parseArgs(argv) {
  const svc = argv.find((a) => !a.startsWith('--'));
  const outIdx = argv.indexOf('--outdir');
  if (!SERVICES.includes(svc)) {
    process.stderr.write(`usage: build-service.js <${SERVICES.join('|')}> [--outdir DIR]\n`);
    process.exit(2);
  }
  const outDir = path.resolve(ROOT, outIdx === -1 ? path.join('dist/apps', svc) : argv[outIdx + 1]);
  return { svc, outDir };
}

/** Compiles apps/<svc>/src and every lib's src (no specs, no testing entries) into outDir, mirroring the repo. */
function compile(svc, outDir) {
  const { transformSync } = require('@swc/core');
  const { compilerOptions } = require(path.join(ROOT, 'tsconfig.base.json'));
  const libs = fs.readdirSync(path.join(ROOT, 'libs')).map((lib) => path.join('libs', lib, 'src'));
  const skip = (file) => /\.spec\.ts$|\.test\.ts$|[/\\]testing[/\\]|[/\\]__fixtures__[/\\]/.test(file);
  let count = 0;
  const emit = (file) => {
    const target = path.join(outDir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (!file.endsWith('.ts') || file.endsWith('.d.ts'))
      return fs.copyFileSync(path.join(ROOT, file), target);
    const { code, map } = transformSync(fs.readFileSync(path.join(ROOT, file), 'utf8'), {
      filename: path.join(ROOT, file),
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
        keepClassNames: true,
        baseUrl: ROOT,
        paths: compilerOptions.paths,
      },
      module: { type: 'commonjs' },
      sourceMaps: true,
    });
    const base = path.basename(target, '.ts');
    fs.writeFileSync(target.replace(/\.ts$/, '.js'), `${code}\n//# sourceMappingURL=${base}.js.map\n`);
    // The source beside the compiled file, as in the repository (no build machine path in stack traces).
    const sourceMap = { ...JSON.parse(map), sources: [path.basename(file)] };
    fs.writeFileSync(target.replace(/\.ts$/, '.js.map'), JSON.stringify(sourceMap));
    count += 1;
  };
  const walk = (dir) => {
    if (!fs.existsSync(path.join(ROOT, dir))) return;
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (!skip(file)) emit(file);
    }
  };
  [path.join('apps', svc, 'src'), ...libs].forEach(walk);
  return count;
}

function resolveRelative(fromFile, specifier) {
  const base = path.resolve(path.dirname(fromFile), specifier);
  for (const candidate of [base, `${base}.js`, `${base}.json`, path.join(base, 'index.js')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Drops the libs no reached file lives in (assets of reached libs stay). */
function dropUnreachedLibs(outDir, files) {
  const libsDir = path.join(outDir, 'libs');
  const reached = new Set(
    [...files].map((f) => path.relative(libsDir, f).split(path.sep)[0]).filter((l) => !l.startsWith('..')),
  );
  const dropped = [];
  for (const lib of fs.readdirSync(libsDir)) {
    if (!reached.has(lib)) {
      fs.rmSync(path.join(libsDir, lib), { recursive: true, force: true });
      dropped.push(lib);
    }
  }
  return dropped;
}

/** `npm pack` of a workspace `file:` package into outDir/packages; returns its `file:` spec and lock entry. */
function packLocal(folder, outDir, lockEntry) {
  const dest = path.join(outDir, 'packages');
  fs.mkdirSync(dest, { recursive: true });
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', dest, path.join(ROOT, folder)], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [{ filename }] = JSON.parse(out);
  const tarball = path.join(dest, path.basename(filename));
  const integrity = `sha512-${crypto.createHash('sha512').update(fs.readFileSync(tarball)).digest('base64')}`;
  const spec = `file:packages/${path.basename(tarball)}`;
  const entry = { ...lockEntry, resolved: spec, integrity };
  return { spec, entry };
}

function main() {
  const { svc, outDir } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });

  const count = compile(svc, outDir);
  const mainJs = path.join(outDir, 'apps', svc, 'src', 'main.js');
  if (!fs.existsSync(mainJs)) throw new Error(`no ${path.relative(ROOT, mainJs)} after compiling`);
  const { files, packages } = walkRequires(
    mainJs,
    (file) => (file.endsWith('.js') ? fs.readFileSync(file, 'utf8') : undefined),
    resolveRelative,
  );
  const dropped = dropUnreachedLibs(outDir, files);
  log(
    `${svc}: ${count} files compiled, ${files.size} reached from main.js; libs not needed: ${dropped.join(', ') || 'none'}`,
  );

  const workspace = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const lock = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));
  const dependencies = {};
  for (const [pkg, requiredBy] of [...packages].sort(([a], [b]) => a.localeCompare(b))) {
    const version = workspace.dependencies?.[pkg];
    if (version === undefined) {
      const where = workspace.devDependencies?.[pkg] ? 'a devDependency' : 'not a dependency';
      throw new Error(
        `${path.relative(outDir, requiredBy)} requires '${pkg}', which is ${where} of the workspace: ` +
          'add it to "dependencies" in package.json (images install production dependencies only)',
      );
    }
    dependencies[pkg] = version;
  }
  // The workspace's overrides of packages this service installs (kurento-client's reconnect-ws → ours). An
  // override `$name` refers to a root dependency, so that dependency comes along (then the lockfile is pruned again).
  const overrides = {};
  const reached = pruneLockfile(lock, dependencies, {}).packages;
  for (const [pkg, spec] of Object.entries(workspace.overrides ?? {})) {
    if (!reached[`node_modules/${pkg}`]) continue;
    const ref = spec.startsWith('$') ? spec.slice(1) : undefined;
    if (ref !== undefined) dependencies[ref] ??= workspace.dependencies[ref];
    overrides[pkg] = spec;
  }
  const root = { name: `hoot-${svc}`, version: workspace.version, license: workspace.license, dependencies };
  const finalLock = pruneLockfile(lock, dependencies, root);
  // Workspace `file:` folders become packed tarballs inside the output (the image has no tools/packages).
  for (const [pkg, spec] of Object.entries(dependencies)) {
    if (!spec.startsWith('file:')) continue;
    const linkKey = `node_modules/${pkg}`;
    const link = finalLock.packages[linkKey];
    if (!link?.link) throw new Error(`${pkg} is ${spec} but the lockfile has no link entry for it`);
    const folderEntry = finalLock.packages[link.resolved];
    const { spec: packed, entry } = packLocal(link.resolved, outDir, folderEntry);
    delete finalLock.packages[link.resolved];
    finalLock.packages[linkKey] = entry;
    dependencies[pkg] = packed;
  }
  finalLock.packages[''] = { ...root, engines: workspace.engines };
  const packageJson = {
    ...root,
    ...(Object.keys(overrides).length ? { overrides } : {}),
    engines: workspace.engines,
    private: true,
    description: `hoot ${svc}, built by tools/build/build-service.js`,
    main: `apps/${svc}/src/main.js`,
    scripts: { start: `node --enable-source-maps apps/${svc}/src/main.js` },
  };
  fs.writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  fs.writeFileSync(path.join(outDir, 'package-lock.json'), `${JSON.stringify(finalLock, null, 2)}\n`);
  // A local `npm ci` in the output (to try it) must not be sent to the image build: the image installs its own.
  fs.writeFileSync(path.join(outDir, '.dockerignore'), 'node_modules\n');

  if (svc === 'registry') {
    // The registry serves the web app from <cwd>/dist/apps/web (WEB_ROOT's default).
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'apps/web/build.mjs'), '--outdir', path.join(outDir, 'dist/apps/web')],
      {
        cwd: ROOT,
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
  }
  log(
    `${svc}: ${Object.keys(dependencies).length} packages (${Object.keys(finalLock.packages).length - 1} in the lockfile) → ` +
      `${path.relative(ROOT, outDir)} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

try {
  main();
} catch (error) {
  process.stderr.write(`build-service: error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
