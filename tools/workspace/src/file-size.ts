// The house rule of issue 20: no source file over 500 lines. Source is every TypeScript and JavaScript file
// git tracks under apps/, libs/, tools/ and bench/ (specs included: a spec over 500 lines wants a fixture file
// or a split by subject like its subject); generated and vendored files are not source.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MAX_LINES = 500;
const ROOTS = ['apps', 'libs', 'tools', 'bench'];
const SOURCE = /\.(ts|tsx|js|mjs|cjs)$/;
const NOT_SOURCE = [/^bench\/results\//, /\/vendor\//, /\/dist\//, /\.d\.ts$/];

/** Lines of a text: the number of line breaks, plus one for a last line without its break. */
export function lineCount(text: string): number {
  if (text.length === 0) return 0;
  const breaks = text.split('\n').length - 1;
  return text.endsWith('\n') ? breaks : breaks + 1;
}

/** `path: lines` of each tracked source file over `max` lines, longest first. */
export function oversizedFiles(root: string, max = MAX_LINES): string[] {
  const tracked = execFileSync('git', ['ls-files', '-z', '--', ...ROOTS], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((path) => SOURCE.test(path) && !NOT_SOURCE.some((pattern) => pattern.test(path)));
  return tracked
    .map((path) => ({ path, lines: lineCount(readFileSync(join(root, path), 'utf8')) }))
    .filter((file) => file.lines > max)
    .sort((a, b) => b.lines - a.lines || a.path.localeCompare(b.path))
    .map((file) => `${file.path}: ${file.lines}`);
}
