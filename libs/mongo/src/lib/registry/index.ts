export * from './gcas.store';
