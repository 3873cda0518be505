export * from './gcas.store';
export * from './conference.store';
export * from './webhook.store';
export * from './webhook-mongo.store';
