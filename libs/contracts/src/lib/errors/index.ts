export * from './cash-error-code';
export * from './error-code';
export * from './http-status';
export * from './registry-error-codes';
export * from './sdk-error-code';
