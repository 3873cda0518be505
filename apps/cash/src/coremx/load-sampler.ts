import type { Clock, TimerHandle } from '@hoot/domain';
import type { MediaPort } from '@hoot/media';
import type { CoreMxStateService } from './coremx-state';

/**
 * Samples the media server's load (Kurento's ServerManager figures through `serverInfo`) every
 * `intervalMs` and feeds it to admission control. A failed sample keeps the last figure (the health
 * monitor decides whether the media server is down).
 */
export class LoadSampler {
  private timer: TimerHandle | undefined;
  private running = false;

  constructor(
    private readonly media: Pick<MediaPort, 'serverInfo'>,
    private readonly state: CoreMxStateService,
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.sample();
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  async sample(): Promise<void> {
    try {
      const info = await this.media.serverInfo();
      this.state.setCpuPercent(info.usedCpuPercent);
    } catch {
      this.state.refresh();
    } finally {
      if (this.running) {
        this.timer = this.clock.setTimeout(() => void this.sample(), this.intervalMs);
        (this.timer as { unref?: () => void }).unref?.();
      }
    }
  }
}
