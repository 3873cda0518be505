export * from './messages';
export * from './signaling.limits';
export * from './validation';
