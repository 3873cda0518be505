export * from './lib/clock';
export * from './lib/service-error-codes';
export * from './lib/auth-error-codes';
export * from './lib/account';
export * from './lib/auth-records';
