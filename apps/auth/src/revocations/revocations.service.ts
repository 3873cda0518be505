import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Clock, RevocationRecord, RevocationStore, TimerHandle } from '@hoot/domain';
import { AUTH_REVOCATION_SCHEMA_VERSION, type AuthRevocationEvent } from '@hoot/events';
import { CLOCK, REVOCATION_PUBLISHER, REVOCATION_STORE, AUTH_CONFIG } from '../auth.tokens';
import type { AuthConfig } from '../config/auth.config';
import type { RevocationEventPublisher } from './revocation-publisher.port';

export interface RevocationOutcome {
  id: string;
  type: RevocationRecord['type'];
  sub: string;
  jti?: string;
  beforeMs?: number;
  /** False when Kafka did not take it yet; the outbox keeps retrying. */
  published: boolean;
}

/**
 * Revocations are persisted first (introspection sees them at once), then published to Kafka for
 * every local verifier. A failed publish leaves the record unpublished and the outbox sweep retries it,
 * in order, so nothing is lost while Kafka is away.
 */
@Injectable()
export class RevocationsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RevocationsService.name);
  private timer: TimerHandle | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(REVOCATION_STORE) private readonly store: RevocationStore,
    @Inject(REVOCATION_PUBLISHER) private readonly publisher: RevocationEventPublisher,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {}

  revokeToken(jti: string, sub: string, expiresAtMs: number): Promise<RevocationOutcome> {
    return this.record({
      id: randomUUID(),
      type: 'token.revoked',
      sub,
      jti,
      expiresAtMs,
      createdAt: this.iso(),
      published: false,
    });
  }

  revokeSubject(sub: string, beforeMs: number): Promise<RevocationOutcome> {
    return this.record({
      id: randomUUID(),
      type: 'subject.revoked',
      sub,
      beforeMs,
      createdAt: this.iso(),
      published: false,
    });
  }

  isTokenRevoked(jti: string): Promise<boolean> {
    return this.store.isTokenRevoked(jti);
  }

  /** Publishes what is still unpublished and forgets expired token revocations. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    await this.sweeping;
  }

  private async record(record: RevocationRecord): Promise<RevocationOutcome> {
    await this.store.create(record);
    const published = await this.tryPublish(record);
    const { id, type, sub, jti, beforeMs } = record;
    return {
      id,
      type,
      sub,
      ...(jti ? { jti } : {}),
      ...(beforeMs !== undefined ? { beforeMs } : {}),
      published,
    };
  }

  private async tryPublish(record: RevocationRecord): Promise<boolean> {
    try {
      await this.publisher.publish(toEvent(record));
      await this.store.markPublished(record.id);
      return true;
    } catch (error) {
      this.logger.warn(
        { err: error, revocation: record.id },
        'revocation not published yet; the outbox will retry',
      );
      return false;
    }
  }

  private async sweepOnce(): Promise<void> {
    for (const record of await this.store.listUnpublished(100)) {
      if (!(await this.tryPublish(record))) break;
    }
    await this.store.pruneExpired(this.clock.now() - 5 * 60_000);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      this.sweep()
        .catch((error) => this.logger.warn({ err: error }, 'revocation outbox sweep failed'))
        .finally(() => this.schedule());
    }, this.config.AUTH_OUTBOX_INTERVAL_MS);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private iso(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function toEvent(record: RevocationRecord): AuthRevocationEvent {
  const base = {
    id: record.id,
    schemaVersion: AUTH_REVOCATION_SCHEMA_VERSION,
    sub: record.sub,
    occurredAt: record.createdAt,
  } as const;
  return record.type === 'token.revoked'
    ? { ...base, type: 'token.revoked', jti: record.jti!, expiresAtMs: record.expiresAtMs! }
    : { ...base, type: 'subject.revoked', beforeMs: record.beforeMs! };
}
