/** Tunables of the media port and its health monitor, with the reason for each value. */
export const MEDIA_DEFAULTS = {
  /**
   * Per call. kurento-client queues calls while it is disconnected and only fails them after 20 s;
   * CASH must answer a participant long before that. processOffer on a loaded KMS takes well under 1 s.
   */
  callTimeoutMs: 10_000,
  /** One health probe (a few ServerManager calls). Short: a probe that waits is a failed probe. */
  healthTimeoutMs: 3_000,
  /** Opening a fresh connection, including kurento-client's module check. */
  connectTimeoutMs: 15_000,
  /** Interval over which `serverInfo()` asks KMS to measure CPU (KMS blocks the call for it). */
  cpuSampleMs: 500,
  /**
   * Reconnection attempts before kurento-client gives up (Fibonacci back-off from 1 s: about 7 s in
   * all). Once it has given up, the health monitor renews the connection at its own pace, which is
   * faster than kurento-client's back-off that grows to 30 s.
   */
  failAfter: 5,
  /**
   * How long kurento-client remembers an answered request to recognise a duplicate reply (its
   * `duplicates_timeout`, 20 s by default). Over a WebSocket a reply never comes twice, and the
   * memory is not free: kurento-jsonrpc drops each entry with a scan over all the others (`Mapper.remove`
   * enumerates the keys of one object), so 20 s of replies at a few hundred calls a second cost a
   * sixth of CASH's CPU. A second's worth keeps the scan short.
   */
  duplicateRepliesMs: 1_000,
  /** Between two health probes. A KMS restart is noticed within about this long after it is back. */
  monitorIntervalMs: 2_000,
} as const;
