import { KeysUnavailableError, TokenRejectedError, type TokenVerifier } from '@hoot/auth-kit';
import { TokenRejection } from '@hoot/domain';
import { OPAQUE_ID_PATTERN } from '@hoot/events';
import { CashError, CashErrorCode } from '../cash-error';

/** A verified user access token, as far as joining needs it. */
export interface JoinAccessToken {
  /** The account id (`sub`). */
  identity: string;
  /** The token id (`jti`): used as the participant's ticket id (a kicked token cannot join that room again). */
  tokenId: string;
  displayName?: string;
  /** `iat`, seconds (what a subject revocation is compared with). */
  issuedAt: number;
}

const DISPLAY_NAME_MAX = 100;

/**
 * Checks a user access token given in `join` instead of a join ticket: signature, times, audience
 * (`AUTH_AUDIENCE`) and revocation through auth-kit's `TokenVerifier` (the same JWKS and revocation feed
 * as tickets). Service tokens are refused. Entitlement to the room is checked by the session.
 */
export class AccessTokenVerifier {
  constructor(private readonly verifier: TokenVerifier) {}

  async verify(token: string): Promise<JoinAccessToken> {
    let claims: Record<string, unknown>;
    try {
      claims = (await this.verifier.verify(token)).claims;
    } catch (error) {
      throw tokenFailure(error);
    }
    const { sub, jti, name, kind, iat } = claims;
    const bad = (why: string) => new CashError(CashErrorCode.TokenInvalid, `the access token ${why}`);
    if (kind === 'service') throw bad('is a service token (participants join with a user token)');
    if (typeof sub !== 'string' || !OPAQUE_ID_PATTERN.test(sub)) throw bad('has no valid sub (identity)');
    if (typeof jti !== 'string' || !OPAQUE_ID_PATTERN.test(jti)) throw bad('has no valid jti (token id)');
    const displayName = typeof name === 'string' ? name.replace(/[\u0000-\u001f\u007f]/g, '').trim() : '';
    return {
      identity: sub,
      tokenId: jti,
      issuedAt: iat as number,
      ...(displayName ? { displayName: [...displayName].slice(0, DISPLAY_NAME_MAX).join('') } : {}),
    };
  }
}

function tokenFailure(error: unknown): CashError {
  if (error instanceof KeysUnavailableError) {
    return new CashError(CashErrorCode.TicketKeysUnavailable, 'token keys are unavailable; retry shortly', 5);
  }
  if (error instanceof TokenRejectedError) {
    switch (error.reason) {
      case TokenRejection.Expired:
        return new CashError(CashErrorCode.TokenExpired, 'the access token has expired');
      case TokenRejection.Revoked:
        return new CashError(CashErrorCode.TokenRevoked, 'the access token has been revoked');
      default:
        return new CashError(CashErrorCode.TokenInvalid, `the access token is not valid: ${error.message}`);
    }
  }
  return new CashError(CashErrorCode.TokenInvalid, 'the access token could not be verified');
}
