export * from './auth.stores';
