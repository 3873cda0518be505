// End-to-end specs of kms-lite: real kms-lite processes, real headless Chromium (Debian's `chromium`,
// installed by scripts/infra/chromium.sh). No global setup: they need neither Kafka nor MongoDB.
const { aliasMapper, swcTransform } = require('../../jest.preset');

module.exports = {
  displayName: 'kms-lite-e2e',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
  transform: { '^.+\\.(t|j)s$': swcTransform },
  moduleNameMapper: aliasMapper(),
  maxWorkers: 1,
  testTimeout: 180000,
};
