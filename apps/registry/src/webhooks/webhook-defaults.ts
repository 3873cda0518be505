/** Delivery tunables (`WEBHOOK_*` settings; defaults in `WEBHOOK_DEFAULTS`). */
export interface WebhookTunables {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  pollIntervalMs: number;
  concurrency: number;
}

export const WEBHOOK_DEFAULTS: WebhookTunables = {
  /** Attempts per event before it becomes a dead letter: with the backoff below ≈ 1 minute of trying. */
  maxAttempts: 8,
  /** Pause after the first failure; doubles after each further one… */
  backoffBaseMs: 500,
  /** … up to this, so a receiver back from a restart is reached within half a minute. */
  backoffMaxMs: 30_000,
  /** One attempt (connect, send, answer) may take this long; slower counts as a failure. */
  timeoutMs: 5_000,
  /** How often a dispatcher looks for work it was not woken for (another replica's events, due retries). */
  pollIntervalMs: 1_000,
  /** Conferences delivered in parallel by one dispatcher (each conference strictly one event at a time). */
  concurrency: 8,
};

/** Extra lease time beyond the attempt timeout, so a slow store write does not let a sibling start early. */
export const WEBHOOK_LEASE_MARGIN_MS = 5_000;

/**
 * Pause before the next attempt after `failures` failed ones: exponential (base · 2^(failures−1), capped
 * at max) with jitter (uniformly between half and all of it), so receivers back from an outage are not hit
 * by every queue at the same instant. `random` is in [0, 1).
 */
export function backoffDelayMs(
  failures: number,
  tunables: Pick<WebhookTunables, 'backoffBaseMs' | 'backoffMaxMs'>,
  random: () => number = Math.random,
): number {
  const exponential = tunables.backoffBaseMs * 2 ** Math.max(0, failures - 1);
  const capped = Math.min(tunables.backoffMaxMs, exponential);
  return Math.round(capped * (0.5 + 0.5 * random()));
}
