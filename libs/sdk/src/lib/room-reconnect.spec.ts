import { RoomErrorCode } from '@hoot/domain';
import { HootApiError } from './hoot-api.error';
import { classifyJoinFailure, reconnectPause, reconnectPolicyOf, retryAfterMsOf } from './room-reconnect';
import { ROOM_SESSION_DEFAULTS } from './room-session.types';
import { SdkError, SdkErrorCode } from './sdk-error-codes';
import { SignalingError } from './signaling-client';

const api = (status: number, code: string, retryAfterMs?: number) =>
  new HootApiError(status, code, 'title', 'detail', retryAfterMs, undefined, 'reg-c1-1');

describe('room reconnection rules', () => {
  it('tells what a failed join attempt means', () => {
    expect(classifyJoinFailure(api(410, 'conference.ended'))).toBe('ended');
    expect([503, 500, 408, 429].map((s) => classifyJoinFailure(api(s, 'x')))).toEqual([
      'retry',
      'retry',
      'retry',
      'retry',
    ]);
    expect(classifyJoinFailure(api(403, 'conference.not-allowed'))).toBe('fatal');
    expect(classifyJoinFailure(new SignalingError(RoomErrorCode.ROOM_ENDED, 'ended'))).toBe('ended');
    expect(classifyJoinFailure(new SignalingError(RoomErrorCode.TICKET_KICKED, 'kicked'))).toBe('kicked');
    expect(classifyJoinFailure(new SignalingError(RoomErrorCode.BANNED, 'banned'))).toBe('kicked');
    expect(classifyJoinFailure(new SignalingError('NOT_ALLOWED', 'no'))).toBe('fatal');
    expect(classifyJoinFailure(new SignalingError('CONNECT_TIMEOUT', 'slow'))).toBe('retry');
    expect(classifyJoinFailure(new SdkError(SdkErrorCode.RegistryUnavailable, 'down'))).toBe('retry');
    expect(classifyJoinFailure(new SdkError(SdkErrorCode.OptionsInvalid, 'bad'))).toBe('fatal');
    expect(classifyJoinFailure(new Error('anything else'))).toBe('fatal');
  });

  it('waits what the server asked for, else a pause growing per attempt up to maxDelayMs', () => {
    const policy = { initialDelayMs: 250, maxDelayMs: 1_000, factor: 2, budgetMs: 10_000 };
    expect(retryAfterMsOf(api(503, 'x', 1_500))).toBe(1_500);
    expect(retryAfterMsOf(new SignalingError('DRAINING', 'later', 3))).toBe(3_000);
    expect(retryAfterMsOf(new Error('no'))).toBe(0);
    expect([1, 2, 3, 4].map((n) => reconnectPause(policy, n, new Error('x')))).toEqual([
      250, 500, 1_000, 1_000,
    ]);
    expect(reconnectPause(policy, 4, api(503, 'x', 1_500))).toBe(1_500);
  });

  it('runs with the defaults and the overrides, none when off, and refuses values that do not fit', () => {
    expect(reconnectPolicyOf(undefined)).toEqual(ROOM_SESSION_DEFAULTS.reconnect);
    expect(reconnectPolicyOf({ budgetMs: 5 })).toEqual({ ...ROOM_SESSION_DEFAULTS.reconnect, budgetMs: 5 });
    expect(reconnectPolicyOf(false)).toBeUndefined();
    expect(() => reconnectPolicyOf({ factor: 0.5 })).toThrow(
      expect.objectContaining({ code: SdkErrorCode.OptionsInvalid }),
    );
    expect(() => reconnectPolicyOf({ initialDelayMs: 10, maxDelayMs: 5 })).toThrow(SdkError);
  });
});
