import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@hoot/testing';
import { importsIntoApps } from './bench-imports';

describe('importsIntoApps', () => {
  let workspace: string;
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'bench-imports-'));
    mkdirSync(join(workspace, 'bench/cash'), { recursive: true });
    mkdirSync(join(workspace, 'bench/results'), { recursive: true });
  });
  afterEach(() => rmSync(workspace, { recursive: true, force: true }));

  it('finds relative, root-relative, type-only and require imports of app code, in TS and JS', () => {
    writeFileSync(
      join(workspace, 'bench/cash/a.bench.ts'),
      [
        "import { CashStack } from '../../apps/cash/test/support/cash-stack';",
        "import type { X } from 'apps/registry/src/x';",
        "export { Y } from '../../apps/web/src/y';",
        "import { startKafka } from '@hoot/testing';",
        "import { arg } from '../bench-cli';",
      ].join('\n'),
    );
    writeFileSync(join(workspace, 'bench/cash/b.js'), "const m = require('../../apps/auth/src/main');\n");
    // Results are data, not scripts.
    writeFileSync(join(workspace, 'bench/results/c.js'), "require('../../apps/auth/src/main');\n");
    expect(importsIntoApps(workspace, 'bench')).toEqual([
      'bench/cash/a.bench.ts: ../../apps/cash/test/support/cash-stack',
      'bench/cash/a.bench.ts: ../../apps/web/src/y',
      'bench/cash/a.bench.ts: apps/registry/src/x',
      'bench/cash/b.js: ../../apps/auth/src/main',
    ]);
  });

  it('passes scripts that use libs, their own folder and Node only', () => {
    writeFileSync(
      join(workspace, 'bench/cash/ok.bench.ts'),
      "import { join } from 'node:path';\nimport { workspaceRoot } from '@hoot/testing';\nimport { arg } from '../bench-cli';\n",
    );
    expect(importsIntoApps(workspace, 'bench')).toEqual([]);
  });
});

describe('bench/ (the benchmarks)', () => {
  it('imports nothing from apps/: shared harnesses come from @hoot/testing, apps run as processes', () => {
    expect(importsIntoApps(workspaceRoot(), 'bench')).toEqual([]);
  });
});
