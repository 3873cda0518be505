import fc from 'fast-check';
import { MediaError, MediaErrorCode, toMediaError } from './media-error.exception';

function serverError(code: number, message = 'failed', type?: string): Error {
  return Object.assign(new Error(message), { code, ...(type && { data: { type } }) });
}

describe('toMediaError', () => {
  it.each([
    [40101, MediaErrorCode.ObjectGone],
    [40007, MediaErrorCode.ObjectGone],
    [40009, MediaErrorCode.Overloaded],
    [40200, MediaErrorCode.SdpRejected],
    [40205, MediaErrorCode.SdpRejected],
    [40299, MediaErrorCode.SdpRejected],
    [40401, MediaErrorCode.InvalidArgument],
    [40400, MediaErrorCode.ServerError],
    [40003, MediaErrorCode.ServerError],
    [40008, MediaErrorCode.ServerError],
    [-32601, MediaErrorCode.ServerError],
  ])('maps Kurento code %i to %s and keeps the code', (code, expected) => {
    const error = toMediaError(serverError(code, 'boom', 'SOME_TYPE'), 'processOffer');
    expect(error).toBeInstanceOf(MediaError);
    expect(error).toMatchObject({
      code: expected,
      kurentoCode: code,
      kurentoType: 'SOME_TYPE',
      operation: 'processOffer',
      message: 'processOffer: boom',
    });
  });

  it('maps connection trouble and timeouts of the client by their messages', () => {
    expect(toMediaError(new Error('Connection error'), 'connect').code).toBe(MediaErrorCode.Unavailable);
    expect(toMediaError(new SyntaxError('Client has been disconnected'), 'x').code).toBe(
      MediaErrorCode.Unavailable,
    );
    expect(toMediaError(new Error('Request has timed out'), 'x').code).toBe(MediaErrorCode.Timeout);
    expect(toMediaError(new TypeError('checkType: bad param'), 'x').code).toBe(MediaErrorCode.Internal);
    expect(toMediaError('a string', 'x')).toMatchObject({
      code: MediaErrorCode.Internal,
      message: 'x: a string',
    });
  });

  it('passes a MediaError through and keeps the cause of others', () => {
    const original = new MediaError(MediaErrorCode.Timeout, 'slow');
    expect(toMediaError(original, 'other')).toBe(original);
    const cause = serverError(40003);
    expect(toMediaError(cause, 'x').cause).toBe(cause);
  });

  it('calls only connection, time and load trouble retryable', () => {
    const retryable = Object.values(MediaErrorCode).filter((code) => new MediaError(code, 'm').retryable);
    expect(retryable.sort()).toEqual(
      [MediaErrorCode.Overloaded, MediaErrorCode.Timeout, MediaErrorCode.Unavailable].sort(),
    );
  });

  it('always yields a MediaError with a known code, whatever is thrown', () => {
    const codes = new Set<string>(Object.values(MediaErrorCode));
    fc.assert(
      fc.property(fc.anything(), fc.integer(), (thrown, code) => {
        for (const input of [thrown, serverError(code)]) {
          const error = toMediaError(input, 'op');
          expect(error).toBeInstanceOf(MediaError);
          expect(codes.has(error.code)).toBe(true);
        }
      }),
    );
  });
});
