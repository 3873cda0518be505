/** What the caller hears while the platform comes up and goes down, one event per part and state. */
export interface PlatformProgress {
  part: string;
  /**
   * `starting` → `ready` (or `failed`) at start-up and for each restart (then with `attempt`); a supervised
   * service that exits on its own is `crashed` (with `exit`, `attempt` and `restartInMs`); a crash loop is
   * `crash-loop` (with `error`: the service's last lines), after which the platform stops everything.
   */
  state: 'starting' | 'ready' | 'failed' | 'stopping' | 'stopped' | 'crashed' | 'crash-loop';
  /** Where it answers (once ready). */
  url?: string;
  /** Time from `starting` to `ready` (or `failed`). */
  ms?: number;
  error?: string;
  /** The restart this event is about (1 for the first restart); absent at start-up. */
  attempt?: number;
  /** How the crashed process ended (absent if a restart did not become ready). */
  exit?: { code: number | null; signal: string | null };
  /** When the next restart comes. */
  restartInMs?: number;
}

export interface StartedPart {
  url?: string;
  stop(): Promise<void>;
}

export interface StagePart<T extends StartedPart = StartedPart> {
  part: string;
  start(): Promise<T>;
}

/**
 * Brings parts up stage by stage (the parts of one stage in parallel, a stage only once the previous one is
 * ready) and takes them down in reverse order. A failed or aborted start stops what had started before it
 * throws, so nothing is left running.
 */
export class StageRunner {
  private readonly started: { part: string; handle: StartedPart }[][] = [];
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly onProgress: (event: PlatformProgress) => void = () => undefined,
    private readonly signal?: AbortSignal,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts one stage; resolves with each part's handle, in the order given. */
  async run<T extends StartedPart>(parts: StagePart<T>[]): Promise<T[]> {
    await this.stopIfAborted();
    const stage: { part: string; handle: StartedPart }[] = [];
    this.started.push(stage);
    const results = await Promise.allSettled(
      parts.map(async ({ part, start }) => {
        const t0 = this.now();
        this.emit({ part, state: 'starting' });
        try {
          const handle = await start();
          stage.push({ part, handle });
          this.emit({ part, state: 'ready', url: handle.url, ms: this.now() - t0 });
          return handle;
        } catch (error) {
          this.emit({ part, state: 'failed', ms: this.now() - t0, error: describe(error) });
          throw error;
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await this.stopAll();
      throw failed.reason;
    }
    await this.stopIfAborted();
    return results.map((r) => (r as PromiseFulfilledResult<T>).value);
  }

  /** Stops every started part, the last stage first. Idempotent; a part that fails to stop does not keep the others running. */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      const errors: unknown[] = [];
      for (const stage of [...this.started].reverse()) {
        await Promise.all(
          [...stage].reverse().map(async ({ part, handle }) => {
            this.emit({ part, state: 'stopping' });
            try {
              await handle.stop();
            } catch (error) {
              errors.push(error);
            }
            this.emit({ part, state: 'stopped' });
          }),
        );
      }
      if (errors.length) throw errors[0];
    })();
    return this.stopping;
  }

  private async stopIfAborted(): Promise<void> {
    if (!this.signal?.aborted) return;
    await this.stopAll();
    throw new PlatformAbortedError();
  }

  private emit(event: PlatformProgress): void {
    try {
      this.onProgress(event);
    } catch {
      // A listener's bug must not leave processes running.
    }
  }
}

export class PlatformAbortedError extends Error {
  readonly code = 'platform.aborted';
  constructor() {
    super('the platform start was aborted');
  }
}

const describe = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0] : String(error));
