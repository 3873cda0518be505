import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { SegmenterOptions } from '../hls/segmenter';
import { LiveStream, type LiveStreamIdentity } from './live-stream';
import type { RemuxerFactory } from './remuxer';
import type { RtpPortPool } from './rtp-port-pool';
import { buildReceiveSdp } from './rtp-sdp';

export interface StreamRegistryOptions {
  announcedIp: string;
  maxStreams: number;
  /** How long an ended stream's playlist (with EXT-X-ENDLIST) stays served. */
  endedRetentionMs: number;
  segmenter: SegmenterOptions;
}

export class RegistryFullError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RegistryFullError';
  }
}

/** A new stream id: 128 random bits, URL-safe (a new publisher always gets a new one). */
export function newStreamId(): string {
  return randomBytes(16).toString('base64url');
}

/** The live streams of this packager, by stream id. */
export class StreamRegistry {
  private readonly streams = new Map<string, LiveStream>();
  private readonly sweeper: NodeJS.Timeout;
  /** Called when a stream ends (for metrics). */
  onStreamEnded: (stream: LiveStream) => void = () => undefined;

  constructor(
    private readonly options: StreamRegistryOptions,
    private readonly ports: RtpPortPool,
    private readonly remuxers: RemuxerFactory,
    private readonly logger: Logger,
  ) {
    this.sweeper = setInterval(
      () => this.sweep(),
      Math.max(1000, Math.min(options.endedRetentionMs, 30_000)),
    );
    this.sweeper.unref();
  }

  async start(identity: Omit<LiveStreamIdentity, 'streamId'>): Promise<LiveStream> {
    if (this.liveCount >= this.options.maxStreams)
      throw new RegistryFullError('the packager runs its maximum of streams');
    const ports = await this.ports.allocate();
    if (!ports) throw new RegistryFullError('no free RTP ports left in the configured range');
    const streamId = newStreamId();
    const sdp = buildReceiveSdp(this.options.announcedIp, ports, streamId, identity.kinds);
    const stream = new LiveStream(
      { ...identity, streamId },
      ports,
      sdp,
      this.remuxers(streamId, identity.kinds),
      this.options.segmenter,
      this.logger,
      (ended) => {
        this.ports.release(ended.ports);
        this.logger.info({ streamId: ended.streamId, reason: ended.endReason }, 'stream ended');
        this.onStreamEnded(ended);
      },
    );
    this.streams.set(streamId, stream);
    stream.start();
    this.logger.info(
      {
        streamId,
        conferenceId: identity.conferenceId,
        ports,
        path: stream.basePath,
        kinds: identity.kinds,
        live: identity.live,
      },
      'stream started',
    );
    return stream;
  }

  get(streamId: string): LiveStream | undefined {
    return this.streams.get(streamId);
  }

  list(): LiveStream[] {
    return [...this.streams.values()];
  }

  get liveCount(): number {
    return this.list().filter((s) => s.state === 'live').length;
  }

  async stop(streamId: string): Promise<LiveStream | undefined> {
    const stream = this.streams.get(streamId);
    await stream?.stop('stopped by the control API');
    return stream;
  }

  /** Stops every stream (shutdown). */
  async stopAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all(this.list().map((s) => s.stop('packager shutting down')));
  }

  /** Forgets streams that ended longer ago than the retention. */
  sweep(now = Date.now()): void {
    for (const [id, stream] of this.streams) {
      if (stream.endedAt !== undefined && now - stream.endedAt >= this.options.endedRetentionMs)
        this.streams.delete(id);
    }
  }
}
