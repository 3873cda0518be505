import type { CcesPublisher, CoreMxState as CcesCoreMxState } from '@hoot/events';
import { COREMX_STREAM_KEY } from '@hoot/events';
import { CashError, CashErrorCode } from '../cash-error';
import type { ManagerLogger } from '../rooms/room-manager';
import { AdmissionControl, type AdmissionOptions } from './admission-control';

/** The state reported to the registry (membership API). */
export type CoreMxReportedState = 'active' | 'draining' | 'overloaded';

export interface CoreMxStateOptions extends AdmissionOptions {
  counts: () => { rooms: number; participants: number };
  events: CcesPublisher;
  retryAfterS: number;
  logger?: ManagerLogger;
}

/**
 * This CoreMX's state: admission (load with hysteresis, media server health, room capacity) and drain.
 * Gates new rooms and joins, reports `active | draining | overloaded` to the registry and publishes
 * `coremx.state-changed` on the CCES topic (`ready | degraded | draining | drained | stopping`).
 */
export class CoreMxStateService {
  private readonly admission: AdmissionControl;
  private cpuPercent: number | undefined;
  private mediaHealthy = true;
  private draining = false;
  private lastReported: CoreMxReportedState = 'active';
  private ccesState: CcesCoreMxState | null = null;
  private readonly listeners = new Set<(state: CoreMxReportedState) => void>();
  private ccesChain: Promise<void> = Promise.resolve();

  constructor(private readonly options: CoreMxStateOptions) {
    this.admission = new AdmissionControl(options);
  }

  get state(): CoreMxReportedState {
    if (this.draining) return 'draining';
    return this.admission.overloaded || !this.mediaHealthy ? 'overloaded' : 'active';
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /** 0..1; 1 while the media server is down. */
  get load(): number {
    return this.mediaHealthy ? this.admission.load : 1;
  }

  get isMediaHealthy(): boolean {
    return this.mediaHealthy;
  }

  /** Told about every change of the reported state (the heartbeat sends one at once). */
  onChange(listener: (state: CoreMxReportedState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setCpuPercent(percent: number | undefined): void {
    this.cpuPercent = percent;
    this.refresh();
  }

  setMediaHealthy(healthy: boolean): void {
    this.mediaHealthy = healthy;
    this.refresh();
  }

  /** Recomputes load from the current counts (call after rooms or participants change). */
  refresh(): void {
    this.admission.update({ cpuPercent: this.cpuPercent, ...this.options.counts() });
    this.emitIfChanged();
  }

  /** Throws 503-style refusals while a new room may not be created here. */
  checkNewRoom(): void {
    if (this.draining) {
      throw new CashError(
        CashErrorCode.Draining,
        'this CoreMX is draining: no new rooms',
        this.options.retryAfterS,
      );
    }
    this.checkCapacity(true);
  }

  /** Joins into an existing room stay possible while draining; a join that would create a room does not. */
  checkJoin(roomExists: boolean): void {
    if (!roomExists) return this.checkNewRoom();
    this.checkCapacity(false);
  }

  startDrain(reason: string): void {
    if (this.draining) return;
    this.draining = true;
    this.emitIfChanged(reason);
  }

  undrain(): void {
    if (!this.draining) return;
    this.draining = false;
    this.emitIfChanged('drain cancelled');
  }

  /** Publishes a lifecycle state of its own (`ready` at start, `drained`, `stopping`). */
  announce(to: CcesCoreMxState, reason?: string): Promise<void> {
    if (this.ccesState === to) return this.ccesChain;
    const from = this.ccesState;
    this.ccesState = to;
    this.ccesChain = this.ccesChain
      .then(async () => {
        await this.options.events.publish({
          type: 'coremx.state-changed',
          conferenceId: COREMX_STREAM_KEY,
          data: { from, to, ...(reason ? { reason } : {}) },
        });
      })
      .catch((error: unknown) =>
        this.options.logger?.warn({ err: error }, 'coremx.state-changed not journaled'),
      );
    return this.ccesChain;
  }

  private checkCapacity(newRoom: boolean): void {
    this.refresh();
    const retry = this.options.retryAfterS;
    if (!this.mediaHealthy) {
      throw new CashError(CashErrorCode.MediaUnavailable, 'the media server is unavailable', retry);
    }
    const { rooms, participants } = this.options.counts();
    if (this.admission.overloaded) {
      throw new CashError(CashErrorCode.Overloaded, 'this CoreMX is overloaded: retry later', retry);
    }
    if (
      (newRoom && rooms >= this.options.capacityRooms) ||
      participants >= this.options.capacityParticipants
    ) {
      throw new CashError(CashErrorCode.Overloaded, 'this CoreMX is at capacity: retry later', retry);
    }
  }

  private emitIfChanged(reason?: string): void {
    const now = this.state;
    if (now === this.lastReported) return;
    this.lastReported = now;
    if (this.ccesState !== 'stopping') {
      const to: CcesCoreMxState = now === 'active' ? 'ready' : now === 'overloaded' ? 'degraded' : 'draining';
      void this.announce(to, reason ?? (now === 'overloaded' ? this.overloadReason() : undefined));
    }
    for (const listener of this.listeners) listener(now);
  }

  private overloadReason(): string {
    return this.mediaHealthy ? `load ${this.admission.load.toFixed(2)}` : 'media server unavailable';
  }
}
