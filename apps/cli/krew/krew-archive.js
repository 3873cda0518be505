#!/usr/bin/env node
// Builds the krew archive of `kubectl hoot` from the packed CLI and the manifest that installs it:
//
//   node apps/cli/krew/krew-archive.js [--tarball dist/packages/hoot-cli-<v>.tgz] [--outdir dist/packages/krew]
//                                      [--base-url https://…/releases/download]
//
// (`npx nx run cli:krew` packs first, then runs this.) The archive is the package as `npm install -g` lays it
// out (production dependencies only, from the tarball's npm-shrinkwrap.json) plus a `kubectl-hoot` launcher at
// its top; it is plain JavaScript, so one archive serves every platform the manifest selects. The manifest is
// apps/cli/krew/hoot.yaml with spec.version, each platform's uri (<base-url>/v<version>/<archive>) and sha256
// filled in. Prints the manifest's and the archive's paths on stdout (one a line). Then:
//   kubectl krew install --manifest=<outdir>/hoot.yaml --archive=<outdir>/kubectl-hoot-v<version>.tar.gz
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '../../..');
const TEMPLATE = path.join(__dirname, 'hoot.yaml');
const DEFAULT_BASE_URL = 'https://hoot.example/releases/download';

function log(message) {
  process.stderr.write(`krew-archive: ${message}\n`);
}

function parseArgs(argv) {
  const known = ['--tarball', '--outdir', '--base-url'];
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (!known.includes(flag)) throw new Error(`unknown argument '${flag}' (known: ${known.join(', ')})`);
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
    options[flag.slice(2)] = value;
  }
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  return {
    tarball: path.resolve(ROOT, options['tarball'] ?? `dist/packages/hoot-cli-${version}.tgz`),
    outDir: path.resolve(ROOT, options['outdir'] ?? 'dist/packages/krew'),
    baseUrl: (options['base-url'] ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
  };
}

/** Installs the tarball into an empty prefix (no workspace, no NODE_PATH) and returns the package's folder. */
function installInto(prefix, tarball) {
  const env = { ...process.env };
  delete env.NODE_PATH;
  for (const key of Object.keys(env)) if (key.toLowerCase().startsWith('npm_')) delete env[key];
  execFileSync(
    'npm',
    ['install', '--global', '--prefix', prefix, '--omit=dev', '--no-audit', '--no-fund', tarball],
    {
      cwd: prefix,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const pkgDir = path.join(prefix, 'lib', 'node_modules', 'hoot-cli');
  if (!fs.existsSync(path.join(pkgDir, 'bin', 'kubectl-hoot.js')))
    throw new Error(`${path.basename(tarball)} did not install bin/kubectl-hoot.js`);
  return pkgDir;
}

/** The manifest template with version, uri and sha256 set (the comments and the rest kept as written). */
function fillManifest(template, { version, uri, sha256 }) {
  const replaceAll = (text, re, value, what) => {
    if (!re.test(text)) throw new Error(`${path.relative(ROOT, TEMPLATE)} has no ${what} line`);
    return text.replace(new RegExp(re.source, 'gm'), (_, indent) => `${indent}${value}`);
  };
  let text = replaceAll(template, /^(\s+)version: .*$/m, `version: v${version}`, 'spec.version');
  text = replaceAll(text, /^(\s+)uri: .*$/m, `uri: ${uri}`, 'uri');
  text = replaceAll(text, /^(\s+)sha256: .*$/m, `sha256: '${sha256}'`, 'sha256');
  return text.replace(/kubectl-hoot-v[0-9][^ \n]*\.tar\.gz/g, path.basename(uri));
}

/** Removes every node_modules/.bin folder under dir (links to the dependencies' own command-line tools). */
function dropBinLinks(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const child = path.join(dir, entry.name);
    if (entry.name === '.bin' && path.basename(dir) === 'node_modules') fs.rmSync(child, { recursive: true });
    else dropBinLinks(child);
  }
}

/** Throws on what krew's unpacker refuses: anything but files and folders, or a name containing '..'. */
function checkKrewUnpacks(dir, rel = '') {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const name = path.posix.join(rel, entry.name);
    if (name.includes('..')) throw new Error(`krew refuses the entry name '${name}'`);
    if (entry.isDirectory()) checkKrewUnpacks(path.join(dir, entry.name), name);
    else if (!entry.isFile()) throw new Error(`krew unpacks files and folders only: '${name}' is neither`);
  }
}

function main() {
  const { tarball, outDir, baseUrl } = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(tarball))
    throw new Error(`no ${path.relative(ROOT, tarball)}: run \`npx nx run cli:pack\` first`);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'hoot-krew-'));
  try {
    const pkgDir = installInto(staging, tarball);
    const { version } = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    // krew links <krew root>/bin/kubectl-hoot to this file; node follows the link, so the requires resolve here.
    fs.writeFileSync(
      path.join(pkgDir, 'kubectl-hoot'),
      "#!/usr/bin/env node\n// kubectl-hoot, as krew installs it (the plugin's bin).\n'use strict';\nrequire('./bin/kubectl-hoot.js');\n",
      { mode: 0o755 },
    );
    // krew unpacks regular files and folders only, and refuses a name with '..' (its extractTARGZ): drop the
    // node_modules/.bin links npm made (nothing runs them) and check that nothing else would be refused.
    dropBinLinks(pkgDir);
    checkKrewUnpacks(pkgDir);
    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    const archive = path.join(outDir, `kubectl-hoot-v${version}.tar.gz`);
    execFileSync('tar', ['-czf', archive, '-C', pkgDir, '.'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const sha256 = crypto.createHash('sha256').update(fs.readFileSync(archive)).digest('hex');
    const uri = `${baseUrl}/v${version}/${path.basename(archive)}`;
    const manifest = path.join(outDir, 'hoot.yaml');
    fs.writeFileSync(manifest, fillManifest(fs.readFileSync(TEMPLATE, 'utf8'), { version, uri, sha256 }));
    log(
      `${path.relative(ROOT, archive)} (${(fs.statSync(archive).size / 1024 / 1024).toFixed(1)} MiB, sha256 ${sha256})`,
    );
    process.stdout.write(`${manifest}\n${archive}\n`);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  process.stderr.write(`krew-archive: error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
