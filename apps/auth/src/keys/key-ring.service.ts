import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Clock, TimerHandle } from '@hoot/domain';
import { AUTH_CONFIG, CLOCK } from '../auth.tokens';
import type { AuthConfig } from '../config/auth.config';
import { KeyRing } from './key-ring';

/** Owns the key ring: loads it at start (fails fast without keys) and re-reads the directory periodically. */
@Injectable()
export class KeyRingService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(KeyRingService.name);
  readonly ring: KeyRing;
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.ring = new KeyRing({
      dir: config.AUTH_KEYS_DIR,
      clock,
      signingKid: config.AUTH_SIGNING_KID,
      activationDelayMs: config.AUTH_KEY_ACTIVATION_DELAY_MS,
    });
  }

  onModuleInit(): void {
    this.ring.reload();
    this.logger.log({ kids: this.ring.kids(), signing: this.ring.signingKey().kid }, 'signing keys loaded');
    this.schedule();
  }

  /** Re-reads the key directory now. */
  reload(): { kids: string[]; signing: string; added: string[]; removed: string[] } {
    const change = this.ring.reload();
    if (change.added.length || change.removed.length) this.logger.log({ ...change }, 'signing keys changed');
    return { kids: this.ring.kids(), signing: this.ring.signingKey().kid, ...change };
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      try {
        this.reload();
      } catch (error) {
        this.logger.error({ err: error }, 'key directory reload failed; keeping the previous keys');
      }
      this.schedule();
    }, this.config.AUTH_KEYS_RELOAD_INTERVAL_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }
}
