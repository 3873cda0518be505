/**
 * Why a registry's call to one of auth's internal endpoints failed: `refused` (auth answered an error:
 * `status` and, from its problem+json, `code`), `unreachable` (no answer: connection refused, DNS …),
 * `timeout` (no answer in time) or `invalid-response` (a success without what was asked for).
 */
export type AuthCallFailure = 'refused' | 'unreachable' | 'timeout' | 'invalid-response';

/** Base of the typed errors of auth's internal-endpoint clients. */
export class AuthCallError extends Error {
  constructor(
    message: string,
    readonly failure: AuthCallFailure,
    readonly status?: number,
    /** The server's stable problem code (`request.invalid`, `auth.forbidden` …) when it sent one. */
    readonly code?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuthCallError';
  }

  /** No answer from auth (worth retrying, or trying another replica). */
  get unavailable(): boolean {
    return this.failure === 'unreachable' || this.failure === 'timeout';
  }
}

export interface AuthCallOptions {
  /** Base URL of the auth service (`http://auth:3100`). */
  authUrl: string;
  /** The `Authorization` header value for the caller's own service credentials. */
  authorization: () => Promise<string>;
  timeoutMs: number;
  fetch?: typeof fetch;
}

type ErrorFactory<E extends AuthCallError> = (
  message: string,
  failure: AuthCallFailure,
  status?: number,
  code?: string,
  options?: { cause?: unknown },
) => E;

/**
 * POSTs `body` as JSON to auth's `path` with the caller's service credentials and returns the parsed
 * success body; every failure is thrown as the caller's typed error (`what` names the call in messages).
 * Getting the credentials happens outside: their failure is the credential client's error, as is.
 */
export async function postToAuth<E extends AuthCallError>(
  options: AuthCallOptions,
  path: string,
  body: unknown,
  what: string,
  error: ErrorFactory<E>,
): Promise<{ status: number; body: unknown }> {
  const url = `${options.authUrl.replace(/\/$/, '')}${path}`;
  const authorization = await options.authorization();
  const noAnswer = (cause: unknown): E =>
    isTimeout(cause)
      ? error(`${what} request timed out`, 'timeout', undefined, undefined, { cause })
      : error(
          `${what} request failed: ${(cause as Error | undefined)?.message ?? String(cause)}`,
          'unreachable',
          undefined,
          undefined,
          { cause },
        );
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, application/problem+json',
        authorization,
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (cause) {
    throw noAnswer(cause);
  }
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch (cause) {
    // The deadline covers the body too; anything else is an unparsable body (handled by the caller).
    if (isTimeout(cause)) throw noAnswer(cause);
  }
  if (!response.ok) {
    const problem = (parsed ?? {}) as { code?: unknown; detail?: unknown };
    const code = typeof problem.code === 'string' ? problem.code : undefined;
    const detail = typeof problem.detail === 'string' ? `: ${problem.detail}` : '';
    throw error(
      `${what} refused (${response.status}${code ? ` ${code}` : ''})${detail}`,
      'refused',
      response.status,
      code,
    );
  }
  return { status: response.status, body: parsed };
}

const isTimeout = (error: unknown) => (error as Error | undefined)?.name === 'TimeoutError';
