// Builds the web app into dist/apps/web: app.js (one bundle of src/main.ts with @hoot/sdk and
// @hoot/domain, through the tsconfig path aliases), app.css and index.html, with sourcemaps.
// `node apps/web/build.mjs [--outdir <dir>] [--watch]`; the registry serves the result (WEB_ROOT).
import { build, context } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--outdir');
const outdir = resolve(root, outIndex >= 0 ? args[outIndex + 1] : 'dist/apps/web');
const watch = args.includes('--watch');

const options = {
  absWorkingDir: root,
  entryPoints: [
    { in: join(here, 'src/main.ts'), out: 'app' },
    { in: join(here, 'src/styles/app.css'), out: 'app' },
  ],
  outdir,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
  tsconfig: join(here, 'tsconfig.app.json'),
  sourcemap: true,
  minify: !watch,
  legalComments: 'none',
  logLevel: 'info',
  // The app runs in browsers only: a Node built-in in the bundle is a bug, fail the build.
  external: [],
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
copyFileSync(join(here, 'src/index.html'), join(outdir, 'index.html'));
if (watch) {
  const ctx = await context(options);
  await ctx.watch();
  console.log(`[web] watching; output in ${outdir}`);
} else {
  const result = await build({ ...options, metafile: true });
  const bytes = Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([file, o]) => [file, o.bytes]),
  );
  console.log(`[web] built into ${outdir}`, bytes);
}
