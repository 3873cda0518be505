import type { TokenRejection } from '@hoot/domain';
import type { TokenVerifier } from '../verifier/token-verifier';

export const AUTH_KIT_OPTIONS = Symbol('AUTH_KIT_OPTIONS');

export interface AuthKitOptions {
  verifier: TokenVerifier;
  /** Audience of user tokens (`hoot`): `AuthGuard` requires it. */
  userAudience: string;
  /** Audience of service tokens (`hoot-internal`): `ServiceGuard` requires it and the `service` role. */
  serviceAudience: string;
  /** Told about each refused token (metrics, logs). */
  onRejected?: (reason: TokenRejection | string) => void;
}
