export * from './lib/errors';
export * from './lib/registry-api';
export * from './lib/signaling';
