// Pure helpers of tools/build/build-service.js: which npm packages compiled code needs, and the part of
// the workspace lockfile that installs exactly those. No I/O except through the callbacks passed in.
'use strict';

const { builtinModules } = require('node:module');

const BUILTINS = new Set(builtinModules);

/**
 * The string specifiers of `require("…")` calls in CommonJS code as SWC writes it (imports, re-exports and
 * `import()` all become `require` calls with a literal). A computed `require(x)` is not seen: our code has none.
 */
function requiresOf(code) {
  const found = new Set();
  const re = /\brequire\(\s*(['"])([^'"\n]+)\1\s*\)/g;
  for (let m = re.exec(code); m; m = re.exec(code)) found.add(m[2]);
  return [...found];
}

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`; null for relative paths and Node built-ins. */
function packageNameOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return null;
  if (specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]))
    return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * Walks the compiled files reachable from `entry` through relative requires.
 * `readFile(file)` returns the code or undefined; `resolve(fromFile, specifier)` returns a file or undefined.
 * Returns the reached files and, per package, the first file that requires it (for error messages).
 */
function walkRequires(entry, readFile, resolve) {
  const files = new Set();
  const packages = new Map();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop();
    if (files.has(file)) continue;
    files.add(file);
    const code = readFile(file);
    if (code === undefined) continue;
    for (const specifier of requiresOf(code)) {
      const pkg = packageNameOf(specifier);
      if (pkg !== null) {
        if (!packages.has(pkg)) packages.set(pkg, file);
        continue;
      }
      if (specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0])) continue;
      const target = resolve(file, specifier);
      if (target === undefined) throw new Error(`${file}: cannot resolve require('${specifier}')`);
      queue.push(target);
    }
  }
  return { files, packages };
}

/** Where Node (and npm's lockfile) finds `name` from the lockfile location `from` ('' = the root). */
function locate(packages, from, name) {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up === -1 ? '' : dir.slice(0, up);
  }
}

/**
 * The lockfile (v2/v3 `packages` map) that installs `dependencies` and everything they need, and nothing else.
 * Entries keep their paths, so every resolution in the pruned tree finds what it found in the full one.
 * Optional dependencies are kept for every platform (npm checks that the lockfile is complete for all of them).
 * Links (`file:` folders) are followed to their folder entry. `root` is the new root entry (name, version,
 * dependencies, overrides…). Throws when a needed package is missing from the lockfile.
 */
function pruneLockfile(lock, dependencies, root) {
  if (!lock.packages || (lock.lockfileVersion ?? 0) < 2)
    throw new Error('needs a lockfileVersion 2 or 3 lockfile (npm 7+)');
  const all = lock.packages;
  const kept = {};
  const queue = Object.keys(dependencies).map((name) => ['', name, true]);
  while (queue.length > 0) {
    const [from, name, required] = queue.shift();
    const at = locate(all, from, name);
    if (at === undefined) {
      if (required) throw new Error(`${name} (needed by ${from || 'the root'}) is not in the lockfile`);
      continue;
    }
    // An optional dependency or peer counts only where production installs it (not one only dev tools pulled in).
    if (!required && all[at].dev === true) continue;
    if (kept[at]) continue;
    const entry = all[at];
    kept[at] = stripDev(entry);
    const target = entry.link ? entry.resolved : at;
    if (entry.link) {
      if (!all[target]) throw new Error(`${at} links to ${target}, which is not in the lockfile`);
      kept[target] = stripDev(all[target]);
    }
    const pkg = all[target];
    for (const dep of Object.keys(pkg.dependencies ?? {})) queue.push([target, dep, true]);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) queue.push([target, dep, false]);
    for (const dep of Object.keys(pkg.peerDependencies ?? {}))
      queue.push([target, dep, pkg.peerDependenciesMeta?.[dep]?.optional !== true]);
  }
  const sorted = Object.fromEntries(
    Object.keys(kept)
      .sort()
      .map((key) => [key, kept[key]]),
  );
  return {
    name: root.name,
    version: root.version,
    lockfileVersion: lock.lockfileVersion,
    requires: true,
    packages: { '': root, ...sorted },
  };
}

/** Everything in the pruned tree is a production package. */
function stripDev(entry) {
  const copy = { ...entry };
  if (copy.devOptional) copy.optional = true; // needed by dev tools, optional in production: optional here
  delete copy.dev;
  delete copy.devOptional;
  return copy;
}

module.exports = { locate, packageNameOf, pruneLockfile, requiresOf, walkRequires };
