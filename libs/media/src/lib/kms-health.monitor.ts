import { systemClock, type Clock, type TimerHandle } from '@hoot/domain';
import { MEDIA_DEFAULTS } from './media.defaults';
import { toMediaError, type MediaError } from './media-error.exception';
import type { MediaHealth, MediaPort, Unsubscribe } from './media.port';

export type KmsHealthState = 'unknown' | 'healthy' | 'unhealthy' | 'recovering';

/**
 * Why the monitor decided the media objects are gone:
 * - `identity-changed`: the server reports another instance identity than before (a restart);
 * - `session-lost`: the server refused the client's session on reconnection (40007, a restart);
 * - `objects-lost`: pipelines the port holds are no longer listed by the server;
 * - `connection-lost`: the client gave up reconnecting, so its session is abandoned.
 */
export type KmsRestartReason = 'identity-changed' | 'session-lost' | 'objects-lost' | 'connection-lost';

export interface KmsRestartedEvent {
  /** Identity of the server before (undefined when none was known). */
  previousServerId?: string;
  /** Identity of the server the fresh connection reached (undefined when its first probe failed). */
  serverId?: string;
  reasons: KmsRestartReason[];
}

export interface KmsHealthEvents {
  /** A probe succeeded after none had, or after failures. */
  healthy: { serverId: string; latencyMs: number };
  /** A probe failed while the monitor thought the server healthy (or had no verdict yet). */
  unhealthy: { error: MediaError };
  /**
   * The port is on a fresh connection and every earlier ref is gone: rebuild each room on a new
   * pipeline and ask every participant to re-offer.
   */
  restarted: KmsRestartedEvent;
}

export interface KmsHealthMonitorOptions {
  clock?: Clock;
  intervalMs?: number;
  /** Errors thrown by listeners (they never stop the monitor). Default: ignored. */
  onListenerError?: (error: unknown) => void;
}

/** The part of the port the monitor drives. */
export type HealthCheckedPort = Pick<MediaPort, 'health' | 'renew'>;

type Listeners = { [K in keyof KmsHealthEvents]: Set<(event: KmsHealthEvents[K]) => void> };

/**
 * Probes the media server on a timer (`MediaPort.health()`, which has its own timeout) and tells
 * three things apart: the server is unreachable (`unhealthy`), it came back as the same server (the
 * client reconnects by itself: `healthy` again), or it came back as a NEW server (restart). On a
 * restart, or when the client gave up, the monitor renews the port's connection first and then emits
 * `restarted`, so listeners rebuild on a fresh session.
 */
export class KmsHealthMonitor {
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly onListenerError: (error: unknown) => void;
  private readonly listeners: Listeners = { healthy: new Set(), unhealthy: new Set(), restarted: new Set() };
  /** The last verdict, which events report changes of. */
  private verdict: Exclude<KmsHealthState, 'recovering'> = 'unknown';
  private recovering = false;
  private knownServerId?: string;
  /** A probe has succeeded once: the port has held a session that rooms may depend on. */
  private sawServer = false;
  /** Reasons gathered while a renewal keeps failing, reported with the `restarted` that follows. */
  private readonly pendingReasons = new Set<KmsRestartReason>();
  private timer?: TimerHandle;
  private running = false;
  private inFlight?: Promise<void>;

  constructor(
    private readonly port: HealthCheckedPort,
    options: KmsHealthMonitorOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.intervalMs ?? MEDIA_DEFAULTS.monitorIntervalMs;
    this.onListenerError = options.onListenerError ?? (() => undefined);
  }

  get state(): KmsHealthState {
    return this.recovering ? 'recovering' : this.verdict;
  }

  /** Identity of the server last seen healthy. */
  get serverId(): string | undefined {
    return this.knownServerId;
  }

  on<K extends keyof KmsHealthEvents>(event: K, listener: (event: KmsHealthEvents[K]) => void): Unsubscribe {
    const set = this.listeners[event] as Set<(event: KmsHealthEvents[K]) => void>;
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  /** Probes at once, then every `intervalMs` after the previous probe ended. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.scheduleIn(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One probe now (joins the one in flight, if any). Never rejects. */
  checkNow(): Promise<void> {
    this.inFlight ??= this.check()
      .catch((error: unknown) => this.markUnhealthy(toMediaError(error, 'health')))
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private scheduleIn(delayMs: number): void {
    if (!this.running) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.checkNow().then(() => this.scheduleIn(this.intervalMs));
    }, delayMs);
  }

  private async check(): Promise<void> {
    const health = await this.probe();
    if (health.status === 'down') {
      if (health.renewRequired) {
        await this.recover(['connection-lost']);
        return;
      }
      this.markUnhealthy(health.error);
      return;
    }
    const reasons: KmsRestartReason[] = [];
    if (this.knownServerId !== undefined && health.serverId !== this.knownServerId)
      reasons.push('identity-changed');
    if (health.sessionLost) reasons.push('session-lost');
    if (health.lostPipelineIds.length > 0) reasons.push('objects-lost');
    if (reasons.length > 0) {
      await this.recover(reasons);
      return;
    }
    this.markHealthy(health.serverId, health.latencyMs);
  }

  private async recover(reasons: KmsRestartReason[]): Promise<void> {
    for (const reason of reasons) this.pendingReasons.add(reason);
    const previousServerId = this.knownServerId;
    this.recovering = true;
    let fresh: MediaHealth;
    try {
      await this.port.renew();
      fresh = await this.probe();
    } catch (error) {
      this.markUnhealthy(toMediaError(error, 'renew'));
      return;
    } finally {
      this.recovering = false;
    }
    const all = [...this.pendingReasons];
    this.pendingReasons.clear();
    // A first connection (no server ever seen, nothing but a missing connection) has nothing to rebuild.
    const rebuild = this.sawServer || all.some((reason) => reason !== 'connection-lost');
    if (fresh.status === 'up') {
      this.markHealthy(fresh.serverId, fresh.latencyMs);
    } else {
      this.knownServerId = undefined;
      this.markUnhealthy(fresh.error);
    }
    if (rebuild)
      this.emit('restarted', {
        previousServerId,
        serverId: fresh.status === 'up' ? fresh.serverId : undefined,
        reasons: all,
      });
  }

  private async probe(): Promise<MediaHealth> {
    try {
      return await this.port.health();
    } catch (error) {
      // health() promises never to throw; a port that does is treated as a failed probe.
      return { status: 'down', error: toMediaError(error, 'health'), renewRequired: false };
    }
  }

  private markHealthy(serverId: string, latencyMs: number): void {
    this.knownServerId = serverId;
    this.sawServer = true;
    const was = this.verdict;
    this.verdict = 'healthy';
    if (was !== 'healthy') this.emit('healthy', { serverId, latencyMs });
  }

  private markUnhealthy(error: MediaError): void {
    const was = this.verdict;
    this.verdict = 'unhealthy';
    if (was !== 'unhealthy') this.emit('unhealthy', { error });
  }

  private emit<K extends keyof KmsHealthEvents>(event: K, payload: KmsHealthEvents[K]): void {
    for (const listener of [...(this.listeners[event] as Set<(event: KmsHealthEvents[K]) => void>)]) {
      try {
        listener(payload);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}
