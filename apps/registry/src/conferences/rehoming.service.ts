import {
  ROOM_RECONNECT_DEFAULTS,
  leasedForRehome,
  movedConference,
  rehomeLeaseReleased,
  type Clock,
  type ConferenceRecord,
} from '@hoot/domain';
import type { CoreMxView } from '../gcas/registry-node';
import { reserveRequestOf } from './cash.client';
import type { ConferenceRecords } from './conference-records';
import { movedParticipantsOf } from './directory.reducer';
import type { Placement, PlacementService } from './placement.service';

/** How long one replica holds a conference it is moving before another may try. */
const REHOME_LEASE_MS = 30_000;
/** Open conferences read per CoreMX-down round (the next round takes the rest). */
const REHOME_BATCH = 200;

export interface RehomingServiceOptions {
  /** Shared with the conference API service, so a move drops the join cache entry at once. */
  records: ConferenceRecords;
  placement: PlacementService;
  clock: Clock;
  ownCloud: string;
  /** This process (a replica of the registry node): holder of re-home leases. */
  instanceId: string;
  isPrimary: () => boolean;
  /**
   * Does this registry judge the CoreMX of `cloud` (move their conferences when they are down)? Its own
   * cloud while it is the primary, and a lost cloud's when it is that cloud's deputy (gossip's `judgeOf`).
   * Default: its own cloud, while `isPrimary()`.
   */
  judges?: (cloud: string) => boolean;
  log: { info(data: object, message: string): void; warn(data: object, message: string): void };
  /** Hook for metrics: `moved`, `failed`. */
  onRehome?: (outcome: string) => void;
}

/**
 * Re-homing: moves every open conference of a CoreMX this registry judges that is declared down to a
 * healthy CoreMX (the new CASH publishes `conference.moved`). A lease written with compare-and-set makes
 * exactly one replica move each conference.
 */
export class RehomingService {
  constructor(private readonly o: RehomingServiceOptions) {}

  /** One round over `coremx` (the node's view); answers how many conferences moved. */
  async rehomeDown(coremx: readonly CoreMxView[]): Promise<number> {
    const judges = this.o.judges ?? ((cloud: string) => cloud === this.o.ownCloud && this.o.isPrimary());
    const down = coremx.filter((c) => c.liveness === 'down' && judges(c.cloud)).map((c) => c.coremxId);
    if (!down.length) return 0;
    let moved = 0;
    for (const record of await this.o.records.store.listOpenOn(down, REHOME_BATCH)) {
      if (await this.rehome(record)) moved++;
    }
    return moved;
  }

  private async rehome(record: ConferenceRecord): Promise<boolean> {
    const { records, instanceId } = this.o;
    const leased = leasedForRehome(record, instanceId, this.o.clock.now(), REHOME_LEASE_MS);
    // The lease is written straight to the store: it changes nothing a join reads.
    if (!leased || !(await records.store.compareAndSet(leased))) return false;
    const from = record.coremxId;
    const placed: Placement = await this.o.placement
      .place(
        {
          ...reserveRequestOf(record),
          movedFrom: {
            coremxId: from,
            reason: 'coremx-down',
            participants: movedParticipantsOf(record.roster, ROOM_RECONNECT_DEFAULTS.maxDeparted),
          },
        },
        [from],
      )
      .catch((error: unknown) => ({
        ok: false as const,
        reason: (error as Error).message,
        retryAfterS: 0,
        rejected: [],
      }));
    if (!placed.ok) {
      this.o.onRehome?.('failed');
      this.o.log.warn(
        { conferenceId: record.conferenceId, from, reason: placed.reason },
        're-home failed; will retry',
      );
      await records.update(record.conferenceId, (r) => rehomeLeaseReleased(r, instanceId));
      return false;
    }
    const to = placed.coremx;
    await records.update(record.conferenceId, (r) => movedConference(r, from, to, this.isoNow()));
    this.o.onRehome?.('moved');
    this.o.log.info(
      { conferenceId: record.conferenceId, from, to: to.coremxId, reason: placed.reason },
      'conference re-homed off a CoreMX that is down',
    );
    return true;
  }

  private isoNow(): string {
    return new Date(this.o.clock.now()).toISOString();
  }
}
