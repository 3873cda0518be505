import { deltaFor, digestOf, mergeGcas, type CoreMxEntry, type Gcas, type RegistryMeta } from './gcas';
import { GOSSIP_DEFAULTS, type GossipTunables } from './gossip-defaults';
import { parseGossipMessage, validateGossipMessage, type GossipMessage } from './gossip-message';
import { downVerdict, judgeOf, LivenessTracker, mayDeclareDown, primaryOf, type Liveness } from './liveness';
import {
  compareVersions,
  endorse,
  report,
  resolve,
  resolveKey,
  type Version,
  type Versioned,
} from './versioned';

/** What a node wants sent: a message for one peer (serialize it with `JSON.stringify` on a real wire). */
export interface Outgoing {
  readonly to: string;
  readonly message: GossipMessage;
}

/** Something this node decided or refused, for the adapter to log and count. */
export type GossipNotice =
  | { kind: 'rejected-message'; from?: string; reason: string }
  | { kind: 'rejected-verdict'; from: string; registryId: string; coremxId: string; reason: string }
  | { kind: 'declared-down'; registryId: string; coremxId: string; silentForMs: number; reason: string };

export interface GossipNodeOptions {
  /** This registry's incarnation (advance it on every restart that loses the heartbeat counter). */
  incarnation: number;
  /** Heartbeat seq to continue from (a restarted registry that kept its counter). */
  heartbeatSeq?: number;
  /** Local monotonic milliseconds; only elapsed time is used, never compared across registries. */
  now?: () => number;
  tunables?: Partial<GossipTunables>;
  onNotice?: (notice: GossipNotice) => void;
}

const coremxKey = (registryId: string, coremxId: string) => `${registryId}/${coremxId}`;

/**
 * One registry's side of the push-pull exchange, without I/O: feed it local changes and received
 * messages, and send what it returns. A round is `digest →`, `← delta + digest`, `delta →`.
 *
 * Every received message is validated before anything of it is merged; a bad one is dropped and counted.
 * Liveness is tracked from origin-owned versions by this node's own clock. A `down` value for a CoreMX
 * is accepted only if it comes from the registry the CoreMX reports through, from the primary of that
 * registry's cloud, or once this node itself has not heard from the CoreMX for the hard timeout: so
 * one slow or lying observer cannot remove a live CoreMX early.
 */
export class GossipNode {
  private state: Gcas;
  private heartbeat: Version;
  private readonly now: () => number;
  private readonly tunables: GossipTunables;
  private readonly registries: LivenessTracker;
  private readonly coremxSeen: LivenessTracker;
  private readonly onNotice: (notice: GossipNotice) => void;
  rejected = 0;
  lastRejection: string | undefined;

  constructor(
    readonly meta: RegistryMeta,
    options: GossipNodeOptions | number,
  ) {
    const opts: GossipNodeOptions = typeof options === 'number' ? { incarnation: options } : options;
    this.now = opts.now ?? (() => 0);
    this.tunables = { ...GOSSIP_DEFAULTS, ...opts.tunables };
    this.onNotice = opts.onNotice ?? (() => undefined);
    this.registries = new LivenessTracker(this.tunables.suspectAfterMs, this.tunables.deadAfterMs);
    this.coremxSeen = new LivenessTracker(
      this.tunables.coremxSuspectAfterMs,
      this.tunables.coremxHardTimeoutMs,
    );
    this.heartbeat = { incarnation: opts.incarnation, seq: opts.heartbeatSeq ?? 0 };
    this.state = { [meta.registryId]: { meta: report(meta, this.heartbeat, meta.registryId), coremx: {} } };
    this.registries.observe(meta.registryId, this.heartbeat, this.now());
  }

  get id(): string {
    return this.meta.registryId;
  }

  get gcas(): Gcas {
    return this.state;
  }

  get heartbeatVersion(): Version {
    return this.heartbeat;
  }

  /** Advances this registry's own heartbeat version (its liveness signal to the others). */
  beat(seq?: number): void {
    const next = seq ?? this.heartbeat.seq + 1;
    this.heartbeat = { incarnation: this.heartbeat.incarnation, seq: Math.max(next, this.heartbeat.seq + 1) };
    this.mergeIn({ [this.id]: { meta: report(this.meta, this.heartbeat, this.id), coremx: {} } }, this.id);
  }

  /** A CoreMX report arriving from its CASH (version owned by that CASH). Returns false if it is stale. */
  reportCoreMx(entry: CoreMxEntry, version: Version): boolean {
    const held = this.state[this.id].coremx[entry.coremxId];
    if (held && compareVersions(held.version, version) >= 0) return false;
    this.mergeIn(
      {
        [this.id]: {
          meta: this.state[this.id].meta,
          coremx: { [entry.coremxId]: report(entry, version, this.id) },
        },
      },
      this.id,
    );
    return true;
  }

  /** Merges a snapshot (from this registry's own store, e.g. written by a sibling replica). */
  absorb(snapshot: Gcas): void {
    this.mergeIn(snapshot, this.id);
  }

  /** Starts a round with `peer`. */
  startRound(peer: string): Outgoing {
    return { to: peer, message: { type: 'digest', from: this.id, digest: digestOf(this.state) } };
  }

  /**
   * Handles a peer's message (a JSON string off the wire, or an already-parsed value); returns the
   * replies to send. `authenticatedAs`, when the transport knows who sent it, must match `from`.
   */
  receive(raw: unknown, authenticatedAs?: string): Outgoing[] {
    const parsed =
      typeof raw === 'string'
        ? parseGossipMessage(raw, this.tunables.maxMessageBytes)
        : validateGossipMessage(raw);
    if (!parsed.ok) return this.reject(parsed.error);
    const message = parsed.message;
    if (authenticatedAs !== undefined && authenticatedAs !== message.from)
      return this.reject(
        `message.from ${message.from} does not match the sender ${authenticatedAs}`,
        message.from,
      );
    if (message.from === this.id) return [];
    if (message.type === 'digest') {
      return [
        {
          to: message.from,
          message: {
            type: 'delta',
            from: this.id,
            gcas: deltaFor(this.state, message.digest),
            digest: digestOf(this.state),
          },
        },
      ];
    }
    this.mergeIn(this.screenVerdicts(message.gcas, message.from), message.from);
    if (!message.digest) return [];
    const back = deltaFor(this.state, message.digest);
    return Object.keys(back).length
      ? [{ to: message.from, message: { type: 'delta', from: this.id, gcas: back } }]
      : [];
  }

  /** The value this registry believes for a CoreMX. */
  coremx(registryId: string, coremxId: string): CoreMxEntry | undefined {
    const entry = this.state[registryId]?.coremx[coremxId];
    return entry && resolve(entry);
  }

  /** Every registry's meta as this node believes it. */
  registryMetas(): RegistryMeta[] {
    return Object.values(this.state).map((record) => resolve(record.meta));
  }

  registryLiveness(registryId: string): Liveness {
    if (registryId === this.id) return 'alive';
    return this.registries.status(registryId, this.now());
  }

  registrySilentForMs(registryId: string): number | undefined {
    return this.registries.silentForMs(registryId, this.now());
  }

  /** How long the CoreMX's own version has not advanced, by this node's clock. */
  coremxSilentForMs(registryId: string, coremxId: string): number | undefined {
    return this.coremxSeen.silentForMs(coremxKey(registryId, coremxId), this.now());
  }

  /** The primary of `cloud` as this node sees it: its lowest-numbered registry that is not dead. */
  primaryOf(cloud: string): string | undefined {
    return primaryOf(cloud, this.registryMetas(), (id) => this.registryLiveness(id));
  }

  /** Who judges the CoreMX of `cloud` as this node sees it (`judgeOf`: the primary, or a deputy). */
  judgeOf(cloud: string): string | undefined {
    return judgeOf(cloud, this.registryMetas(), (id) => this.registryLiveness(id));
  }

  /**
   * Declares down every CoreMX this node may declare down now (see `mayDeclareDown`): CoreMX of its own
   * cloud when it is that cloud's primary and they are suspect, any CoreMX after the hard timeout.
   * Returns the ones declared.
   */
  sweep(options: { confirmSuspects?: boolean } = {}): Array<{ registryId: string; coremxId: string }> {
    const candidates = this.downCandidates().filter(
      (c) => !options.confirmSuspects || c.silentForMs >= this.tunables.coremxHardTimeoutMs,
    );
    return this.declareDown(candidates);
  }

  /**
   * The CoreMX this node may declare down now (`mayDeclareDown`), with how long each has been silent:
   * suspect ones of clouds this node is primary of, and any after the hard timeout. A registry that
   * confirms suspects first (a probe) passes `confirmSuspects` to `sweep` and declares these itself.
   */
  downCandidates(): Array<{ registryId: string; coremxId: string; silentForMs: number; version: Version }> {
    const found: Array<{ registryId: string; coremxId: string; silentForMs: number; version: Version }> = [];
    for (const [registryId, record] of Object.entries(this.state)) {
      const primary = this.judgeOf(resolve(record.meta).cloud);
      for (const [coremxId, entry] of Object.entries(record.coremx)) {
        if (resolve(entry).state === 'down') continue;
        const silentForMs = this.coremxSilentForMs(registryId, coremxId) ?? 0;
        const decision = {
          self: this.id,
          primaryOfCloud: primary,
          silentForMs,
          suspectAfterMs: this.tunables.coremxSuspectAfterMs,
          hardTimeoutMs: this.tunables.coremxHardTimeoutMs,
        };
        if (mayDeclareDown(decision))
          found.push({ registryId, coremxId, silentForMs, version: entry.version });
      }
    }
    return found;
  }

  /**
   * Declares down those of `candidates` this node still may declare down and that have not reported since
   * (their version is the one given): a report that arrived meanwhile (during a probe) saves the CoreMX.
   */
  declareDown(
    candidates: ReadonlyArray<{ registryId: string; coremxId: string; version?: Version; reason?: string }>,
  ): Array<{ registryId: string; coremxId: string }> {
    const declared: Array<{ registryId: string; coremxId: string }> = [];
    const incoming: Record<
      string,
      { meta: Versioned<RegistryMeta>; coremx: Record<string, Versioned<CoreMxEntry>> }
    > = {};
    const now = this.downCandidates();
    for (const candidate of candidates) {
      const { registryId, coremxId } = candidate;
      const still = now.find((c) => c.registryId === registryId && c.coremxId === coremxId);
      if (!still) continue;
      if (candidate.version && compareVersions(still.version, candidate.version) !== 0) continue;
      const record = this.state[registryId];
      const entry = record.coremx[coremxId];
      const cloud = resolve(record.meta).cloud;
      incoming[registryId] ??= { meta: record.meta, coremx: {} };
      incoming[registryId].coremx[coremxId] = downVerdict(entry, this.id);
      declared.push({ registryId, coremxId });
      this.onNotice({
        kind: 'declared-down',
        registryId,
        coremxId,
        silentForMs: still.silentForMs,
        reason:
          still.silentForMs >= this.tunables.coremxHardTimeoutMs
            ? 'silent for the hard timeout'
            : `suspect, and this registry is the primary of cloud ${cloud}${candidate.reason ? ` (${candidate.reason})` : ''}`,
      });
    }
    if (declared.length) this.mergeIn(incoming, this.id);
    return declared;
  }

  /**
   * Drops, from a peer's delta, `down` values this node must not accept yet: those reported neither by
   * the registry the CoreMX is listed under nor by the primary of its cloud, while this node has heard
   * from the CoreMX within the hard timeout.
   */
  private screenVerdicts(incoming: Gcas, from: string): Gcas {
    // Registries this message tells of count as heard from now (merging records that anyway), so the
    // primary of a cloud is judged with the listing registry itself among the candidates.
    const now = this.now();
    for (const [registryId, record] of Object.entries(incoming))
      this.registries.observe(registryId, record.meta.version, now);
    const metas = new Map(this.registryMetas().map((m) => [m.registryId, m]));
    for (const [registryId, record] of Object.entries(incoming))
      if (!metas.has(registryId)) metas.set(registryId, resolve(record.meta));
    const primaryOfCloud = (cloud: string) =>
      primaryOf(cloud, [...metas.values()], (id) => this.registryLiveness(id));
    let screened:
      | Record<string, { meta: Versioned<RegistryMeta>; coremx: Record<string, Versioned<CoreMxEntry>> }>
      | undefined;
    for (const [registryId, record] of Object.entries(incoming)) {
      for (const [coremxId, entry] of Object.entries(record.coremx)) {
        const held = this.state[registryId]?.coremx[coremxId];
        if (held && compareVersions(entry.version, held.version) <= 0) continue;
        const value = resolve(entry);
        if (value.state !== 'down') continue;
        const informers = entry.candidates[resolveKey(entry)].informers;
        const cloud = resolve((this.state[registryId] ?? record).meta).cloud;
        const primary = primaryOfCloud(cloud);
        const judge = judgeOf(cloud, [...metas.values()], (id) => this.registryLiveness(id));
        // A CoreMX never heard of starts its hard-timeout clock now (a forged verdict must not be the
        // first thing this node learns of it).
        if (this.coremxSilentForMs(registryId, coremxId) === undefined)
          this.coremxSeen.observe(coremxKey(registryId, coremxId), { incarnation: 0, seq: 0 }, this.now());
        const silent = this.coremxSilentForMs(registryId, coremxId) ?? 0;
        const trusted =
          informers.includes(registryId) ||
          (primary !== undefined && informers.includes(primary)) ||
          (judge !== undefined && informers.includes(judge)) ||
          silent >= this.tunables.coremxHardTimeoutMs;
        if (trusted) continue;
        screened ??= Object.fromEntries(
          Object.entries(incoming).map(([id, r]) => [id, { meta: r.meta, coremx: { ...r.coremx } }]),
        );
        delete screened[registryId].coremx[coremxId];
        this.onNotice({
          kind: 'rejected-verdict',
          from,
          registryId,
          coremxId,
          reason: `down verdict informed by ${informers.join(',')}, neither ${registryId} nor the primary ${primary ?? '(none)'} of ${cloud}, and ${coremxId} was heard from ${silent} ms ago`,
        });
      }
    }
    return screened ?? incoming;
  }

  private reject(reason: string, from?: string): Outgoing[] {
    this.rejected += 1;
    this.lastRejection = reason;
    this.onNotice({ kind: 'rejected-message', from, reason });
    return [];
  }

  private mergeIn(incoming: Gcas, _source: string): void {
    const merged = mergeGcas(this.state, incoming);
    const now = this.now();
    // This registry now reports what it believes for every entry that arrived.
    const out: Record<
      string,
      { meta: Versioned<RegistryMeta>; coremx: Record<string, Versioned<CoreMxEntry>> }
    > = {};
    for (const [registryId, record] of Object.entries(merged)) {
      const touched = incoming[registryId];
      if (!touched) {
        out[registryId] = record as (typeof out)[string];
        continue;
      }
      const coremx: Record<string, Versioned<CoreMxEntry>> = { ...record.coremx };
      for (const id of Object.keys(touched.coremx)) {
        coremx[id] = endorse(coremx[id], this.id);
        this.coremxSeen.observe(coremxKey(registryId, id), coremx[id].version, now);
      }
      this.registries.observe(registryId, record.meta.version, now);
      out[registryId] = { meta: endorse(record.meta, this.id), coremx };
    }
    this.state = out;
  }
}
