export * from './lib/eventually';
export * from './lib/fake-clock';
export * from './lib/free-port';
export * from './lib/integration-env';
export * from './lib/integration-infra';
export * from './lib/local-infra';
export * from './lib/managed-process';
export * from './lib/workspace';
