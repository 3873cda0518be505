import { workspaceRoot } from '@hoot/testing';
import { importCycles, importGraph } from './import-cycles';

describe('importCycles', () => {
  it('finds a two-file circle and a longer one, and nothing in an acyclic graph', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['a.ts', 'c.ts']],
      ['c.ts', ['d.ts']],
      ['d.ts', ['e.ts']],
      ['e.ts', ['c.ts']],
      ['f.ts', ['a.ts']],
    ]);
    expect(importCycles(graph)).toEqual(['a.ts -> b.ts -> a.ts', 'c.ts -> d.ts -> e.ts -> c.ts']);
    expect(
      importCycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', ['c.ts']],
        ]),
      ),
    ).toEqual([]);
  });

  it('counts a file that imports itself', () => {
    expect(importCycles(new Map([['a.ts', ['a.ts']]]))).toEqual(['a.ts -> a.ts']);
  });
});

describe('import graph of the workspace', () => {
  const graph = importGraph(workspaceRoot(), ['apps', 'libs', 'tools']);

  it('reads type-only, relative and @hoot/* imports as edges', () => {
    // Sanity: the walker sees the files and the kinds of import the check is about.
    expect(graph.get('libs/sdk/src/lib/hoot-client.ts')).toContain('libs/sdk/src/lib/room-session.ts');
    expect(graph.get('apps/kms-lite/src/objects/media-set.ts')).toContain(
      'apps/kms-lite/src/objects/media-object.ts',
    );
    expect(graph.get('apps/auth/src/main.ts')?.some((file) => file.startsWith('libs/'))).toBe(true);
  });

  it('has no import cycle in apps/, libs/ or tools/ (break one with a port or a third file)', () => {
    expect(importCycles(graph)).toEqual([]);
  });
});
