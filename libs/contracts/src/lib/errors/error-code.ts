import {
  AuthErrorCode,
  ConferenceErrorCode,
  RoomErrorCode,
  ServiceErrorCode,
  TokenRejection,
  WebhookErrorCode,
} from '@hoot/domain';
import { CashErrorCode } from './cash-error-code';
import { PackagerErrorCode } from './packager-error-code';
import { GossipErrorCode, MembershipErrorCode, WebAssetsErrorCode } from './registry-error-codes';
import { SdkErrorCode } from './sdk-error-code';

/**
 * Every code a hoot server puts on the wire: the `code` of a problem+json answer (HTTP) and of a
 * `{type:"error"}` message (WebSocket). The domain's enums stay in `@hoot/domain` (its pure rules raise
 * them); the services' and the SDK's own are here. Wire values are stable: never rename one, only add.
 */
export type ServerErrorCode =
  | ServiceErrorCode
  | AuthErrorCode
  | TokenRejection
  | ConferenceErrorCode
  | WebhookErrorCode
  | MembershipErrorCode
  | GossipErrorCode
  | WebAssetsErrorCode
  | CashErrorCode
  | RoomErrorCode
  | PackagerErrorCode;

/** Every stable error code of hoot: what servers send, and what the SDK raises on its own. */
export type HootErrorCode = ServerErrorCode | SdkErrorCode;

/**
 * Each enum of the catalogue by name, for specs and tooling that walk every code. `satisfies` keeps the list
 * honest one way; the exhaustive tables (`httpStatusOf`, the web's messages) keep it honest the other.
 */
export const ERROR_CODE_ENUMS = {
  ServiceErrorCode,
  AuthErrorCode,
  TokenRejection,
  ConferenceErrorCode,
  WebhookErrorCode,
  MembershipErrorCode,
  GossipErrorCode,
  WebAssetsErrorCode,
  CashErrorCode,
  RoomErrorCode,
  PackagerErrorCode,
  SdkErrorCode,
} as const satisfies Record<string, Record<string, HootErrorCode>>;

/** Every code of the catalogue, once each. */
export const HOOT_ERROR_CODES: readonly HootErrorCode[] = Object.values(ERROR_CODE_ENUMS).flatMap(
  (codes) => Object.values(codes) as HootErrorCode[],
);

const KNOWN = new Set<string>(HOOT_ERROR_CODES);

/** Whether `code` (from a wire answer, untrusted) is one of the catalogue's codes. */
export function isHootErrorCode(code: unknown): code is HootErrorCode {
  return typeof code === 'string' && KNOWN.has(code);
}
