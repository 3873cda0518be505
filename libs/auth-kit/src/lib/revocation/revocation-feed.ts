import { systemClock, type Clock, type TimerHandle } from '@hoot/domain';
import { followRevocations, type createKafka, type RevocationFollower } from '@hoot/events';
import { RevocationSet } from './revocation-set';

export interface RevocationFeedOptions {
  kafka: ReturnType<typeof createKafka>;
  /** Defaults to `hoot.auth.revocations`. */
  topic?: string;
  /** Names this process's consumer group (`<prefix>-<uuid>`), e.g. `cash-coremx-1`. */
  groupIdPrefix: string;
  clock?: Clock;
  /** How often revocations of expired tokens are forgotten. */
  pruneIntervalMs?: number;
  /** Grace added to a revoked token's expiry before it is forgotten (covers verifier clock skew). */
  pruneGraceMs?: number;
  onInvalid?: (error: Error, offset: string) => void;
}

/**
 * A `RevocationSet` kept current from the revocation topic, read from its beginning at `start()`.
 * `start()` resolves once every revocation published before it was applied, so a verifier that waits for
 * it never accepts a token revoked earlier.
 */
export class RevocationFeed {
  readonly revocations = new RevocationSet();
  private follower: RevocationFollower | undefined;
  private pruneTimer: TimerHandle | undefined;
  private readonly clock: Clock;

  constructor(private readonly options: RevocationFeedOptions) {
    this.clock = options.clock ?? systemClock;
  }

  async start(): Promise<void> {
    this.follower = await followRevocations({
      kafka: this.options.kafka,
      topic: this.options.topic,
      groupIdPrefix: this.options.groupIdPrefix,
      onEvent: (event) => this.revocations.apply(event),
      onInvalid: this.options.onInvalid,
    });
    this.schedulePrune();
    await this.follower.caughtUp;
  }

  /** For readiness: caught up with the topic as it was at start. */
  isCaughtUp(): boolean {
    return this.follower?.isCaughtUp() ?? false;
  }

  async stop(): Promise<void> {
    if (this.pruneTimer) this.clock.clearTimeout(this.pruneTimer);
    this.pruneTimer = undefined;
    await this.follower?.stop();
    this.follower = undefined;
  }

  private schedulePrune(): void {
    const interval = this.options.pruneIntervalMs ?? 60_000;
    this.pruneTimer = this.clock.setTimeout(() => {
      this.revocations.prune(this.clock.now(), this.options.pruneGraceMs ?? 5 * 60_000);
      if (this.pruneTimer) this.schedulePrune();
    }, interval);
    (this.pruneTimer as { unref?: () => void }).unref?.();
  }
}
