// Builds the web app into dist/apps/web: app.js (one bundle of src/main.ts with @hoot/sdk and
// @hoot/domain, through the tsconfig path aliases), app.css and index.html, with sourcemaps.
// index.html names the assets with their content hash (`/app.js?v=<hash>`, the registry's
// `contentVersion`), so browsers may keep them for good; the registry compresses what it sends
// (brotli/gzip). The build prints each file's size as is, gzipped and brotli'd.
// `node apps/web/build.mjs [--outdir <dir>] [--watch]`; the registry serves the result (WEB_ROOT).
import { build, context } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

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
  // hls.js is not in app.js: only a p2m viewer needs it, and it would triple the page. The app imports
  // /hls.js (built below) when it first plays a broadcast (src/ui/hls-loader.ts, the SDK player's loader).
};

// hls.js's light build (no alternate audio, subtitles or DRM, none of which hoot's LL-HLS streams use) as
// an ES module of its own: /hls.js, named by its content hash in index.html.
const hlsOptions = {
  absWorkingDir: root,
  entryPoints: [{ in: join(here, 'src/ui/hls-entry.js'), out: 'hls' }],
  outdir,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: options.target,
  sourcemap: true,
  minify: !watch,
  legalComments: 'none',
  logLevel: 'info',
  alias: { 'hls.js': 'hls.js/light' },
};

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
if (watch) {
  copyFileSync(join(here, 'src/index.html'), join(outdir, 'index.html'));
  const ctx = await context(options);
  await ctx.watch();
  const hlsCtx = await context(hlsOptions);
  await hlsCtx.watch();
  console.log(`[web] watching; output in ${outdir}`);
} else {
  await build(options);
  await build(hlsOptions);
  // Same as the registry's contentVersion (apps/registry/src/web/web-assets.ts).
  const version = (file) =>
    createHash('sha256')
      .update(readFileSync(join(outdir, file)))
      .digest('base64url')
      .slice(0, 16);
  const html = readFileSync(join(here, 'src/index.html'), 'utf8')
    .replace('href="/app.css"', `href="/app.css?v=${version('app.css')}"`)
    .replace('src="/app.js"', `src="/app.js?v=${version('app.js')}"`)
    .replace('content="/hls.js"', `content="/hls.js?v=${version('hls.js')}"`);
  if (!html.includes('/app.css?v=') || !html.includes('/app.js?v=') || !html.includes('/hls.js?v='))
    throw new Error('index.html no longer names /app.css, /app.js and /hls.js: update build.mjs');
  writeFileSync(join(outdir, 'index.html'), html);
  const sizes = {};
  let page = { raw: 0, gzip: 0, br: 0 };
  for (const file of ['index.html', 'app.js', 'app.css']) {
    const body = readFileSync(join(outdir, file));
    const size = {
      raw: body.length,
      gzip: gzipSync(body, { level: 9 }).length,
      br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
    sizes[file] = size;
    page = { raw: page.raw + size.raw, gzip: page.gzip + size.gzip, br: page.br + size.br };
  }
  const hls = readFileSync(join(outdir, 'hls.js'));
  sizes['hls.js (p2m viewers only)'] = {
    raw: hls.length,
    gzip: gzipSync(hls, { level: 9 }).length,
    br: brotliCompressSync(hls, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
  console.log(`[web] built into ${outdir}`, { ...sizes, page });
}
