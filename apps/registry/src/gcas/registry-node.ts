import {
  GossipNode,
  canonical,
  downVerdict,
  resolve,
  validateGossipMessage,
  type CoreMxEntry,
  type Gcas,
  type GossipMessage,
  type GossipNotice,
  type GossipTunables,
  type Liveness,
  type RegistryMeta,
  type RegistryRecord,
  type Version,
  type Versioned,
} from '@hoot/gossip';
import type { GcasStore } from '@hoot/mongo';

/** Sends one gossip message to a peer registry URL and returns the messages it answered with. */
export interface PeerTransport {
  exchange(peerUrl: string, message: GossipMessage): Promise<GossipMessage[]>;
}

export interface RegistryNodeLog {
  info(data: Record<string, unknown>, message: string): void;
  warn(data: Record<string, unknown>, message: string): void;
}

export interface RegistryNodeCounters {
  roundsOk: number;
  roundsFailed: number;
  rejectedMessages: number;
  rejectedVerdicts: number;
  declaredDown: number;
  restoredEntries: number;
  storeConflicts: number;
}

export interface RegistryNodeOptions {
  meta: RegistryMeta;
  /** Well-known URLs of every registry node (its own URL is skipped). */
  peers: readonly string[];
  store: GcasStore;
  transport: PeerTransport;
  tunables: Pick<
    GossipTunables,
    | 'exchangeIntervalMs'
    | 'changeDebounceMs'
    | 'suspectAfterMs'
    | 'deadAfterMs'
    | 'coremxSuspectAfterMs'
    | 'coremxHardTimeoutMs'
  >;
  /**
   * Asks a suspect CoreMX's CASH directly whether it is alive (its `/health/live`). With a probe, the
   * primary of a cloud declares a suspect CoreMX down only when the probe fails and no report came in
   * meanwhile: a registry whose own event loop stalled, or whose reports were delayed, does not remove a
   * live CoreMX. Without one, suspicion alone is enough (the gossip default).
   */
  probe?: CoreMxProbe;
  /** How often suspects are looked for and probed (default 250 ms). */
  coremxCheckIntervalMs?: number;
  /** Told when this node declared a CoreMX down (the re-homing starts at once rather than at its next round). */
  onDeclaredDown?: (coremxId: string) => void;
  /** Local monotonic milliseconds. */
  now?: () => number;
  random?: () => number;
  log: RegistryNodeLog;
}

/** The answer of a CASH to a liveness probe: `reason` says why it is taken as dead. */
export type CoreMxProbe = (view: CoreMxView) => Promise<{ ok: true } | { ok: false; reason: string }>;

export interface CoreMxView extends CoreMxEntry {
  registryId: string;
  cloud: string;
  version: Version;
  /** By this registry's clock: how long since the CoreMX's CASH last advanced its version. */
  silentForMs: number | null;
  liveness: 'alive' | 'suspect' | 'down';
}

export interface RegistryView extends RegistryMeta {
  liveness: Liveness;
  primary: boolean;
  self: boolean;
  silentForMs: number | null;
  heartbeat: Version;
  /** Mean load of the active CoreMX listed under it (0 when none). */
  load: number;
  coremx: number;
}

const storeKey = (registryId: string, coremxId?: string) =>
  coremxId ? `${registryId}/${coremxId}` : registryId;

/**
 * One registry node: the pure `GossipNode` plus what needs I/O — the exchange with peers on a timer and
 * (debounced) after a local change, the shared heartbeat counter and GCAS snapshot in MongoDB (so a
 * restarted node comes back warm and several replicas of one node stay identical), and sweeps that
 * declare silent CoreMX down. Nest-free: the app's providers wrap it.
 */
export class RegistryNode {
  private node!: GossipNode;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly storedRevs = new Map<string, { rev: number; value: string }>();
  private timer: NodeJS.Timeout | undefined;
  private watch: NodeJS.Timeout | undefined;
  private lastCheckAt: number | undefined;
  private readonly probing = new Set<string>();
  /** Suspects that answered their probe: not probed again before this (local ms). */
  private readonly answeredUntil = new Map<string, number>();
  private debounce: NodeJS.Timeout | undefined;
  private lastPushAt = -Infinity;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private ready = false;
  readonly counters: RegistryNodeCounters = {
    roundsOk: 0,
    roundsFailed: 0,
    rejectedMessages: 0,
    rejectedVerdicts: 0,
    declaredDown: 0,
    restoredEntries: 0,
    storeConflicts: 0,
  };

  constructor(private readonly options: RegistryNodeOptions) {
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
  }

  get id(): string {
    return this.options.meta.registryId;
  }

  get isReady(): boolean {
    return this.ready;
  }

  private get peerUrls(): string[] {
    const own = this.options.meta.url.replace(/\/$/, '');
    return this.options.peers.map((u) => u.replace(/\/$/, '')).filter((u) => u !== own);
  }

  /** Restores the snapshot and the heartbeat counter from the store, then starts the timers. */
  async start(): Promise<void> {
    const heartbeat = await this.options.store.nextHeartbeat(this.id);
    this.node = new GossipNode(this.options.meta, {
      incarnation: heartbeat.incarnation,
      heartbeatSeq: heartbeat.seq,
      now: this.now,
      tunables: this.options.tunables,
      onNotice: (notice) => this.notice(notice),
    });
    this.counters.restoredEntries = await this.syncStore();
    this.ready = true;
    this.options.log.info(
      { registryId: this.id, restoredEntries: this.counters.restoredEntries, heartbeat },
      'registry node started',
    );
    this.timer = setInterval(() => void this.tick(), this.options.tunables.exchangeIntervalMs);
    this.timer.unref?.();
    if (this.options.probe) {
      this.watch = setInterval(() => this.checkSuspects(), this.checkIntervalMs);
      this.watch.unref?.();
    }
    void this.tick();
  }

  private get checkIntervalMs(): number {
    return this.options.coremxCheckIntervalMs ?? 250;
  }

  /**
   * Probes the suspects this node may declare down (it is the primary of their cloud) and declares
   * those whose probe fails and whose version did not move meanwhile. A round that starts late (this
   * process's event loop stalled) is skipped: reports that queued up during the stall land first.
   */
  checkSuspects(): void {
    const probe = this.options.probe;
    if (this.stopped || !this.ready || !probe) return;
    const now = this.now();
    const late = this.lastCheckAt !== undefined && now - this.lastCheckAt > 2 * this.checkIntervalMs;
    this.lastCheckAt = now;
    if (late) return;
    for (const candidate of this.node.downCandidates()) {
      if (candidate.silentForMs >= this.options.tunables.coremxHardTimeoutMs) continue;
      const key = storeKey(candidate.registryId, candidate.coremxId);
      if (this.probing.has(key) || (this.answeredUntil.get(key) ?? -Infinity) > now) continue;
      const view = this.coremxById(candidate.coremxId);
      if (!view || view.registryId !== candidate.registryId) continue;
      this.probing.add(key);
      void probe(view)
        .catch((error: unknown) => ({ ok: false as const, reason: String(error) }))
        .then((answer) => {
          if (this.stopped) return;
          if (answer.ok) {
            this.answeredUntil.set(key, this.now() + this.options.tunables.coremxSuspectAfterMs);
            this.options.log.info(
              { coremxId: candidate.coremxId, silentForMs: candidate.silentForMs },
              'suspect CoreMX answered its probe: not declared down',
            );
            return;
          }
          const declared = this.node.declareDown([{ ...candidate, reason: `probe: ${answer.reason}` }]);
          if (declared.length) this.localChange();
        })
        .finally(() => this.probing.delete(key));
    }
  }

  /** Stops the timers and writes the map a last time (a graceful stop loses nothing). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.watch) clearInterval(this.watch);
    if (this.debounce) clearTimeout(this.debounce);
    await this.ticking;
    if (!this.ready) return;
    try {
      await this.syncStore();
    } catch (error) {
      this.options.log.warn({ err: String(error) }, 'last GCAS write failed');
    }
  }

  /** One period: heartbeat, sweep, store sync, a round with one random peer (joins one in progress). */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.ticking ??= this.runTick().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async runTick(): Promise<void> {
    try {
      const heartbeat = await this.options.store.nextHeartbeat(this.id);
      this.node.beat(heartbeat.seq);
      this.node.sweep({ confirmSuspects: this.options.probe !== undefined });
      await this.syncStore();
      const peers = this.peerUrls;
      if (peers.length) await this.round(peers[Math.floor(this.random() * peers.length)]);
    } catch (error) {
      this.options.log.warn({ err: String(error) }, 'registry tick failed');
    }
  }

  /** A report from a CASH: merged, persisted, and pushed to every peer at once (debounced). */
  async reportCoreMx(entry: CoreMxEntry, version: Version): Promise<boolean> {
    const accepted = this.node.reportCoreMx(entry, version);
    if (accepted) this.localChange();
    return accepted;
  }

  /** A verdict this registry knows first-hand (its CoreMX pod was deleted): down at once. */
  markDown(coremxId: string, reason: string): boolean {
    let marked = false;
    for (const [registryId, record] of Object.entries(this.node.gcas)) {
      const entry = record.coremx[coremxId];
      if (!entry || resolve(entry).state === 'down') continue;
      this.node.absorb({
        [registryId]: { meta: record.meta, coremx: { [coremxId]: downVerdict(entry, this.id) } },
      });
      marked = true;
      this.counters.declaredDown += 1;
      this.options.log.info({ registryId, coremxId, reason }, 'CoreMX declared down');
    }
    if (marked) this.localChange();
    return marked;
  }

  /** A peer's message (already authenticated as a registry by the HTTP layer). */
  receive(message: unknown, authenticatedAs?: string): GossipMessage[] {
    return this.node.receive(message, authenticatedAs).map((o) => o.message);
  }

  gcas(): Gcas {
    return this.node.gcas;
  }

  registries(): RegistryView[] {
    const gcas = this.node.gcas;
    const metas = this.node.registryMetas();
    const clouds = [...new Set(metas.map((m) => m.cloud))];
    const primaries = new Set(clouds.map((c) => this.node.primaryOf(c)).filter(Boolean));
    return metas
      .map((meta) => {
        const record = gcas[meta.registryId];
        const active = Object.values(record.coremx)
          .map((e) => resolve(e))
          .filter((e) => e.state !== 'down');
        return {
          ...meta,
          liveness: this.node.registryLiveness(meta.registryId),
          primary: primaries.has(meta.registryId),
          self: meta.registryId === this.id,
          silentForMs:
            meta.registryId === this.id ? 0 : (this.node.registrySilentForMs(meta.registryId) ?? null),
          heartbeat: record.meta.version,
          load: active.length ? active.reduce((sum, e) => sum + e.load, 0) / active.length : 0,
          coremx: active.length,
        };
      })
      .sort((a, b) => (a.cloud < b.cloud ? -1 : a.cloud > b.cloud ? 1 : a.priority - b.priority));
  }

  /**
   * Every CoreMX once: a CASH that moved to another registry is listed under both, so the entry with
   * the highest version wins (then a non-down one).
   */
  coremx(): CoreMxView[] {
    const best = new Map<string, CoreMxView>();
    for (const [registryId, record] of Object.entries(this.node.gcas)) {
      const cloud = resolve(record.meta).cloud;
      for (const [coremxId, entry] of Object.entries(record.coremx)) {
        const view = this.viewOf(registryId, cloud, coremxId, entry);
        const held = best.get(coremxId);
        if (!held || prefer(view, held)) best.set(coremxId, view);
      }
    }
    return [...best.values()].sort((a, b) => (a.coremxId < b.coremxId ? -1 : 1));
  }

  /** Who judges the CoreMX of `cloud` now: its primary, or a deputy when no registry of it is alive. */
  judgeOf(cloud: string): string | undefined {
    return this.node.judgeOf(cloud);
  }

  /** One CoreMX as `coremx()` shows it, without building the others' views (a join reads only its own). */
  coremxById(coremxId: string): CoreMxView | undefined {
    let best: CoreMxView | undefined;
    for (const [registryId, record] of Object.entries(this.node.gcas)) {
      const entry = Object.hasOwn(record.coremx, coremxId) ? record.coremx[coremxId] : undefined;
      if (!entry) continue;
      const view = this.viewOf(registryId, resolve(record.meta).cloud, coremxId, entry);
      if (!best || prefer(view, best)) best = view;
    }
    return best;
  }

  private viewOf(
    registryId: string,
    cloud: string,
    coremxId: string,
    entry: RegistryRecord['coremx'][string],
  ): CoreMxView {
    const value = resolve(entry);
    const silentForMs = this.node.coremxSilentForMs(registryId, coremxId) ?? null;
    return {
      ...value,
      registryId,
      cloud,
      version: entry.version,
      silentForMs,
      liveness:
        value.state === 'down'
          ? 'down'
          : silentForMs !== null && silentForMs >= this.options.tunables.coremxSuspectAfterMs
            ? 'suspect'
            : 'alive',
    };
  }

  private localChange(): void {
    if (this.debounce || this.stopped) return;
    const wait = Math.max(0, this.lastPushAt + this.options.tunables.changeDebounceMs - this.now());
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      this.lastPushAt = this.now();
      void this.pushToAll();
    }, wait);
    this.debounce.unref?.();
  }

  /** Peers first (latency), then the store (the periodic tick would persist it anyway). */
  private async pushToAll(): Promise<void> {
    await Promise.all(this.peerUrls.map((url) => this.round(url)));
    try {
      await this.syncStore();
    } catch (error) {
      this.options.log.warn({ err: String(error) }, 'storing the GCAS failed');
    }
  }

  /** A push-pull round: digest →, ← delta + digest, delta →. */
  private async round(peerUrl: string): Promise<void> {
    try {
      const opening = this.node.startRound('peer').message;
      const answers = await this.options.transport.exchange(peerUrl, opening);
      for (const answer of answers) {
        for (const reply of this.node.receive(answer)) {
          await this.options.transport.exchange(peerUrl, reply.message);
        }
      }
      this.counters.roundsOk += 1;
    } catch (error) {
      this.counters.roundsFailed += 1;
      this.options.log.warn({ peer: peerUrl, err: String(error) }, 'gossip round failed');
    }
  }

  /**
   * Merges the stored snapshot (written by this node before a restart, or by a sibling replica) into
   * memory, then writes back every entry memory knows better. Compare-and-set per entry: a replica that
   * lost a race merges the winner's value next cycle. Returns how many stored entries were read.
   */
  private async syncStore(): Promise<number> {
    const stored = await this.options.store.loadAll();
    const snapshot: Record<
      string,
      { meta?: Versioned<RegistryMeta>; coremx: Record<string, Versioned<CoreMxEntry>> }
    > = {};
    for (const doc of stored) {
      this.storedRevs.set(doc.key, { rev: doc.rev, value: doc.value });
      const [registryId, coremxId] = doc.key.split('/');
      let value: unknown;
      try {
        value = JSON.parse(doc.value);
      } catch {
        this.options.log.warn({ key: doc.key }, 'unreadable stored GCAS entry skipped');
        continue;
      }
      snapshot[registryId] ??= { coremx: {} };
      if (coremxId) snapshot[registryId].coremx[coremxId] = value as Versioned<CoreMxEntry>;
      else snapshot[registryId].meta = value as Versioned<RegistryMeta>;
    }
    const complete: Record<string, RegistryRecord> = {};
    for (const [registryId, record] of Object.entries(snapshot)) {
      const meta = record.meta ?? this.node.gcas[registryId]?.meta;
      if (meta) complete[registryId] = { meta, coremx: record.coremx };
    }
    if (Object.keys(complete).length) {
      // Our own store is validated like a peer: a corrupted document never reaches the map.
      const checked = validateGossipMessage({ type: 'delta', from: this.id, gcas: complete });
      if (checked.ok && checked.message.type === 'delta') this.node.absorb(checked.message.gcas);
      else if (!checked.ok) this.options.log.warn({ error: checked.error }, 'stored GCAS snapshot refused');
    }
    for (const [registryId, record] of Object.entries(this.node.gcas)) {
      await this.write(storeKey(registryId), record.meta);
      for (const [coremxId, entry] of Object.entries(record.coremx))
        await this.write(storeKey(registryId, coremxId), entry);
    }
    return stored.length;
  }

  private async write(key: string, value: Versioned<unknown>): Promise<void> {
    const text = canonical(value);
    const held = this.storedRevs.get(key);
    if (held?.value === text) return;
    const ok = await this.options.store.compareAndSet(key, text, held?.rev ?? 0);
    if (ok) this.storedRevs.set(key, { rev: (held?.rev ?? 0) + 1, value: text });
    else this.counters.storeConflicts += 1;
  }

  private notice(notice: GossipNotice): void {
    if (notice.kind === 'rejected-message') {
      this.counters.rejectedMessages += 1;
      this.options.log.warn({ from: notice.from, reason: notice.reason }, 'peer gossip message rejected');
    } else if (notice.kind === 'rejected-verdict') {
      this.counters.rejectedVerdicts += 1;
      this.options.log.warn({ ...notice }, 'down verdict not accepted');
    } else {
      this.counters.declaredDown += 1;
      this.options.log.info({ ...notice }, 'CoreMX declared down');
      const { coremxId } = notice;
      queueMicrotask(() => this.options.onDeclaredDown?.(coremxId));
    }
  }
}

/** The view `coremx()` keeps when two registries list one CoreMX: the newer report, an up one on a tie. */
function prefer(view: CoreMxView, held: CoreMxView): boolean {
  const order = view.version.incarnation - held.version.incarnation || view.version.seq - held.version.seq;
  return order > 0 || (order === 0 && held.state === 'down' && view.state !== 'down');
}
