/** Tunables of `RegistryClient`, in one place, each with the reason for its value. */
export const REGISTRY_CLIENT_DEFAULTS = {
  /**
   * Per-attempt deadline. A healthy registry answers in milliseconds; one that has not answered in
   * 2 s is down or overloaded, and a user still accepts the wait of one failover.
   */
  timeoutMs: 2_000,
  backoff: {
    /** First pause after a failure: long enough not to hammer a registry that is restarting. */
    initialMs: 1_000,
    /** Cap: a registry that comes back is tried again within half a minute at worst. */
    maxMs: 30_000,
    /** Doubling: a long outage costs few requests (1, 2, 4, 8, 16, 30, 30 s …). */
    factor: 2,
  },
  /**
   * At most one out-of-band health probe of a higher-priority registry per interval: fail back
   * within ~10 s of its return for one cheap request; also the quiet time after a failover, so a
   * flapping registry is not taken back at once.
   */
  probeIntervalMs: 10_000,
  /** Health route the probe asks (readiness: the registry can serve, not just that it runs). */
  probePath: '/health/ready',
} as const;
