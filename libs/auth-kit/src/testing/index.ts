export * from './test-keys';
export * from './negative-matrix';
