// For specs only: the contract suites of the domain's persistence ports, run against each implementation
// (the auth app's in-memory fakes, `@hoot/mongo`'s stores in libs/mongo/test).
export * from './auth-stores.contract';
