import type { Clock } from '@hoot/domain';
import type { PeerConnectionLike } from './media-environment';
import type { InboundMediaStats, MediaHealthPolicy, MediaLinkReport } from './media-session.types';

/**
 * The health check's rules: its policy and defaults, how a connection's progress counters are read from
 * its stats, when a connection counts as stalled (`recordProgress`, pure: a counter that stood still for
 * `stallMs` since the answer or since it last grew), how long a refused publish waits before it is tried
 * again (`retryDelay`), and a connection as `MediaSession.links()` reports it. `MediaSession` decides
 * what to rebuild; this file only measures.
 */

export const MEDIA_HEALTH_DEFAULTS: MediaHealthPolicy = {
  intervalMs: 2_000,
  stallMs: 10_000,
  retryMs: 2_000,
  maxRetryMs: 30_000,
};

/** A counter at the last check, and when it last grew. */
export interface CounterProgress {
  value: number;
  at: number;
}

/** What the health check keeps of a connection. */
export interface ProgressLink {
  pc: PeerConnectionLike;
  /** When the answer was applied (the health check starts counting then). */
  answeredAt?: number;
  /** Each counter at the last health check, and when it last grew. */
  progress: Map<string, CounterProgress>;
}

/**
 * A connection's progress counters: `video` frames decoded and `audio` packets received (inbound RTP),
 * `sent` bytes (outbound RTP), each summed over its streams.
 */
export async function mediaCounters(pc: PeerConnectionLike): Promise<Record<string, number>> {
  const report = await pc.getStats();
  const counters: Record<string, number> = { video: 0, audio: 0, sent: 0 };
  report.forEach((stat) => {
    const kind = stat['kind'] ?? stat['mediaType'];
    if (stat['type'] === 'inbound-rtp' && kind === 'video')
      counters['video'] += Number(stat['framesDecoded'] ?? 0);
    if (stat['type'] === 'inbound-rtp' && kind === 'audio')
      counters['audio'] += Number(stat['packetsReceived'] ?? 0);
    if (stat['type'] === 'outbound-rtp') counters['sent'] += Number(stat['bytesSent'] ?? 0);
  });
  return counters;
}

/** Adds the inbound RTP counters of one connection (video frames decoded, audio packets) to `totals`. */
export async function addInboundStats(pc: PeerConnectionLike, totals: InboundMediaStats): Promise<void> {
  const report = await pc.getStats();
  report.forEach((stat) => {
    if (stat['type'] !== 'inbound-rtp') return;
    const kind = stat['kind'] ?? stat['mediaType'];
    if (kind === 'video') totals.videoFramesDecoded += Number(stat['framesDecoded'] ?? 0);
    if (kind === 'audio') totals.audioPacketsReceived += Number(stat['packetsReceived'] ?? 0);
  });
}

/**
 * Records the counters read at `now` (`values`; undefined when the stats could not be read: nothing
 * grew) in `progress` and tells whether one of `counters` stood still for `stallMs` since `answeredAt`
 * or since it last grew. With `idleAllowed`, a counter that grew once may stand still for good.
 */
export function recordProgress(
  progress: Map<string, CounterProgress>,
  answeredAt: number,
  values: Record<string, number> | undefined,
  counters: readonly string[],
  now: number,
  stallMs: number,
  idleAllowed = false,
): boolean {
  let stalled = false;
  for (const name of counters) {
    const last = progress.get(name) ?? { value: 0, at: answeredAt };
    const value = values?.[name] ?? last.value;
    if (value > last.value) progress.set(name, { value, at: now });
    else {
      progress.set(name, last);
      if (now - last.at >= stallMs && !(idleAllowed && last.value > 0)) stalled = true;
    }
  }
  return stalled;
}

/**
 * Reads the link's counters; true when its connection failed or one of `counters` stood still for
 * `stallMs` since the answer (or since it last grew). With `idleAllowed`, a counter that grew once may
 * stand still for good (only one that never grew since the answer is a stall).
 */
export async function linkStalled(
  link: ProgressLink,
  counters: readonly string[],
  policy: MediaHealthPolicy,
  clock: Clock,
  options: { idleAllowed?: boolean } = {},
): Promise<boolean> {
  const answeredAt = link.answeredAt;
  if (answeredAt === undefined) return false;
  if (link.pc.connectionState === 'failed') return true;
  const now = clock.now();
  const values = await mediaCounters(link.pc).catch(() => undefined);
  return recordProgress(
    link.progress,
    answeredAt,
    values,
    counters,
    now,
    policy.stallMs,
    options.idleAllowed,
  );
}

/** The wait before the `failures`-th refused publish is tried again: `retryMs` doubling up to `maxRetryMs`. */
export function retryDelay(policy: MediaHealthPolicy, failures: number): number {
  return Math.min(policy.maxRetryMs, policy.retryMs * 2 ** Math.max(0, failures - 1));
}

/** A connection as the last health check saw it, at `now`. */
export function linkReport(
  kind: MediaLinkReport['kind'],
  participantId: string,
  link: ProgressLink,
  now: number,
): MediaLinkReport {
  return {
    kind,
    participantId,
    connectionState: link.pc.connectionState ?? 'unknown',
    counters: Object.fromEntries([...link.progress].map(([name, p]) => [name, p.value])),
    answered: link.answeredAt !== undefined,
    idleMs:
      link.answeredAt === undefined ? 0 : Math.max(0, ...[...link.progress.values()].map((p) => now - p.at)),
  };
}
