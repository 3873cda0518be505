import { eventually } from './eventually';

describe('eventually', () => {
  it('returns the value once the check passes', async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls += 1;
        if (calls < 3) throw new Error('not yet');
        return 'done';
      },
      { intervalMs: 1 },
    );
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it('rethrows the last failure after the timeout, naming the check', async () => {
    await expect(
      eventually(
        () => {
          throw new Error('still red');
        },
        { timeoutMs: 30, intervalMs: 5, description: 'the light' },
      ),
    ).rejects.toThrow(/eventually \(the light\): still failing after 30 ms .*still red/);
  });

  it('awaits async checks', async () => {
    let ready = false;
    setImmediate(() => (ready = true));
    await expect(
      eventually(async () => {
        if (!ready) throw new Error('not ready');
        return 42;
      }),
    ).resolves.toBe(42);
  });
});
