import type { PeerConnectionLike, StatsReportLike } from './media-environment';
import {
  addInboundStats,
  linkReport,
  linkStalled,
  mediaCounters,
  MEDIA_HEALTH_DEFAULTS,
  recordProgress,
  retryDelay,
  type CounterProgress,
} from './media-health';

function statsOf(stats: Array<Record<string, string | number | undefined>>): StatsReportLike {
  return {
    forEach: (fn: (stat: Record<string, string | number | undefined>) => void) => stats.forEach(fn),
  } as StatsReportLike;
}

function pcWith(
  stats: Array<Record<string, string | number | undefined>>,
  connectionState = 'connected',
): PeerConnectionLike {
  return { connectionState, getStats: async () => statsOf(stats) } as unknown as PeerConnectionLike;
}

const clockAt = (now: number) =>
  ({ now: () => now, setTimeout: () => 0, clearTimeout: () => undefined }) as never;

describe('media health rules', () => {
  it('reads video frames, audio packets (kind or mediaType) and bytes sent from the stats', async () => {
    const pc = pcWith([
      { type: 'inbound-rtp', kind: 'video', framesDecoded: 30 },
      { type: 'inbound-rtp', mediaType: 'audio', packetsReceived: 50 },
      { type: 'inbound-rtp', kind: 'audio', packetsReceived: 5 },
      { type: 'outbound-rtp', kind: 'video', bytesSent: 1000 },
      { type: 'candidate-pair', bytesSent: 99 },
    ]);
    expect(await mediaCounters(pc)).toEqual({ video: 30, audio: 55, sent: 1000 });
    const totals = { videoFramesDecoded: 1, audioPacketsReceived: 2 };
    await addInboundStats(pc, totals);
    expect(totals).toEqual({ videoFramesDecoded: 31, audioPacketsReceived: 57 });
  });

  it('counts a counter as stalled once it stood still for stallMs since the answer or since it grew', () => {
    const progress = new Map<string, CounterProgress>();
    expect(recordProgress(progress, 1000, { video: 0 }, ['video'], 10_999, 10_000)).toBe(false);
    expect(recordProgress(progress, 1000, { video: 0 }, ['video'], 11_000, 10_000)).toBe(true);
    expect(recordProgress(progress, 1000, { video: 5 }, ['video'], 12_000, 10_000)).toBe(false);
    expect(progress.get('video')).toEqual({ value: 5, at: 12_000 });
    // Unreadable stats: nothing grew.
    expect(recordProgress(progress, 1000, undefined, ['video'], 22_000, 10_000)).toBe(true);
    // A counter that grew once may stand still for good when idle is allowed.
    expect(recordProgress(progress, 1000, { video: 5 }, ['video'], 40_000, 10_000, true)).toBe(false);
    expect(recordProgress(new Map(), 0, { video: 0 }, ['video'], 40_000, 10_000, true)).toBe(true);
  });

  it('a link is never stalled before its answer and always when its connection failed', async () => {
    const policy = MEDIA_HEALTH_DEFAULTS;
    expect(
      await linkStalled({ pc: pcWith([], 'failed'), progress: new Map() }, ['sent'], policy, clockAt(0)),
    ).toBe(false);
    expect(
      await linkStalled(
        { pc: pcWith([], 'failed'), progress: new Map(), answeredAt: 0 },
        ['sent'],
        policy,
        clockAt(0),
      ),
    ).toBe(true);
    const link = {
      pc: pcWith([{ type: 'outbound-rtp', bytesSent: 10 }]),
      progress: new Map(),
      answeredAt: 0,
    };
    expect(await linkStalled(link, ['sent'], policy, clockAt(50_000))).toBe(false);
    expect(linkReport('publish', 'me', link, 53_000)).toEqual({
      kind: 'publish',
      participantId: 'me',
      connectionState: 'connected',
      counters: { sent: 10 },
      answered: true,
      idleMs: 3_000,
    });
  });

  it('waits retryMs before the first retry of a refused publish, doubling up to maxRetryMs', () => {
    const policy = { ...MEDIA_HEALTH_DEFAULTS, retryMs: 1_000, maxRetryMs: 5_000 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(policy, n))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });
});
