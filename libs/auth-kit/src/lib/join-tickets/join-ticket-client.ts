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
}

export interface IssuedJoinTicket {
  ticket: string;
  ticketId: string;
  /** ISO-8601. */
  expiresAt: string;
}

/**
 * Why issuing failed: `refused` (auth answered an error: `status` and, from its problem+json, `code`),
 * `unreachable` (no answer: connection refused, DNS …), `timeout` (no answer in time) or
 * `invalid-response` (a success without a ticket).
 */
export type JoinTicketFailure = 'refused' | 'unreachable' | 'timeout' | 'invalid-response';

export class JoinTicketError extends Error {
  constructor(
    message: string,
    readonly failure: JoinTicketFailure,
    readonly status?: number,
    /** The server's stable problem code (`request.invalid`, `auth.forbidden` …) when it sent one. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'JoinTicketError';
  }

  /** No answer from auth (worth retrying, or trying another replica). */
  get unavailable(): boolean {
    return this.failure === 'unreachable' || this.failure === 'timeout';
  }
}

/**
 * Asks the auth service to sign a join ticket (`POST /internal/v1/join-tickets`) for a CoreMX's CASH. Only
 * registries may: the caller's service account must be named `reg-<cloud>-<priority>`.
 */
export class JoinTicketClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: JoinTicketClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  async issue(request: JoinTicketRequest): Promise<IssuedJoinTicket> {
    const url = `${this.options.authUrl.replace(/\/$/, '')}/internal/v1/join-tickets`;
    // Outside the try: a failure to get our own credentials is the credential client's error, as is.
    const authorization = await this.options.authorization();
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, application/problem+json',
          authorization,
        },
        body: JSON.stringify(request),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? JOIN_TICKET_CLIENT_DEFAULTS.timeoutMs),
      });
    } catch (error) {
      throw noAnswer(error);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      // The deadline covers the body too; anything else is an unparsable body (handled below).
      if (isTimeout(error)) throw noAnswer(error);
    }
    if (!response.ok) {
      const problem = (body ?? {}) as { code?: unknown; detail?: unknown };
      const code = typeof problem.code === 'string' ? problem.code : undefined;
      const detail = typeof problem.detail === 'string' ? `: ${problem.detail}` : '';
      throw new JoinTicketError(
        `join ticket refused (${response.status}${code ? ` ${code}` : ''})${detail}`,
        'refused',
        response.status,
        code,
      );
    }
    const issued = (body ?? {}) as Partial<Record<keyof IssuedJoinTicket, unknown>>;
    if (
      typeof issued.ticket !== 'string' ||
      typeof issued.ticketId !== 'string' ||
      typeof issued.expiresAt !== 'string'
    ) {
      throw new JoinTicketError(
        'join ticket answer lacks ticket, ticketId or expiresAt',
        'invalid-response',
        response.status,
      );
    }
    return { ticket: issued.ticket, ticketId: issued.ticketId, expiresAt: issued.expiresAt };
  }
}

const isTimeout = (error: unknown) => (error as Error | undefined)?.name === 'TimeoutError';

function noAnswer(error: unknown): JoinTicketError {
  return isTimeout(error)
    ? new JoinTicketError('join ticket request timed out', 'timeout', undefined, undefined, { cause: error })
    : new JoinTicketError(
        `join ticket request failed: ${(error as Error | undefined)?.message ?? String(error)}`,
        'unreachable',
        undefined,
        undefined,
        { cause: error },
      );
}
