// For specs only: the contract suites of the registry's persistence ports declared here, run against each
// implementation (the registry's in-memory fakes, the MongoDB stores in libs/mongo/test).
export * from './conference-store.contract';
export * from './gcas-store.contract';
export * from './webhook-store.contract';
