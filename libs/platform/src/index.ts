export * from './lib/platform.plan';
export * from './lib/platform-secrets';
export * from './lib/platform-stages';
export * from './lib/start-platform';
export * from './lib/service-supervisor';
