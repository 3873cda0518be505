export * from './lib/versioned';
export * from './lib/gcas';
export * from './lib/gossip-defaults';
export * from './lib/gossip-message';
export * from './lib/liveness';
export * from './lib/gossip-node';
export * from './lib/in-memory-network';
