// Runs our TypeScript sources directly in Node (`node -r ./tools/ts-node/register.js apps/x/src/main.ts`):
// SWC strips types (keeping NestJS decorator metadata) and tsconfig-paths maps the @hoot/* aliases.
// Used for local runs and for processes that integration tests start; images run the Nx build output.
const fs = require('node:fs');
const path = require('node:path');
const { transformSync } = require('@swc/core');
const { register } = require('tsconfig-paths');

const root = path.join(__dirname, '../..');
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));
register({ baseUrl: root, paths: compilerOptions.paths });

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, { ...swcOptions, filename });
  module._compile(code, filename);
};
process.setSourceMapsEnabled?.(true);
