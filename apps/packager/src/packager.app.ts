import { spawnSync } from 'node:child_process';
import type { Logger } from 'pino';
import { ControlCredential } from './auth/control-credential';
import type { PackagerConfig } from './config/packager.config';
import { PackagerServer } from './http/packager.server';
import { PackagerMetrics } from './metrics/packager.metrics';
import { RecordingStore, type RecordingFs } from './recording/recording-store';
import { Recordings } from './recording/recordings';
import { FfmpegRemuxer, type RemuxerFactory } from './stream/remuxer';
import { RtpPortPool } from './stream/rtp-port-pool';
import { StreamRegistry } from './stream/stream-registry';

export interface PackagerApp {
  server: PackagerServer;
  registry: StreamRegistry;
  recordings: Recordings;
  address: { host: string; port: number };
  stop(): Promise<void>;
}

/** Whether the ffmpeg binary runs (readiness): checked once at start. */
export function probeFfmpeg(path: string): { ok: boolean; detail: string } {
  const result = spawnSync(path, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.status === 0) return { ok: true, detail: result.stdout.split('\n')[0] };
  return {
    ok: false,
    detail: `ffmpeg (${path}) does not run: install Debian's ffmpeg (scripts/infra/ffmpeg.sh)`,
  };
}

/**
 * Wires the packager from its config: the recording folder, the registry of streams, the HTTP server;
 * `remuxers` and `recordingFs` are seams for specs.
 */
export async function startPackager(
  config: PackagerConfig,
  logger: Logger,
  remuxers?: RemuxerFactory,
  recordingFs?: RecordingFs,
): Promise<PackagerApp> {
  const ffmpeg = remuxers ? { ok: true, detail: 'remuxer given' } : probeFfmpeg(config.ffmpegPath);
  if (!ffmpeg.ok) logger.error({ ffmpeg: config.ffmpegPath }, ffmpeg.detail);
  const targetDurationS = Math.ceil(config.segmentTargetMs / 1000);
  const partTargetS = config.partTargetMs / 1000;
  const registry = new StreamRegistry(
    {
      announcedIp: config.announcedIp,
      maxStreams: config.maxStreams,
      endedRetentionMs: config.endedRetentionMs,
      segmenter: {
        segmentTargetS: config.segmentTargetMs / 1000,
        partTargetS,
        targetDurationS,
        windowSegments: config.windowSegments,
      },
    },
    new RtpPortPool(config.rtpMinPort, config.rtpMaxPort),
    remuxers ??
      ((_streamId, kinds) =>
        new FfmpegRemuxer({
          path: config.ffmpegPath,
          audioBitrate: config.audioBitrate,
          stopGraceMs: 5000,
          kinds,
        })),
    logger,
  );
  let store: RecordingStore | undefined;
  if (config.recordingDir) {
    store = new RecordingStore(config.recordingDir, config.recordingMaxBytes, logger, recordingFs);
    await store.init();
  }
  const recordings = new Recordings(store, targetDurationS, logger);
  const metrics = new PackagerMetrics({
    liveStreams: () => registry.liveCount,
    waiting: () => registry.list().reduce((n, s) => n + s.waiting, 0),
    recordingBytes: () => store?.usedBytes ?? 0,
    recordingsActive: () => registry.list().filter((s) => s.recorder?.state === 'recording').length,
  });
  registry.onStreamEnded = () => metrics.streamsEnded.inc();
  const server = new PackagerServer({
    host: config.host,
    port: config.port,
    announcedIp: config.announcedIp,
    viewerTokenKey: config.viewerTokenKey,
    control: new ControlCredential(config.controlKey),
    corsOrigin: config.corsOrigin,
    keyframeRequestMs: config.keyframeRequestMs,
    blockingTimeoutMs: config.blockingTimeoutMs,
    playlist: { targetDurationS, partTargetS, partHoldBackS: 3 * partTargetS },
    registry,
    recordings,
    metrics,
    logger,
    ready: () => ffmpeg,
  });
  const address = await server.start();
  return {
    server,
    registry,
    recordings,
    address,
    async stop() {
      await registry.stopAll();
      await server.stop();
    },
  };
}
