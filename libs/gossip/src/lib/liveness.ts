import type { CoreMxEntry, RegistryMeta } from './gcas';
import { GOSSIP_DEFAULTS } from './gossip-defaults';
import { compareVersions, report, resolve, type Version, type Versioned } from './versioned';

export type Liveness = 'alive' | 'suspect' | 'dead';

interface Seen {
  version: Version;
  /** Local time (this observer's clock) when the version last advanced. */
  advancedAtMs: number;
}

/**
 * Failure detection from origin-owned heartbeat versions: a registry (or CoreMX) is alive while its
 * version keeps advancing; suspect after `suspectAfterMs` without progress; dead after `deadAfterMs`.
 * Only local elapsed time is used, never the peer's clock. Pure: the caller passes the time.
 */
export class LivenessTracker {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly suspectAfterMs: number = GOSSIP_DEFAULTS.suspectAfterMs,
    private readonly deadAfterMs: number = GOSSIP_DEFAULTS.deadAfterMs,
  ) {
    if (!(suspectAfterMs > 0 && deadAfterMs > suspectAfterMs)) {
      throw new RangeError('need 0 < suspectAfterMs < deadAfterMs');
    }
  }

  /** Records the version seen for `id` at local time `nowMs`; only an advance resets the timer. */
  observe(id: string, version: Version, nowMs: number): void {
    const previous = this.seen.get(id);
    if (!previous || compareVersions(version, previous.version) > 0) {
      this.seen.set(id, { version, advancedAtMs: nowMs });
    }
  }

  /** How long `id` has been silent, or undefined if never seen. */
  silentForMs(id: string, nowMs: number): number | undefined {
    const seen = this.seen.get(id);
    return seen ? Math.max(0, nowMs - seen.advancedAtMs) : undefined;
  }

  status(id: string, nowMs: number): Liveness {
    const silent = this.silentForMs(id, nowMs);
    if (silent === undefined || silent >= this.deadAfterMs) return 'dead';
    return silent >= this.suspectAfterMs ? 'suspect' : 'alive';
  }
}

/**
 * The primary of a cloud: its lowest-numbered registry that is not dead (a suspect one keeps the role,
 * so one slow heartbeat does not flip primaries back and forth).
 */
export function primaryOf(
  cloud: string,
  registries: readonly RegistryMeta[],
  liveness: (registryId: string) => Liveness,
): string | undefined {
  return registries
    .filter((r) => r.cloud === cloud && liveness(r.registryId) !== 'dead')
    .sort((a, b) => a.priority - b.priority || (a.registryId < b.registryId ? -1 : 1))[0]?.registryId;
}

/**
 * Who judges the CoreMX of `cloud` (suspects, probes, declares down, re-homes): its primary while that one
 * is alive, else its lowest-numbered alive registry; when no registry of the cloud is alive (the whole cloud is lost, or cut off), the primary of
 * the first other cloud by name whose primary is alive — the deputy — so a lost cloud's conferences still
 * move within seconds rather than at the hard timeout. Every registry computes the same from the same view.
 */
export function judgeOf(
  cloud: string,
  registries: readonly RegistryMeta[],
  liveness: (registryId: string) => Liveness,
): string | undefined {
  const primary = primaryOf(cloud, registries, liveness);
  if (primary !== undefined && liveness(primary) === 'alive') return primary;
  // A suspect primary keeps its role, but its cloud's CoreMX are judged by an alive registry of the cloud.
  const alive = registries
    .filter((r) => r.cloud === cloud && liveness(r.registryId) === 'alive')
    .sort((a, b) => a.priority - b.priority || (a.registryId < b.registryId ? -1 : 1))[0];
  if (alive) return alive.registryId;
  const others = [...new Set(registries.map((r) => r.cloud))].filter((c) => c !== cloud).sort();
  for (const other of others) {
    const deputy = primaryOf(other, registries, liveness);
    if (deputy !== undefined && liveness(deputy) === 'alive') return deputy;
  }
  return primary;
}

export interface DownDecision {
  /** This registry. */
  self: string;
  /** Who judges the CoreMX's cloud (`judgeOf`: its primary, or a deputy when the cloud is lost). */
  primaryOfCloud: string | undefined;
  /** How long the CoreMX's own version has not advanced, by this registry's clock. */
  silentForMs: number;
  suspectAfterMs?: number;
  hardTimeoutMs?: number;
}

/**
 * May this registry declare a CoreMX down now? Only the primary of its cloud, once the CoreMX is
 * suspect; anyone else only after the hard timeout. So one slow or lying observer cannot remove a live
 * CoreMX early, and a dead primary cannot keep a dead CoreMX listed forever.
 */
export function mayDeclareDown(decision: DownDecision): boolean {
  const suspectAfter = decision.suspectAfterMs ?? GOSSIP_DEFAULTS.suspectAfterMs;
  const hardTimeout = decision.hardTimeoutMs ?? GOSSIP_DEFAULTS.coremxHardTimeoutMs;
  if (decision.silentForMs >= hardTimeout) return true;
  return decision.primaryOfCloud === decision.self && decision.silentForMs >= suspectAfter;
}

/**
 * The versioned down verdict: the same incarnation, one step further, state `down`. A CASH that comes
 * back reports a new incarnation, which outranks the verdict.
 */
export function downVerdict(entry: Versioned<CoreMxEntry>, informer: string): Versioned<CoreMxEntry> {
  const value: CoreMxEntry = { ...resolve(entry), state: 'down' };
  const version = { incarnation: entry.version.incarnation, seq: entry.version.seq + 1 };
  return report(value, version, informer);
}
