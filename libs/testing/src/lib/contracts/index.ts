// One contract suite per persistence port, run against each implementation (the in-memory fakes in the
// apps' unit specs, the MongoDB stores in `libs/mongo/test`).
export * from './auth-stores.contract';
export * from './conference-store.contract';
export * from './gcas-store.contract';
export * from './webhook-store.contract';
