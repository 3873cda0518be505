// Flat ESLint config: TypeScript rules, the Nx module-boundary matrix of ARCHITECTURE.md / STYLE.md,
// and the Jest rules that catch tests that cannot fail.
import nx from '@nx/eslint-plugin';
import jest from 'eslint-plugin-jest';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** Each heavy dependency has exactly one owner lib (tag `owns:<dep>`); everyone else is banned from it. */
const OWNED = {
  'owns:kafkajs': ['kafkajs'],
  'owns:mongoose': ['mongoose', 'mongodb'],
  'owns:kurento': ['kurento-client'],
  'owns:k8s': ['@kubernetes/client-node'],
};
const allOwned = Object.values(OWNED).flat();
const ownershipConstraints = [
  { sourceTag: 'owns:none', bannedExternalImports: allOwned },
  ...Object.entries(OWNED).map(([tag, mine]) => ({
    sourceTag: tag,
    bannedExternalImports: allOwned.filter((dep) => !mine.includes(dep)),
  })),
];

/**
 * The project matrix. `testLib` says whether the test lib (@hoot/testing, tagged `type:test-lib`) may be
 * imported: by specs, fakes under `testing/` folders and fixtures, never by what runs in production
 * (`npm start`, the images). Machinery both need lives in a lib of its own (`@hoot/process`).
 * `onlyDependOnLibsWithTags` checks direct imports only, so a lib whose specs use the test lib stays usable.
 */
const matrix = ({ testLib }) => {
  const libs = testLib ? ['type:lib', 'type:test-lib'] : ['type:lib'];
  return [
    // Scopes first: a lint error names the most specific rule broken.
    // The domain is pure: it imports nothing of ours.
    { sourceTag: 'scope:domain', notDependOnLibsWithTags: ['*'] },
    // The gossip core is pure as well: domain only.
    { sourceTag: 'scope:gossip', onlyDependOnLibsWithTags: ['scope:domain'] },
    // Wire contracts run in browsers too (the SDK, the web app): the pure domain only.
    { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: ['scope:domain'] },
    // The SDK runs in browsers too: the pure domain and the wire contracts only.
    { sourceTag: 'scope:sdk', onlyDependOnLibsWithTags: ['scope:domain', 'scope:contracts'] },
    // Apps are leaves: they depend on libs only, never on another app.
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: libs },
    // Libs depend on libs only.
    { sourceTag: 'type:lib', onlyDependOnLibsWithTags: libs },
    // The test lib starts and fakes what specs need, over the libs.
    { sourceTag: 'type:test-lib', onlyDependOnLibsWithTags: ['type:lib'] },
    // Workspace tooling may look at libs, never at apps.
    { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:test-lib'] },
    ...ownershipConstraints,
  ];
};
export const depConstraints = matrix({ testLib: true });
export const productionDepConstraints = matrix({ testLib: false });
/** Where production code lives: every source of apps and libs except tests, fakes and fixtures. */
const PRODUCTION_FILES = ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'];
const TEST_FILES = [
  'libs/testing/**',
  '**/testing/**',
  '**/*.spec.ts',
  '**/*.integration-spec.ts',
  '**/*.e2e-spec.ts',
  '**/*.fixture.ts',
];
const moduleBoundaries = (constraints) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints: constraints },
];

/**
 * The same ownership as a plain import rule: the Nx rule can only ban a package that is in the project
 * graph (installed), this one bans it by name before anyone installs it.
 */
const restrictedImports = (allowed = []) => [
  'error',
  {
    paths: allOwned
      .filter((dep) => !allowed.includes(dep))
      .map((name) => ({ name, message: `only its owner lib may import ${name} (see STYLE.md, boundaries)` })),
    patterns: allOwned
      .filter((dep) => !allowed.includes(dep))
      .map((name) => ({ group: [`${name}/*`], message: `only its owner lib may import ${name}` })),
  },
];
const OWNER_DIRS = {
  'libs/events': OWNED['owns:kafkajs'],
  'libs/mongo': OWNED['owns:mongoose'],
  'libs/media': OWNED['owns:kurento'],
  'libs/k8s': OWNED['owns:k8s'],
};

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '.infra/**',
      '.nx/**',
      'tmp/**',
      'bench/results/**',
      'apps/web/public/vendor/**',
    ],
  },
  ...nx.configs['flat/base'],
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries(depConstraints),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-console': 'error',
      'no-restricted-imports': restrictedImports(),
    },
  },
  {
    files: PRODUCTION_FILES,
    ignores: TEST_FILES,
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries(productionDepConstraints) },
  },
  ...Object.entries(OWNER_DIRS).map(([dir, deps]) => ({
    files: [`${dir}/**/*.ts`],
    rules: { 'no-restricted-imports': restrictedImports(deps) },
  })),
  {
    // The CLI's job is to print; scripts and benchmarks are tools too.
    files: ['apps/cli/**/*.ts', 'bench/**/*.{ts,js,mjs}', 'scripts/**/*.{ts,js,mjs}', 'tools/**/*.{ts,mjs}'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', '**/*.cluster-spec.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      'jest/expect-expect': [
        'error',
        { assertFunctionNames: ['expect', 'expect*', 'eventually', 'fc.assert'] },
      ],
      'jest/no-conditional-expect': 'error',
      'jest/no-disabled-tests': 'error',
      'jest/no-focused-tests': 'error',
      'jest/no-standalone-expect': 'error',
      'jest/valid-expect': 'error',
      'jest/no-done-callback': 'error',
      'jest/no-test-return-statement': 'error',
    },
  },
  prettier,
);
