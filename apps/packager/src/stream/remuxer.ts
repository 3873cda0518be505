import { spawn, type ChildProcess } from 'node:child_process';
import { MEDIA_KINDS, type MediaKind } from './rtp-sdp';

/** How a remuxer ended: the exit code or signal, and the last lines it wrote on stderr. */
export interface RemuxerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderrTail: string;
}

/**
 * The seam between a live stream and the process that turns RTP into fragmented MP4: tests put a fake
 * here that writes boxes of their choosing.
 */
export interface Remuxer {
  start(sdp: string, onData: (chunk: Buffer) => void, onExit: (exit: RemuxerExit) => void): void;
  /** Asks it to finish (it flushes its last fragment), killing it after a grace period. */
  stop(): Promise<void>;
  readonly pid: number | undefined;
}

export type RemuxerFactory = (streamId: string, kinds: readonly MediaKind[]) => Remuxer;

export interface FfmpegOptions {
  /** The ffmpeg binary (Debian's `ffmpeg`). */
  path: string;
  /** AAC bit rate for the Opus → AAC transcode, bit/s. */
  audioBitrate: number;
  /** Grace period after SIGTERM before SIGKILL. */
  stopGraceMs: number;
  /** What the stream carries (both by default): only those are mapped. */
  kinds?: readonly MediaKind[];
}

/** How long ffmpeg gets to end on one SIGTERM (it does when packets still come) before the second. */
const SECOND_SIGTERM_MS = 300;

/**
 * ffmpeg arguments: the SDP on stdin, video copied (no transcode), Opus transcoded to AAC-LC, fragmented
 * MP4 on stdout with a fragment per video frame (frag_duration below one frame at 30 fps), each
 * keyframe starting a fragment; the segmenter groups fragments into parts.
 */
export function ffmpegArgs(options: Pick<FfmpegOptions, 'audioBitrate' | 'kinds'>): string[] {
  const kinds = options.kinds ?? MEDIA_KINDS;
  const video = kinds.includes('video');
  const audio = kinds.includes('audio');
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'warning',
    // Probing stops once both streams are known: the first keyframe carries SPS/PPS. The bound is three
    // keyframe requests (HLS_KEYFRAME_REQUEST_MS, 2 s): with 1 s, a keyframe late under load (the media
    // server's first PLI refused as too soon after another) left ffmpeg without a picture size, and it
    // exited before the stream's first segment ("dimensions not set").
    '-analyzeduration',
    '6000000',
    '-protocol_whitelist',
    'pipe,udp,rtp',
    '-f',
    'sdp',
    '-i',
    'pipe:0',
    ...(video ? ['-map', '0:v:0', '-c:v', 'copy'] : []),
    // With video the audio is optional (a camera may be muted at the start); audio-only must have it.
    ...(audio
      ? [
          '-map',
          video ? '0:a:0?' : '0:a:0',
          '-c:a',
          'aac',
          '-b:a',
          String(options.audioBitrate),
          '-ar',
          '48000',
        ]
      : []),
    '-f',
    'mp4',
    '-movflags',
    '+frag_keyframe+empty_moov+default_base_moof',
    '-frag_duration',
    '30000',
    '-flush_packets',
    '1',
    'pipe:1',
  ];
}

/** Debian's ffmpeg as the remuxer: one process per stream, in its own process group. */
export class FfmpegRemuxer implements Remuxer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly stderr: string[] = [];

  constructor(private readonly options: FfmpegOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(sdp: string, onData: (chunk: Buffer) => void, onExit: (exit: RemuxerExit) => void): void {
    const child = spawn(this.options.path, ffmpegArgs(this.options), {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    let stderrBuffer = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderrBuffer += chunk.toString('utf8');
      const lines = stderrBuffer.split('\n');
      stderrBuffer = lines.pop() ?? '';
      for (const line of lines) {
        this.stderr.push(line);
        if (this.stderr.length > 20) this.stderr.shift();
      }
    });
    child.stdout?.on('data', onData);
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(sdp);
    this.exited = new Promise((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (done) return;
        done = true;
        onExit({ code, signal, stderrTail: [...this.stderr, stderrBuffer].filter(Boolean).join('\n') });
        resolve();
      };
      // 'close' waits for stdout to drain, so every fragment ffmpeg wrote is seen before the end.
      child.once('close', finish);
      child.once('error', (error) => {
        this.stderr.push(String(error));
        finish(null, null);
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
      await this.exited;
      return;
    }
    const group = -child.pid;
    const signal = (s: NodeJS.Signals) => {
      try {
        process.kill(group, s);
      } catch {
        // already gone
      }
    };
    // ffmpeg lets one signal interrupt a blocking read only before its output is set up; after that the
    // first SIGTERM just asks the main loop to end, which waits for the next RTP packet — and when the
    // publisher has left, none comes. A second SIGTERM interrupts the read, and ffmpeg still ends cleanly
    // (the last fragment flushed); it exits at once only from the fourth. SIGKILL stays the last resort.
    signal('SIGTERM');
    const again = setTimeout(() => signal('SIGTERM'), SECOND_SIGTERM_MS);
    const timer = setTimeout(() => signal('SIGKILL'), this.options.stopGraceMs);
    await this.exited;
    clearTimeout(again);
    clearTimeout(timer);
  }
}
