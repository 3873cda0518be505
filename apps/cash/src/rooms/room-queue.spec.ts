import { runInQueue, type QueueTail } from './room-queue';

describe('runInQueue', () => {
  it('runs tasks one at a time in the order they were queued', async () => {
    const queue: QueueTail = { tail: Promise.resolve() };
    const log: string[] = [];
    let releaseFirst!: () => void;
    const first = runInQueue(queue, async () => {
      log.push('first started');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      log.push('first done');
      return 1;
    });
    const second = runInQueue(queue, async () => {
      log.push('second started');
      return 2;
    });
    await Promise.resolve();
    expect(log).toEqual(['first started']);
    releaseFirst();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(['first started', 'first done', 'second started']);
  });

  it("gives a task's failure to its caller only: the next task still runs", async () => {
    const queue: QueueTail = { tail: Promise.resolve() };
    const failed = runInQueue(queue, () => Promise.reject(new Error('refused')));
    const next = runInQueue(queue, () => Promise.resolve('ran'));
    await expect(failed).rejects.toThrow('refused');
    await expect(next).resolves.toBe('ran');
    const last = runInQueue(queue, () => Promise.reject(new Error('again')));
    await expect(last).rejects.toThrow('again');
    // The queue itself never holds a failure: the next task is not refused for it.
    await expect(queue.tail).resolves.toBeUndefined();
  });
});
