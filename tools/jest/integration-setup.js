// Jest global setup of the integration run (outside every project, so it may compose libs freely).
// Loaded outside the test runtime: map the @hoot/* aliases for plain `require`, then load TypeScript
// while Jest's transform hook is active (it only is during this synchronous top-level require).
const path = require('node:path');
const { register } = require('tsconfig-paths');
const { compilerOptions } = require('../../tsconfig.base.json');

register({ baseUrl: path.join(__dirname, '../..'), paths: compilerOptions.paths });
const { setUpIntegrationInfra } = require('@hoot/testing');
const { describeKafkaCluster } = require('@hoot/events');
const { pingMongo } = require('@hoot/mongo');

module.exports = () =>
  setUpIntegrationInfra({
    kafka: (brokers) => describeKafkaCluster(brokers, 2000),
    mongo: (uri) => pingMongo(uri, 2000),
  });
