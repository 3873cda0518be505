export * from './lib/mongo-connection';
export * from './lib/mongo-errors';
export * from './lib/auth';
export * from './lib/registry';
