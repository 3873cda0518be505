// Shared Jest settings: SWC transform (fast, keeps decorator metadata for NestJS) and the
// tsconfig path aliases mapped to their barrels, so specs import libs exactly as code does.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const root = __dirname;

function aliasMapper() {
  const mapper = {};
  for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
    mapper[`^${alias.replace(/[/\\^$+?.()|[\]{}]/g, '\\$&')}$`] = path.join(root, target);
  }
  return mapper;
}

const swcTransform = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

/**
 * @kubernetes/client-node 1.x and some of its dependencies are ES modules (so is the $ref parser of the
 * OpenAPI validator, @apidevtools/swagger-parser); Jest (on Node 20) does not
 * load ESM through require(), so SWC transforms these packages to CommonJS like our own code.
 */
const ESM_PACKAGES = [
  '@kubernetes/client-node',
  'openid-client',
  'oauth4webapi',
  'jose',
  'jsonpath-plus',
  'rfc4648',
  '@apidevtools/json-schema-ref-parser',
];
const transformIgnorePatterns = [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`];

/** Unit-test config for one project: `*.spec.ts` under its `src/`. */
function unitConfig(projectDir, overrides = {}) {
  return {
    displayName: path.relative(root, projectDir),
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.spec.ts'],
    transform: { '^.+\\.(t|j)s$': swcTransform },
    moduleNameMapper: aliasMapper(),
    moduleFileExtensions: ['ts', 'js', 'json'],
    transformIgnorePatterns,
    ...overrides,
  };
}

module.exports = { aliasMapper, swcTransform, transformIgnorePatterns, unitConfig, root };
