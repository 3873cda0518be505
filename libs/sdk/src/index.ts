export * from './lib/sdk-error-codes';
export * from './lib/registry-order';
export * from './lib/registry-http.error';
export type { FetchInit, FetchLike, FetchResponseLike, HttpAnswer } from './lib/registry-http';
export * from './lib/registry-unavailable.error';
export * from './lib/registry-client.defaults';
export * from './lib/registry-client';
export * from './lib/discovery';
