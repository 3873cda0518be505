export * from './fake-cces-sender';
export * from './in-memory-cces-publisher';
export * from './cces-samples';
