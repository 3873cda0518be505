import type { Logger } from 'pino';
import { Fmp4Stream } from '../fmp4/fmp4-stream';
import { Segmenter, type SegmenterOptions } from '../hls/segmenter';
import { KeyframeRequester, type RtcpTarget } from './keyframe-requester';
import type { StreamRecorder } from '../recording/stream-recorder';
import type { Remuxer, RemuxerExit } from './remuxer';
import type { RtpPorts } from './rtp-sdp';
import type { LiveStreamIdentity } from './stream-identity';

export type { LiveStreamIdentity } from './stream-identity';

export type LiveStreamState = 'live' | 'ended';

interface Waiter {
  condition: () => boolean;
  resolve: (satisfied: boolean) => void;
  timer: NodeJS.Timeout;
}

/**
 * One published stream: its remuxer (ffmpeg) feeding the fMP4 reader feeding the segmenter, and the
 * requests waiting for media that is not there yet (blocking reloads, preload-hinted parts).
 */
export class LiveStream {
  readonly segmenter: Segmenter;
  state: LiveStreamState = 'live';
  endedAt: number | undefined;
  endReason: string | undefined;
  fragments = 0;
  /** Asks the media server for keyframes once its SDP answer is known (video streams). */
  keyframes: KeyframeRequester | undefined;
  /** Its latest recording (under way, or complete). */
  recorder: StreamRecorder | undefined;
  private readonly waiters = new Set<Waiter>();

  constructor(
    readonly identity: LiveStreamIdentity,
    readonly ports: RtpPorts,
    readonly sdp: string,
    private readonly remuxer: Remuxer,
    segmenterOptions: SegmenterOptions,
    private readonly logger: Logger,
    private readonly onEnded: (stream: LiveStream) => void,
  ) {
    this.segmenter = new Segmenter(segmenterOptions);
    this.segmenter.subscribe(() => this.wake());
  }

  get streamId(): string {
    return this.identity.streamId;
  }

  /** The playlist path of the seed's URL template `/{stage}/live/{userId}/{streamId}/playlist.m3u8`. */
  get basePath(): string {
    const { stage, userId, streamId } = this.identity;
    return `/${stage}/live/${userId}/${streamId}`;
  }

  start(): void {
    const reader = new Fmp4Stream({
      onInit: (bytes, info) => {
        this.logger.info(
          { streamId: this.streamId, tracks: info.tracks.map((t) => `${t.id}:${t.handler}@${t.timescale}`) },
          'init segment',
        );
        this.segmenter.onInit(bytes, info);
      },
      onFragment: (bytes, info) => {
        this.fragments += 1;
        this.segmenter.onFragment(bytes, info);
      },
    });
    let broken = false;
    this.remuxer.start(
      this.sdp,
      (chunk) => {
        if (broken) return;
        try {
          reader.push(chunk);
        } catch (error) {
          broken = true;
          this.logger.error(
            { streamId: this.streamId, err: error },
            'unreadable fMP4 from the remuxer: ending',
          );
          void this.stop('remuxer output unreadable');
        }
      },
      (exit) => this.onRemuxerExit(exit),
    );
  }

  /** The media server's answer is known: request keyframes from its video RTCP port (replacing any earlier target). */
  requestKeyframes(target: RtcpTarget, intervalMs: number): void {
    if (this.state === 'ended') return;
    this.keyframes?.stop();
    this.keyframes = new KeyframeRequester(target, intervalMs, (error) =>
      this.logger.warn({ streamId: this.streamId, err: error }, 'keyframe request not sent'),
    );
    this.keyframes.start();
    this.logger.info({ streamId: this.streamId, rtcp: target, intervalMs }, 'requesting keyframes');
  }

  /** Stops the remuxer (it flushes), then ends the playlist (EXT-X-ENDLIST). Idempotent. */
  async stop(reason = 'stopped'): Promise<void> {
    if (this.state === 'ended') return;
    this.endReason ??= reason;
    await this.remuxer.stop();
    this.end();
    // The last segment is on disk and the recording complete before the stop is answered.
    await this.recorder?.settled();
  }

  /**
   * Resolves true as soon as `condition` holds (checked now and after every change of the stream), or
   * with the condition's value after `timeoutMs`.
   */
  waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        condition,
        resolve,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          resolve(condition());
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  get waiting(): number {
    return this.waiters.size;
  }

  private onRemuxerExit(exit: RemuxerExit): void {
    if (this.state === 'ended') return;
    if (!this.endReason) {
      this.endReason = 'remuxer exited';
      this.logger.error(
        { streamId: this.streamId, code: exit.code, signal: exit.signal, stderr: exit.stderrTail },
        'remuxer exited on its own: ending the stream',
      );
    }
    this.end();
  }

  private end(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.endedAt = Date.now();
    this.keyframes?.stop();
    this.segmenter.end();
    this.wake();
    this.onEnded(this);
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.condition()) {
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        waiter.resolve(true);
      }
    }
  }
}
