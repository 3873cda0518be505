import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
/** Scripts under `dir`, except their output (`results/`) and installed packages. */
const scripts = (dir: string): string[] =>
  ts.sys
    .readDirectory(dir, EXTENSIONS, ['**/node_modules', '**/results'])
    .filter((file) => !file.endsWith('.d.ts'));

/** Where an import name points inside the workspace (`/`-separated, workspace-relative), if it is a path. */
export function importTarget(workspace: string, file: string, name: string): string | undefined {
  if (name.startsWith('.'))
    return relative(workspace, resolve(dirname(file), name))
      .split('\\')
      .join('/');
  // A name written from the workspace root (a `paths`/`baseUrl` import such as `apps/cash/src/x`).
  if (/^(apps|libs|tools|bench)\//.test(name)) return name;
  return undefined;
}

/**
 * Every import of a script under `dir` (TypeScript or JavaScript: `import`, `export … from`, `require`,
 * `import()`) that lands in `apps/`, as `file: name`. Benchmarks use what the apps' specs use through the
 * test lib (`@hoot/testing`) and start the apps as processes; they never import an app's code.
 */
export function importsIntoApps(workspace: string, dir: string): string[] {
  const found: string[] = [];
  for (const file of scripts(join(workspace, dir))) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      const target = importTarget(workspace, file, fileName);
      if (target === 'apps' || target?.startsWith('apps/')) {
        found.push(`${relative(workspace, file).split('\\').join('/')}: ${fileName}`);
      }
    }
  }
  return found.sort();
}
