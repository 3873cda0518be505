import { AuthCallError, postToAuth, type AuthCallFailure } from '../internal-call/auth-internal-call';
import type { RoomRole, RoomType } from '@hoot/domain';

/** Defaults, with why. */
export const JOIN_TICKET_CLIENT_DEFAULTS = {
  /** A join waits on this call: fail fast so the registry can answer the user (or retry) promptly. */
  timeoutMs: 3_000,
} as const;

export interface JoinTicketClientOptions {
  /** Base URL of the auth service (`http://auth:3100`). */
  authUrl: string;
  /** The `Authorization` header value for this registry's own service credentials. */
  authorization: () => Promise<string>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** What a registry asks auth to sign (validated by auth; see its README). */
export interface JoinTicketRequest {
  coremxId: string;
  /** The identity (account id) joining. */
  subject: string;
  conferenceId: string;
  displayName?: string;
  role?: RoomRole;
  roomType?: RoomType;
  /** 10..600, default 120. */
  ttlSeconds?: number;
  /**
   * The access token the user joined with: auth then also refuses the ticket when that token was revoked
   * (by `jti` or a whole-subject revocation). Without it only a disabled or unknown account is refused.
   * Refusals are 403 `auth.subject-disabled` / `auth.subject-revoked` / `auth.subject-token-invalid`.
   */
  subjectToken?: string;
}

export interface IssuedJoinTicket {
  ticket: string;
  ticketId: string;
  /** ISO-8601. */
  expiresAt: string;
}

/** `refused`, `unreachable`, `timeout` or `invalid-response` (a success without a ticket). */
export type JoinTicketFailure = AuthCallFailure;

export class JoinTicketError extends AuthCallError {
  constructor(...args: ConstructorParameters<typeof AuthCallError>) {
    super(...args);
    this.name = 'JoinTicketError';
  }
}

/**
 * Asks the auth service to sign a join ticket (`POST /internal/v1/join-tickets`) for a CoreMX's CASH. Only
 * registries may: the caller's service account must be named `reg-<cloud>-<priority>`.
 */
export class JoinTicketClient {
  constructor(private readonly options: JoinTicketClientOptions) {}

  async issue(request: JoinTicketRequest): Promise<IssuedJoinTicket> {
    const { status, body } = await postToAuth(
      { ...this.options, timeoutMs: this.options.timeoutMs ?? JOIN_TICKET_CLIENT_DEFAULTS.timeoutMs },
      '/internal/v1/join-tickets',
      request,
      'join ticket',
      (...args) => new JoinTicketError(...args),
    );
    const issued = (body ?? {}) as Partial<Record<keyof IssuedJoinTicket, unknown>>;
    if (
      typeof issued.ticket !== 'string' ||
      typeof issued.ticketId !== 'string' ||
      typeof issued.expiresAt !== 'string'
    ) {
      throw new JoinTicketError(
        'join ticket answer lacks ticket, ticketId or expiresAt',
        'invalid-response',
        status,
      );
    }
    return { ticket: issued.ticket, ticketId: issued.ticketId, expiresAt: issued.expiresAt };
  }
}
