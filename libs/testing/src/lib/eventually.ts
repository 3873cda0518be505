export interface EventuallyOptions {
  /** Give up after this long. */
  timeoutMs?: number;
  /** Pause between attempts. */
  intervalMs?: number;
  /** Named in the failure message. */
  description?: string;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `fn` until it returns without throwing (its value is returned) or the timeout passes; then
 * rethrows the last error, so a failing assertion inside `fn` is what the test reports.
 * Use this for eventual consistency instead of a bare sleep.
 */
export async function eventually<T>(fn: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 50, description } = options;
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      return await fn();
    } catch (error) {
      if (Date.now() >= deadline) {
        const what = description ? ` (${description})` : '';
        const reason = error instanceof Error ? error.message : String(error);
        const wrapped = new Error(
          `eventually${what}: still failing after ${timeoutMs} ms and ${attempts} attempts: ${reason}`,
        );
        (wrapped as Error & { cause?: unknown }).cause = error;
        throw wrapped;
      }
      await sleep(intervalMs);
    }
  }
}
