// The end-to-end suite through a real one-node Kubernetes cluster (issue 15, item 6): the global setup
// builds the images, brings the cluster up, loads the images and installs the chart (or reuses a running
// cluster with HOOT_CLUSTER_REUSE=1); the suite drives real headless Chromium on the host (fake devices)
// against the registries' NodePorts; the global teardown brings the cluster down again (unless
// HOOT_KEEP_CLUSTER=1, or the cluster was reused). One spec file, in band: one cluster start.
const { aliasMapper, swcTransform, transformIgnorePatterns } = require('../../jest.preset');

module.exports = {
  displayName: 'cluster-e2e',
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.cluster-spec.ts'],
  transform: { '^.+\\.(t|j)s$': swcTransform },
  moduleNameMapper: aliasMapper(),
  transformIgnorePatterns,
  globalSetup: '<rootDir>/src/global-setup.ts',
  globalTeardown: '<rootDir>/src/global-teardown.ts',
  maxWorkers: 1,
  // A step may wait for a CoreMX drain (its deadline) and a StatefulSet pod to come back.
  testTimeout: 600000,
};
