export * from './lib/versioned';
export * from './lib/gcas';
