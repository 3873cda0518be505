import { KeysUnavailableError, TokenRejectedError, type TokenVerification } from '@hoot/auth-kit';
import {
  CONFERENCE_ID_PATTERN,
  TokenRejection,
  isRoomType,
  type RoomRole,
  type RoomType,
} from '@hoot/domain';
import { OPAQUE_ID_PATTERN } from '@hoot/events';
import { CashError, CashErrorCode } from '../cash-error';

/**
 * A verified join ticket. The registry signs it after checking the user's token (revocations included)
 * and entitlement — with a key of its own (EdDSA, Ed25519) that it registered with auth, which publishes
 * it at `/.well-known/join-ticket-keys.json`; such a ticket's `iss` must be `registry:<the key's registry>`.
 * Auth can sign one too (RS256, its own JWKS, its issuer). CASH verifies either locally, pinned to the
 * algorithm of each key set. Claims:
 *
 * | claim   | meaning                                                                        |
 * | ------- | ------------------------------------------------------------------------------ |
 * | `aud`   | `coremx:<coremxId>`: this CoreMX only                                          |
 * | `sub`   | the identity (account id) joining                                              |
 * | `jti`   | the ticket id: single use (`UsedTickets`); a kicked ticket never joins again    |
 * | `name`  | display name, from the account (a `displayName` in `join` is ignored)          |
 * | `cid`   | the conference id                                                              |
 * | `role`  | optional initial role: `publisher` (only the room's creator gets it) or `viewer` |
 * | `rtype` | optional room type used when this join creates the room (`m2m` by default)     |
 * | `exp`, `iat`, `iss` | as for every hoot token (short-lived: minutes)                     |
 */
export interface JoinTicket {
  conferenceId: string;
  identity: string;
  ticketId: string;
  displayName?: string;
  role?: RoomRole;
  roomType?: RoomType;
  /** Epoch ms. */
  expiresAt: number;
  /** `iat`, seconds (what a subject revocation is compared with). */
  issuedAt: number;
}

/** The audience of join tickets for one CoreMX. */
export const ticketAudience = (coremxId: string): string => `coremx:${coremxId}`;

const DISPLAY_NAME_MAX = 100;

/** Checks join tickets: signature and times through auth-kit's verifiers, then the ticket's own claims. */
export class JoinTicketVerifier {
  constructor(private readonly verifier: TokenVerification) {}

  async verify(ticket: string): Promise<JoinTicket> {
    let claims: Record<string, unknown>;
    try {
      claims = (await this.verifier.verify(ticket)).claims;
    } catch (error) {
      throw ticketFailure(error);
    }
    const { sub, jti, name, cid, role, rtype, exp, iat } = claims;
    const bad = (why: string) => new CashError(CashErrorCode.TicketInvalid, `the join ticket ${why}`);
    if (typeof cid !== 'string' || !CONFERENCE_ID_PATTERN.test(cid))
      throw bad('has no valid cid (conference id)');
    if (typeof sub !== 'string' || !OPAQUE_ID_PATTERN.test(sub)) throw bad('has no valid sub (identity)');
    if (typeof jti !== 'string' || !OPAQUE_ID_PATTERN.test(jti)) throw bad('has no valid jti (ticket id)');
    if (role !== undefined && role !== 'publisher' && role !== 'viewer') throw bad('has an unknown role');
    if (rtype !== undefined && !isRoomType(rtype)) throw bad('has an unknown rtype (room type)');
    const displayName = typeof name === 'string' ? name.replace(/[\u0000-\u001f\u007f]/g, '').trim() : '';
    return {
      conferenceId: cid,
      identity: sub,
      ticketId: jti,
      ...(displayName ? { displayName: [...displayName].slice(0, DISPLAY_NAME_MAX).join('') } : {}),
      ...(role !== undefined ? { role } : {}),
      ...(rtype !== undefined ? { roomType: rtype } : {}),
      expiresAt: (exp as number) * 1000,
      issuedAt: iat as number,
    };
  }
}

function ticketFailure(error: unknown): CashError {
  if (error instanceof KeysUnavailableError) {
    return new CashError(
      CashErrorCode.TicketKeysUnavailable,
      'ticket keys are unavailable; retry shortly',
      5,
    );
  }
  if (error instanceof TokenRejectedError) {
    switch (error.reason) {
      case TokenRejection.WrongAudience:
        return new CashError(CashErrorCode.TicketWrongCoreMx, 'the join ticket is for another CoreMX');
      case TokenRejection.Expired:
        return new CashError(CashErrorCode.TicketExpired, 'the join ticket has expired');
      case TokenRejection.Revoked:
        return new CashError(CashErrorCode.TicketRevoked, 'the join ticket has been revoked');
      default:
        return new CashError(CashErrorCode.TicketInvalid, `the join ticket is not valid: ${error.message}`);
    }
  }
  return new CashError(CashErrorCode.TicketInvalid, 'the join ticket could not be verified');
}
