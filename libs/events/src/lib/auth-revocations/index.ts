export * from './auth-revocation.event';
export * from './auth-revocation.topic';
