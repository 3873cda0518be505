export * from './auth-token';
export * from './conferences';
export * from './read';
export * from './registry-api.limits';
export * from './validation';
export * from './recordings';
