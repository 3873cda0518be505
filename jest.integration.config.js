// Integration specs (`*.integration-spec.ts`) of every project, in one run: the global setup starts a
// real Kafka broker and a real MongoDB-protocol server once, on free ports, and tears them down after.
const { aliasMapper, swcTransform, transformIgnorePatterns } = require('./jest.preset');

module.exports = {
  displayName: 'integration',
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools/helm-tests'],
  testMatch: ['**/test/**/*.integration-spec.ts'],
  transform: { '^.+\\.(t|j)s$': swcTransform },
  moduleNameMapper: aliasMapper(),
  transformIgnorePatterns,
  globalSetup: '<rootDir>/tools/jest/integration-setup.js',
  globalTeardown: '<rootDir>/tools/jest/integration-teardown.js',
  maxWorkers: 2,
  testTimeout: 120000,
};
