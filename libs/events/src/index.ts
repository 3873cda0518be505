export * from './lib/kafka-client';
export * from './lib/ensure-topic';
export * from './lib/auth-revocations';
export * from './lib/cces';
