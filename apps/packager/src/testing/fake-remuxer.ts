import type { Remuxer, RemuxerExit } from '../stream/remuxer';

/** A remuxer for specs: the spec writes the fMP4 bytes; stop() ends it like ffmpeg after SIGTERM. */
export class FakeRemuxer implements Remuxer {
  sdp: string | undefined;
  private onData: ((chunk: Buffer) => void) | undefined;
  private onExit: ((exit: RemuxerExit) => void) | undefined;
  stopped = false;
  readonly pid = undefined;

  start(sdp: string, onData: (chunk: Buffer) => void, onExit: (exit: RemuxerExit) => void): void {
    this.sdp = sdp;
    this.onData = onData;
    this.onExit = onExit;
  }

  write(bytes: Buffer): void {
    this.onData?.(bytes);
  }

  /** The process died on its own. */
  crash(): void {
    this.onExit?.({ code: 1, signal: null, stderrTail: 'boom' });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.onExit?.({ code: 0, signal: null, stderrTail: '' });
  }
}
