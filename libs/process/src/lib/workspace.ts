import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/** The repository root (the folder holding nx.json). */
export function workspaceRoot(): string {
  if (cached) return cached;
  let dir = __dirname;
  while (!existsSync(join(dir, 'nx.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${__dirname}`);
    dir = parent;
  }
  cached = dir;
  return dir;
}

/** A path under the git-ignored `.infra/` folder. */
export function infraPath(...parts: string[]): string {
  return join(workspaceRoot(), '.infra', ...parts);
}
