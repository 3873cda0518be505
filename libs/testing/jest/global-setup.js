// Loaded by Jest outside the test runtime: map the @hoot/* aliases for plain `require`, then load the
// TypeScript setup while Jest's transform hook is active (it only is during this synchronous require).
const path = require('node:path');
const { register } = require('tsconfig-paths');
const { compilerOptions } = require('../../../tsconfig.base.json');

register({ baseUrl: path.join(__dirname, '../../..'), paths: compilerOptions.paths });
const { setUpIntegrationInfra } = require('../src/lib/integration-infra.ts');

module.exports = () => setUpIntegrationInfra();
