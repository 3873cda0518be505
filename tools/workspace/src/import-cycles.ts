import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

/** file → the files it imports (workspace-relative paths, `/`-separated). */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage', 'public', '.nx']);
const SOURCE = /\.(ts|tsx|mts|cts)$/;
const CANDIDATES = ['', '.ts', '.tsx', '/index.ts'];

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) sourceFiles(path, out);
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function existingFile(base: string): string | undefined {
  const stem = base.replace(/\.js$/, '');
  for (const ext of CANDIDATES) {
    const path = stem + ext;
    if (existsSync(path) && statSync(path).isFile()) return path;
  }
  return undefined;
}

/**
 * The import graph of the TypeScript under `roots` (every `import`, `import type`, `export … from`,
 * `require` and `import()` with a literal name): relative names, and the tsconfig `paths` aliases
 * (`@hoot/x` → its barrel). Package imports are not edges.
 */
export function importGraph(workspace: string, roots: readonly string[]): ImportGraph {
  const config = ts.readConfigFile(join(workspace, 'tsconfig.base.json'), ts.sys.readFile).config as {
    compilerOptions?: { paths?: Record<string, string[]> };
  };
  const aliases = new Map(
    Object.entries(config.compilerOptions?.paths ?? {}).map(([name, [target]]) => [
      name,
      join(workspace, target),
    ]),
  );
  const graph = new Map<string, string[]>();
  const files = roots.flatMap((root) => sourceFiles(join(workspace, root)));
  for (const file of files) {
    const imported = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles;
    const targets = new Set<string>();
    for (const { fileName } of imported) {
      const target = fileName.startsWith('.')
        ? existingFile(resolve(dirname(file), fileName))
        : aliases.get(fileName);
      if (target) targets.add(relative(workspace, target).split('\\').join('/'));
    }
    graph.set(relative(workspace, file).split('\\').join('/'), [...targets].sort());
  }
  return graph;
}

/**
 * Every import cycle, one per strongly connected component (Tarjan), each written as a closed walk
 * `a -> b -> … -> a` through that component. Empty when the graph is acyclic.
 */
export function importCycles(graph: ImportGraph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const edges = (file: string) => graph.get(file) ?? [];

  // Iterative Tarjan: the workspace has thousands of files, recursion depth is not to be trusted.
  for (const start of [...graph.keys()].sort()) {
    if (index.has(start)) continue;
    const work: { node: string; next: number }[] = [{ node: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const out = edges(frame.node);
      if (frame.next < out.length) {
        const to = out[frame.next++];
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = component.length === 1 && edges(member).includes(member);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  return components.map((component) => describeCycle(graph, new Set(component))).sort();
}

/** A shortest closed walk from the component's first file (by name) back to itself, inside the component. */
function describeCycle(graph: ImportGraph, component: ReadonlySet<string>): string {
  const start = [...component].sort()[0];
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of graph.get(node) ?? []) {
      if (!component.has(to)) continue;
      if (to === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0])!);
        return [...path, start].join(' -> ');
      }
      if (!previous.has(to)) {
        previous.set(to, node);
        queue.push(to);
      }
    }
  }
  return start;
}
