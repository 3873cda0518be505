export * from './lib/kurento-connection';
export * from './lib/media.port';
export * from './lib/media-error.exception';
export * from './lib/media-input.validation';
export * from './lib/media.defaults';
export * from './lib/kurento-media.adapter';
export * from './lib/kms-health.monitor';
