export * from './media-devices';
export * from './media-environment';
export * from './media-plan';
export * from './media-session';
