// The domain's error enums stay in `@hoot/domain` (its pure rules raise them); the catalogue re-exports them so
// every code of hoot can be imported from one place.
export {
  AuthErrorCode,
  ConferenceErrorCode,
  RoomErrorCode,
  ServiceErrorCode,
  TokenRejection,
  WebhookErrorCode,
} from '@hoot/domain';
export * from './cash-error-code';
export * from './error-code';
export * from './http-status';
export * from './registry-error-codes';
export * from './sdk-error-code';
export * from './packager-error-code';
