import { FakeClock } from '@hoot/testing';
import { MediaError, MediaErrorCode } from './media-error.exception';
import { withTimeout } from './with-timeout';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('withTimeout', () => {
  it('resolves with the value in time and leaves no timer behind', async () => {
    const clock = new FakeClock();
    await expect(withTimeout(Promise.resolve(7), 100, clock, 'op')).resolves.toBe(7);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects with MEDIA_TIMEOUT when the clock passes the limit, and hands a late value to onLate', async () => {
    const clock = new FakeClock();
    const call = deferred<string>();
    const late: string[] = [];
    const result = withTimeout(call.promise, 100, clock, 'createPipeline', (value) => late.push(value));
    clock.advance(99);
    clock.advance(1);
    await expect(result).rejects.toMatchObject({ code: MediaErrorCode.Timeout, operation: 'createPipeline' });
    call.resolve('pipeline-1');
    await call.promise;
    await Promise.resolve();
    expect(late).toEqual(['pipeline-1']);
  });

  it('maps a failure to a MediaError', async () => {
    const clock = new FakeClock();
    const failure = Object.assign(new Error('Invalid SDP'), { code: 40201 });
    const error = await withTimeout(Promise.reject(failure), 100, clock, 'processOffer').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MediaError);
    expect(error).toMatchObject({ code: MediaErrorCode.SdpRejected, kurentoCode: 40201 });
    expect(clock.pendingTimers).toBe(0);
  });
});
