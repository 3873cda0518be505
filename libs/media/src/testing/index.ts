export * from './kms-lite.process';
