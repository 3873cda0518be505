export * from './lib/kafka-client';
export * from './lib/auth-revocations';
