// Same module instance as the setup (Jest runs both in its main process), so it sees what was started.
const { tearDownIntegrationInfra } = require('../src/lib/integration-infra.ts');

module.exports = () => tearDownIntegrationInfra();
