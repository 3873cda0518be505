/**
 * The per-room command queue. Every command of a room runs in that room's queue, one at a time, so the
 * room rules (publisher cap, p2p's two sides) decide atomically and the media calls of one room never
 * interleave. A task runs once the one before it settled, whether that one succeeded or failed; its own
 * failure reaches only its caller, never the tasks after it.
 */

/** Whatever keeps a queue: the promise of its last task (settled or not). */
export interface QueueTail {
  tail: Promise<unknown>;
}

/** Runs `task` after every task queued before it on `queue`; answers what the task answers. */
export function runInQueue<T>(queue: QueueTail, task: () => Promise<T>): Promise<T> {
  const result = queue.tail.then(task, task);
  queue.tail = result.catch(() => undefined);
  return result;
}
