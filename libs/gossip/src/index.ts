export * from './lib/versioned';
