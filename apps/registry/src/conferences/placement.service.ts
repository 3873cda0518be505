import {
  selectCoreMx,
  type PlacementCandidate,
  type PlacementResult,
  type PlacementStrategy,
  type RejectedCandidate,
} from '@hoot/domain';
import type { CoreMxView } from '../gcas/registry-node';
import { CashCallError, cashApiUrlOf, type CashClient, type ReserveRequest } from './cash.client';

/** What placement reads of the GCAS: every CoreMX once, with liveness and report age. */
export interface CoreMxSource {
  coremx(): CoreMxView[];
  /** One CoreMX as `coremx()` lists it (a join reads only its own; cheaper than the whole list). */
  coremxById?(coremxId: string): CoreMxView | undefined;
}

export interface PlacementLog {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
}

export interface PlacementServiceOptions {
  source: CoreMxSource;
  cash: CashClient;
  ownCloud: string;
  staleAfterMs: number;
  strategy?: PlacementStrategy;
  log: PlacementLog;
  random?: () => number;
  /** CoreMX tried per placement before giving up. */
  attempts?: number;
}

export type Placement =
  | { ok: true; coremx: CoreMxView; created: boolean; reason: string }
  | { ok: false; reason: string; retryAfterS: number; rejected: RejectedCandidate[] };

/**
 * Places conferences on CoreMX: the pure selector (libs/domain) chooses from the GCAS view, then the
 * chosen CASH reserves the room; a CASH that refuses for capacity (503) or does not answer is left out
 * and the next choice is tried. Each decision is logged with its reason. Placements made since a
 * CoreMX's last report are counted (the selector's ramp-up correction) until its version advances.
 */
export class PlacementService {
  private readonly pending = new Map<string, { version: string; count: number }>();

  constructor(private readonly options: PlacementServiceOptions) {}

  /** The CoreMX as this registry sees it now (undefined when unknown). */
  find(coremxId: string): CoreMxView | undefined {
    const { source } = this.options;
    return source.coremxById
      ? source.coremxById(coremxId)
      : source.coremx().find((c) => c.coremxId === coremxId);
  }

  /** May a conference living on `coremx` take joins and re-reservations now? */
  usable(coremx: CoreMxView | undefined): coremx is CoreMxView {
    return (
      coremx !== undefined &&
      coremx.liveness === 'alive' &&
      coremx.state === 'active' &&
      (coremx.silentForMs ?? 0) < this.options.staleAfterMs
    );
  }

  /** Reserves `request` on its current CoreMX when that is usable, else places it anew. */
  async reuseOrPlace(request: ReserveRequest, current?: string): Promise<Placement> {
    const coremx = current === undefined ? undefined : this.find(current);
    if (this.usable(coremx)) {
      try {
        const { created } = await this.options.cash.reserve(cashApiUrlOf(coremx), request);
        this.options.log.info(
          { conferenceId: request.id, coremxId: coremx.coremxId, created },
          'placement: kept the existing assignment',
        );
        return { ok: true, coremx, created, reason: 'existing assignment is valid' };
      } catch (error) {
        this.options.log.warn(
          { conferenceId: request.id, coremxId: coremx.coremxId, err: (error as Error).message },
          'placement: the existing assignment refused; placing anew',
        );
      }
    }
    return this.place(request, current === undefined ? [] : [current]);
  }

  /** Chooses a CoreMX (never one of `exclude`) and reserves the room there. */
  async place(request: ReserveRequest, exclude: readonly string[] = []): Promise<Placement> {
    const skipped = new Set(exclude);
    const attempts = this.options.attempts ?? 3;
    let last: PlacementResult | undefined;
    let retryAfterS = 5;
    for (let attempt = 0; attempt < attempts; attempt++) {
      const views = this.options.source.coremx().filter((c) => !skipped.has(c.coremxId));
      last = selectCoreMx(
        views.map((v) => this.candidateOf(v)),
        {
          ownCloud: this.options.ownCloud,
          staleAfterMs: this.options.staleAfterMs,
          strategy: this.options.strategy,
          random: this.options.random,
          pending: this.pendingCounts(views),
        },
      );
      if (!last.ok) break;
      const chosen = views.find((v) => v.coremxId === (last as { coremxId: string }).coremxId)!;
      try {
        const { created } = await this.options.cash.reserve(cashApiUrlOf(chosen), request);
        this.countPending(chosen);
        this.options.log.info(
          {
            conferenceId: request.id,
            coremxId: chosen.coremxId,
            cloud: chosen.cloud,
            fallback: last.fallback,
            effectiveLoad: last.effectiveLoad,
            rejected: last.rejected,
            movedFrom: request.movedFrom?.coremxId,
          },
          `placement: ${last.reason}`,
        );
        return { ok: true, coremx: chosen, created, reason: last.reason };
      } catch (error) {
        if (error instanceof CashCallError && error.kind === 'refused') throw error;
        if (error instanceof CashCallError && error.retryAfterS) retryAfterS = error.retryAfterS;
        this.options.log.warn(
          { conferenceId: request.id, coremxId: chosen.coremxId, err: (error as Error).message },
          'placement: the chosen CoreMX did not reserve; trying another',
        );
        skipped.add(chosen.coremxId);
      }
    }
    const reason = last && !last.ok ? last.reason : 'no CoreMX reserved the room';
    this.options.log.warn(
      { conferenceId: request.id, rejected: last?.rejected ?? [] },
      `placement failed: ${reason}`,
    );
    return { ok: false, reason, retryAfterS, rejected: last?.rejected ?? [] };
  }

  private candidateOf(v: CoreMxView): PlacementCandidate {
    return {
      coremxId: v.coremxId,
      cloud: v.cloud,
      state: v.liveness === 'down' ? 'down' : v.state,
      load: v.load,
      rooms: v.rooms,
      capacity: v.capacity,
      lastReportAgeMs: v.silentForMs ?? 0,
    };
  }

  private pendingCounts(views: CoreMxView[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const v of views) {
      const held = this.pending.get(v.coremxId);
      if (held && held.version === versionKey(v)) out[v.coremxId] = held.count;
    }
    return out;
  }

  private countPending(v: CoreMxView): void {
    const held = this.pending.get(v.coremxId);
    const version = versionKey(v);
    this.pending.set(v.coremxId, {
      version,
      count: held && held.version === version ? held.count + 1 : 1,
    });
  }
}

const versionKey = (v: CoreMxView) => `${v.version.incarnation}:${v.version.seq}`;
