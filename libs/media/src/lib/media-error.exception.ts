/**
 * Stable codes of every error the media port reports. Callers (CASH) branch on these, never on
 * messages: never rename one, only add.
 */
export enum MediaErrorCode {
  /** No usable connection to the media server (not connected, reconnecting, or the client gave up). */
  Unavailable = 'MEDIA_UNAVAILABLE',
  /** The call got no answer within its timeout (kurento-client would otherwise queue it for 20 s). */
  Timeout = 'MEDIA_TIMEOUT',
  /** The server refused the call; `kurentoCode` carries Kurento's numeric code. */
  ServerError = 'MEDIA_SERVER_ERROR',
  /** The object no longer exists: released, lost with its session, or from before a reconnection. */
  ObjectGone = 'MEDIA_OBJECT_GONE',
  /** The server could not use the SDP (Kurento's 402xx codes). */
  SdpRejected = 'MEDIA_SDP_REJECTED',
  /** The server has no resources left for the call (Kurento's 40009 NOT_ENOUGH_RESOURCES). */
  Overloaded = 'MEDIA_OVERLOADED',
  /** Bad input (SDP, ICE candidate, ids, wiring), refused before or by the server; nothing changed. */
  InvalidArgument = 'MEDIA_INVALID_ARGUMENT',
  /** A failure inside the client library that is none of the above (a bug on our side). */
  Internal = 'MEDIA_INTERNAL',
}

/** Kurento's numeric codes this lib gives a meaning to (KurentoException.hpp). */
export const KURENTO_CODES = {
  INVALID_SESSION: 40007,
  NOT_ENOUGH_RESOURCES: 40009,
  MEDIA_OBJECT_NOT_FOUND: 40101,
  SDP_FIRST: 40200,
  SDP_LAST: 40299,
  ICE_ADD_CANDIDATE_ERROR: 40401,
} as const;

export interface MediaErrorDetails {
  /** The port operation that failed (`processOffer`, `createPipeline`, …). */
  operation?: string;
  /** Kurento's numeric error code, when the server answered with an error. */
  kurentoCode?: number;
  /** Kurento's error type name (`data.type`), when the server sent one. */
  kurentoType?: string;
  cause?: unknown;
}

/** The one error type the media port rejects with. */
export class MediaError extends Error {
  override readonly name = 'MediaError';
  readonly operation?: string;
  readonly kurentoCode?: number;
  readonly kurentoType?: string;

  constructor(
    readonly code: MediaErrorCode,
    message: string,
    details: MediaErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.operation = details.operation;
    this.kurentoCode = details.kurentoCode;
    this.kurentoType = details.kurentoType;
  }

  /** True when the same call may succeed later without any change (connection or time trouble). */
  get retryable(): boolean {
    return (
      this.code === MediaErrorCode.Unavailable ||
      this.code === MediaErrorCode.Timeout ||
      this.code === MediaErrorCode.Overloaded
    );
  }
}

export function isMediaError(error: unknown): error is MediaError {
  return error instanceof MediaError;
}

/** Messages kurento-client and kurento-jsonrpc use when there is no connection to the server. */
const UNAVAILABLE_MESSAGES = [/connection error/i, /client has been disconnected/i, /not connected/i];
const TIMEOUT_MESSAGES = [/timed out/i];

/**
 * Maps anything kurento-client reports (callback errors carry the server's `code` and `data.type`)
 * to a MediaError. A MediaError passes through unchanged.
 */
export function toMediaError(error: unknown, operation: string): MediaError {
  if (error instanceof MediaError) return error;
  const raw = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    message?: unknown;
    data?: { type?: unknown };
  };
  const message = typeof raw.message === 'string' && raw.message ? raw.message : describe(error);
  const kurentoCode = typeof raw.code === 'number' && Number.isInteger(raw.code) ? raw.code : undefined;
  const kurentoType = typeof raw.data?.type === 'string' ? raw.data.type : undefined;
  const details = { operation, kurentoCode, kurentoType, cause: error };
  const text = `${operation}: ${message}`;

  if (kurentoCode !== undefined) {
    if (kurentoCode === KURENTO_CODES.MEDIA_OBJECT_NOT_FOUND || kurentoCode === KURENTO_CODES.INVALID_SESSION)
      return new MediaError(MediaErrorCode.ObjectGone, text, details);
    if (kurentoCode === KURENTO_CODES.NOT_ENOUGH_RESOURCES)
      return new MediaError(MediaErrorCode.Overloaded, text, details);
    if (kurentoCode >= KURENTO_CODES.SDP_FIRST && kurentoCode <= KURENTO_CODES.SDP_LAST)
      return new MediaError(MediaErrorCode.SdpRejected, text, details);
    if (kurentoCode === KURENTO_CODES.ICE_ADD_CANDIDATE_ERROR)
      return new MediaError(MediaErrorCode.InvalidArgument, text, details);
    return new MediaError(MediaErrorCode.ServerError, text, details);
  }
  if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message)))
    return new MediaError(MediaErrorCode.Unavailable, text, details);
  if (TIMEOUT_MESSAGES.some((pattern) => pattern.test(message)))
    return new MediaError(MediaErrorCode.Timeout, text, details);
  return new MediaError(MediaErrorCode.Internal, text, details);
}

/** `String(value)`, except that it never throws (an object whose `toString` is broken is still an error). */
function describe(value: unknown): string {
  if (value === undefined || value === null) return 'unknown error';
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
