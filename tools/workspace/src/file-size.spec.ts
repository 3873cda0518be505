import { workspaceRoot } from '@hoot/testing';
import { MAX_LINES, lineCount, oversizedFiles } from './file-size';

describe('lineCount', () => {
  it('counts lines with and without a final line break', () => {
    expect([
      lineCount(''),
      lineCount('a'),
      lineCount('a\n'),
      lineCount('a\nb'),
      lineCount('a\n\nb\n'),
    ]).toEqual([0, 1, 1, 2, 3]);
  });
});

describe('the workspace', () => {
  it(`has no tracked source file over ${MAX_LINES} lines in apps/, libs/, tools/ or bench/ (split it by job)`, () => {
    expect(oversizedFiles(workspaceRoot())).toEqual([]);
  });

  it('finds a file over the limit (the rule can fail)', () => {
    const all = oversizedFiles(workspaceRoot(), 100);
    expect(all.length).toBeGreaterThan(0);
    expect(all[0]).toMatch(/^(apps|libs|tools|bench)\/.+: \d+$/);
  });
});
