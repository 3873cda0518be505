export * from './lib/free-port';
export * from './lib/managed-process';
export * from './lib/service-key';
export * from './lib/workspace';
