// eslint-disable-next-line @typescript-eslint/no-require-imports
const deps = require('./service-deps.js') as {
  packageNameOf(specifier: string): string | null;
  requiresOf(code: string): string[];
  walkRequires(
    entry: string,
    readFile: (file: string) => string | undefined,
    resolve: (from: string, specifier: string) => string | undefined,
  ): { files: Set<string>; packages: Map<string, string> };
  pruneLockfile(
    lock: Lockfile,
    dependencies: Record<string, string>,
    root: Record<string, unknown>,
  ): Lockfile;
};

interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, Record<string, unknown>>;
}

describe('requiresOf / packageNameOf', () => {
  it('finds the literal requires SWC writes, and maps them to package names', () => {
    const code = [
      'const _common = require("@nestjs/common");',
      "const x = _interop_require_wildcard(require('mongoose/lib/types'));",
      'const y = require("./local");',
      'const fs = require("node:fs"); const p = require("path");',
      'this.require(id); require(name);',
    ].join('\n');
    const found = deps.requiresOf(code);
    expect(found).toEqual(['@nestjs/common', 'mongoose/lib/types', './local', 'node:fs', 'path']);
    expect(found.map(deps.packageNameOf)).toEqual(['@nestjs/common', 'mongoose', null, null, null]);
  });
});

describe('walkRequires', () => {
  it('follows relative requires from the entry and collects packages, not unreached files', () => {
    const files: Record<string, string> = {
      '/o/main.js': 'require("./a"); require("ws");',
      '/o/a.js': 'require("../lib/b"); require("@scope/pkg/sub");',
      '/lib/b.js': 'require("node:fs"); require("ws");',
      '/o/unreached.js': 'require("left-pad");',
    };
    const resolve = (from: string, spec: string) => {
      const dir = from.slice(0, from.lastIndexOf('/'));
      const parts = `${dir}/${spec}`.split('/');
      const out: string[] = [];
      for (const part of parts) {
        if (part === '..') out.pop();
        else if (part !== '.') out.push(part);
      }
      const file = `${out.join('/')}.js`;
      return files[file] === undefined ? undefined : file;
    };
    const { files: reached, packages } = deps.walkRequires('/o/main.js', (f) => files[f], resolve);
    expect([...reached].sort()).toEqual(['/lib/b.js', '/o/a.js', '/o/main.js']);
    expect(Object.fromEntries(packages)).toEqual({ ws: '/o/main.js', '@scope/pkg': '/o/a.js' });
  });

  it('fails on a relative require that resolves to nothing', () => {
    expect(() =>
      deps.walkRequires(
        '/main.js',
        () => 'require("./gone")',
        () => undefined,
      ),
    ).toThrow("/main.js: cannot resolve require('./gone')");
  });
});

describe('pruneLockfile', () => {
  const lock: Lockfile = {
    lockfileVersion: 3,
    packages: {
      '': { name: 'ws-root', dependencies: { a: '^1', c: '^1', linked: 'file:tools/linked' } },
      'node_modules/a': {
        version: '1.0.0',
        dependencies: { b: '^2' },
        optionalDependencies: { 'a-darwin': '1.0.0' },
      },
      'node_modules/a-darwin': { version: '1.0.0', optional: true, os: ['darwin'] },
      // a's b is nested (the hoisted b is 1.x, for c)
      'node_modules/a/node_modules/b': { version: '2.0.0' },
      'node_modules/b': { version: '1.0.0' },
      'node_modules/c': {
        version: '1.0.0',
        dependencies: { b: '^1' },
        peerDependencies: { p: '*', q: '*' },
        peerDependenciesMeta: { q: { optional: true } },
      },
      'node_modules/p': { version: '1.0.0', peer: true },
      'node_modules/q': { version: '1.0.0', dev: true },
      'node_modules/linked': { resolved: 'tools/linked', link: true },
      'tools/linked': { version: '0.1.0', dependencies: { b: '^1' } },
      'node_modules/jest': { version: '30.0.0', dev: true },
      'node_modules/both': { version: '1.0.0', devOptional: true },
    },
  };

  it('keeps what the dependencies reach, at the same paths, for every platform, and nothing dev', () => {
    const pruned = deps.pruneLockfile(
      lock,
      { a: '^1', c: '^1', linked: 'file:tools/linked' },
      { name: 'svc' },
    );
    expect(Object.keys(pruned.packages)).toEqual([
      '',
      'node_modules/a',
      'node_modules/a-darwin',
      'node_modules/a/node_modules/b',
      'node_modules/b',
      'node_modules/c',
      'node_modules/linked',
      'node_modules/p',
      'tools/linked',
    ]);
    expect(pruned.packages['']).toEqual({ name: 'svc' });
    expect(pruned.lockfileVersion).toBe(3);
  });

  it('keeps a package in a smaller tree only where it was (no hoisting changes)', () => {
    const pruned = deps.pruneLockfile(lock, { a: '^1' }, { name: 'svc' });
    expect(Object.keys(pruned.packages)).toEqual([
      '',
      'node_modules/a',
      'node_modules/a-darwin',
      'node_modules/a/node_modules/b',
    ]);
  });

  it('turns devOptional into optional and drops dev flags', () => {
    const withBoth: Lockfile = {
      ...lock,
      packages: {
        ...lock.packages,
        'node_modules/a': { version: '1.0.0', optionalDependencies: { both: '1' } },
      },
    };
    const pruned = deps.pruneLockfile(withBoth, { a: '^1' }, { name: 'svc' });
    expect(pruned.packages['node_modules/both']).toEqual({ version: '1.0.0', optional: true });
  });

  it('fails when a needed package is missing from the lockfile', () => {
    expect(() => deps.pruneLockfile(lock, { missing: '^1' }, { name: 'svc' })).toThrow(
      'missing (needed by the root) is not in the lockfile',
    );
  });
});
