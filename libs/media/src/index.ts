export * from './lib/kurento-connection';
