// Jest global teardown of the integration run: stops what the setup started, also after failures.
const { tearDownIntegrationInfra } = require('@hoot/testing');

module.exports = () => tearDownIntegrationInfra();
