// The one-node cluster's own specs (issue 15, items 3 and 4): scripts/cluster-up brings a node Ready with
// DNS, pods reachable from the host, NetworkPolicies enforced by traffic, and scripts/cluster-down leaves
// nothing behind. One spec file, in band: one cluster start per run (needs root).
const { aliasMapper, swcTransform, transformIgnorePatterns } = require('../../jest.preset');

module.exports = {
  displayName: 'cluster-tests',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.cluster-spec.ts'],
  transform: { '^.+\\.(t|j)s$': swcTransform },
  moduleNameMapper: aliasMapper(),
  transformIgnorePatterns,
  maxWorkers: 1,
  // cluster-up may build missing binaries from the Go module proxy on a fresh machine (minutes).
  testTimeout: 1_800_000,
};
