import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@hoot/testing';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { findBrokenAliases } = require('./check-aliases.js') as {
  findBrokenAliases(tsconfigPath: string): string[];
};

describe('tsconfig path aliases', () => {
  it('all resolve to an existing entry file in this workspace', () => {
    expect(findBrokenAliases(join(workspaceRoot(), 'tsconfig.base.json'))).toEqual([]);
  });

  it('reports an alias whose entry file is missing, and wildcard aliases', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoot-aliases-'));
    mkdirSync(join(dir, 'libs/real/src'), { recursive: true });
    writeFileSync(join(dir, 'libs/real/src/index.ts'), 'export {};\n');
    writeFileSync(
      join(dir, 'tsconfig.base.json'),
      JSON.stringify({
        compilerOptions: {
          paths: {
            '@hoot/real': ['libs/real/src/index.ts'],
            '@hoot/gone': ['libs/gone/src/index.ts'],
            '@hoot/deep/*': ['libs/real/src/*'],
          },
        },
      }),
    );
    expect(findBrokenAliases(join(dir, 'tsconfig.base.json'))).toEqual([
      '@hoot/gone: libs/gone/src/index.ts does not exist',
      '@hoot/deep/*: wildcard target libs/real/src/* (import libs through their barrel only)',
    ]);
  });
});
