import { RoomErrorCode } from '@hoot/domain';
import { HootApiError } from './hoot-api.error';
import { SdkError, SdkErrorCode } from './sdk-error-codes';
import { SignalingError } from './signaling-client';
import { ROOM_SESSION_DEFAULTS, type JoinRoomOptions, type ReconnectPolicy } from './room-session.types';

/**
 * The rules of joining again after a lost connection, pure: the policy a session runs with (the
 * defaults with the caller's overrides, refused when inconsistent), what a failed attempt means (try
 * again, the conference ended, we were kicked, or give up: `classifyJoinFailure`), and how long to wait
 * before the next attempt (the server's Retry-After when it sent one, else a pause growing per attempt).
 * `RoomSession` runs the loop; this file only decides.
 */

/** What a failed join attempt means for the reconnection. */
export type ReconnectVerdict = 'retry' | 'ended' | 'kicked' | 'fatal';

/** Refusals a new attempt cannot fix. */
const FATAL_SIGNAL_CODES = new Set([
  'NOT_ENTITLED',
  'NOT_ALLOWED',
  'TICKET_REVOKED',
  'TOKEN_REVOKED',
  'P2P_FULL',
  'INVALID_MESSAGE',
  'MESSAGE_MALFORMED',
  'MESSAGE_TOO_LARGE',
  'UNKNOWN_TYPE',
]);

export function classifyJoinFailure(error: unknown): ReconnectVerdict {
  if (error instanceof HootApiError) {
    if (error.code === 'conference.ended') return 'ended';
    return error.status >= 500 || error.status === 408 || error.status === 429 ? 'retry' : 'fatal';
  }
  if (error instanceof SignalingError) {
    if (error.code === RoomErrorCode.ROOM_ENDED) return 'ended';
    if (error.code === RoomErrorCode.TICKET_KICKED || error.code === RoomErrorCode.BANNED) return 'kicked';
    return FATAL_SIGNAL_CODES.has(error.code) ? 'fatal' : 'retry';
  }
  // Registry unreachable, timeouts: the network may come back.
  if (error instanceof SdkError) return error.code === SdkErrorCode.OptionsInvalid ? 'fatal' : 'retry';
  return 'fatal';
}

/** The wait the server asked for (Retry-After), in milliseconds; 0 when it asked for none. */
export function retryAfterMsOf(error: unknown): number {
  if (error instanceof HootApiError) return error.retryAfterMs ?? 0;
  if (error instanceof SignalingError) return (error.retryAfterS ?? 0) * 1000;
  return 0;
}

/**
 * The pause before attempt `attempt + 1`: the registry's Retry-After when it sent one (1 s while a move
 * is under way, longer while a CoreMX drains), else a pause growing with each attempt.
 */
export function reconnectPause(policy: ReconnectPolicy, attempt: number, error: unknown): number {
  const { initialDelayMs, maxDelayMs, factor } = policy;
  const serverSays = retryAfterMsOf(error);
  return serverSays > 0 ? serverSays : Math.min(maxDelayMs, initialDelayMs * factor ** (attempt - 1));
}

/**
 * The policy of `JoinRoomOptions.reconnect`: undefined when it is off (`false`), else the defaults with
 * its overrides. Throws `sdk.options-invalid` when the values do not make sense together.
 */
export function reconnectPolicyOf(option: JoinRoomOptions['reconnect']): ReconnectPolicy | undefined {
  const p = option === false ? undefined : { ...ROOM_SESSION_DEFAULTS.reconnect, ...option };
  if (p && !(p.initialDelayMs >= 0 && p.maxDelayMs >= p.initialDelayMs && p.factor >= 1 && p.budgetMs >= 0)) {
    throw new SdkError(
      SdkErrorCode.OptionsInvalid,
      'reconnect needs initialDelayMs ≥ 0, maxDelayMs ≥ initialDelayMs, factor ≥ 1 and budgetMs ≥ 0',
    );
  }
  return p;
}
