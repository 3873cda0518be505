export * from './kms-lite.process';
export * from './fake-media.port';
