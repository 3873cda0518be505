// End-to-end spec of the web app: the built app served by real registry processes, the whole platform
// on loopback (auth, two registries, two CASH + kms-lite with real WebRTC), and real headless Chromium
// (Debian's `chromium`, see scripts/infra/chromium.sh) with fake camera and microphone. The global setup
// starts Kafka and the MongoDB-protocol server, as for integration specs.
const { aliasMapper, swcTransform, transformIgnorePatterns } = require('../../jest.preset');

module.exports = {
  displayName: 'web-e2e',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|j)s$': swcTransform },
  moduleNameMapper: aliasMapper(),
  transformIgnorePatterns,
  globalSetup: '<rootDir>/../../tools/jest/integration-setup.js',
  globalTeardown: '<rootDir>/../../tools/jest/integration-teardown.js',
  maxWorkers: 1,
  testTimeout: 240000,
};
