/** Protocol tunables of the GCAS exchange, in one place, each with its unit and reason. */
export const GOSSIP_DEFAULTS = {
  /** Push-pull round with one peer every this often: a change reaches N registries in ~log2(N) rounds. */
  exchangeIntervalMs: 1_000,
  /** After a local change, exchange at once but no more often than this, so a burst of CASH heartbeats costs one round. */
  changeDebounceMs: 50,
  /** A registry whose heartbeat version has not advanced for this long is suspect (3 missed rounds + slack). */
  suspectAfterMs: 5_000,
  /** …and dead after this long: long enough that a GC pause or a slow link does not kill a live registry. */
  deadAfterMs: 15_000,
  /**
   * A CoreMX whose CASH has not reported for this long is suspect: no new join is sent to it, and the
   * primary of its cloud may declare it down (a registry probes it first: see the registry's
   * `COREMX_PROBE_TIMEOUT_MS`). CASH reports every 500 ms, so this is two missed reports and slack.
   */
  coremxSuspectAfterMs: 1_500,
  /** A CoreMX not refreshed by its CASH for this long may be declared down by anyone (the hard timeout). */
  coremxHardTimeoutMs: 60_000,
  /** Largest peer message accepted, in bytes of JSON; bigger ones are refused before parsing. */
  maxMessageBytes: 1_048_576,
  /** Most registries and CoreMX per registry a message may carry: far above real deployments, far below abuse. */
  maxRegistries: 256,
  maxCoremxPerRegistry: 1_024,
} as const;

export type GossipTunables = { -readonly [K in keyof typeof GOSSIP_DEFAULTS]: number };
