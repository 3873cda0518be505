import { deltaFor, digestOf, mergeGcas, type CoreMxEntry, type Gcas, type RegistryMeta } from './gcas';
import { parseGossipMessage, type GossipMessage } from './gossip-message';
import { endorse, report, resolve, type Version, type Versioned } from './versioned';

/** What a node wants sent: a serialized message for one peer. */
export interface Outgoing {
  readonly to: string;
  readonly payload: string;
}

/**
 * One registry's side of the push-pull exchange, without I/O: feed it local changes and received
 * payloads, and send what it returns. A round is `digest →`, `← delta + digest`, `delta →`.
 * Every received payload is validated before anything of it is merged; a bad one is dropped and counted.
 */
export class GossipNode {
  private state: Gcas;
  private heartbeat: Version;
  rejected = 0;
  lastRejection: string | undefined;

  constructor(
    readonly meta: RegistryMeta,
    incarnation: number,
  ) {
    this.heartbeat = { incarnation, seq: 0 };
    this.state = { [meta.registryId]: { meta: report(meta, this.heartbeat, meta.registryId), coremx: {} } };
  }

  get id(): string {
    return this.meta.registryId;
  }

  get gcas(): Gcas {
    return this.state;
  }

  /** Advances this registry's own heartbeat version (its liveness signal to the others). */
  beat(): void {
    this.heartbeat = { incarnation: this.heartbeat.incarnation, seq: this.heartbeat.seq + 1 };
    this.mergeIn({ [this.id]: { meta: report(this.meta, this.heartbeat, this.id), coremx: {} } });
  }

  /** A CoreMX report arriving from its CASH (version owned by that CASH). */
  reportCoreMx(entry: CoreMxEntry, version: Version): void {
    this.mergeIn({
      [this.id]: {
        meta: this.state[this.id].meta,
        coremx: { [entry.coremxId]: report(entry, version, this.id) },
      },
    });
  }

  /** Starts a round with `peer`. */
  startRound(peer: string): Outgoing {
    return this.send(peer, { type: 'digest', from: this.id, digest: digestOf(this.state) });
  }

  /** Handles a peer's payload; returns the replies to send. */
  receive(payload: string): Outgoing[] {
    const parsed = parseGossipMessage(payload);
    if (!parsed.ok) {
      this.rejected += 1;
      this.lastRejection = parsed.error;
      return [];
    }
    const message = parsed.message;
    if (message.from === this.id) return [];
    if (message.type === 'digest') {
      return [
        this.send(message.from, {
          type: 'delta',
          from: this.id,
          gcas: deltaFor(this.state, message.digest),
          digest: digestOf(this.state),
        }),
      ];
    }
    this.mergeIn(message.gcas);
    if (!message.digest) return [];
    const back = deltaFor(this.state, message.digest);
    return Object.keys(back).length
      ? [this.send(message.from, { type: 'delta', from: this.id, gcas: back })]
      : [];
  }

  /** The value this registry believes for a CoreMX. */
  coremx(registryId: string, coremxId: string): CoreMxEntry | undefined {
    const entry = this.state[registryId]?.coremx[coremxId];
    return entry && resolve(entry);
  }

  private mergeIn(incoming: Gcas): void {
    const merged = mergeGcas(this.state, incoming);
    // This registry now reports what it believes for every entry that arrived.
    const out: Record<
      string,
      { meta: Versioned<RegistryMeta>; coremx: Record<string, Versioned<CoreMxEntry>> }
    > = {};
    for (const [registryId, record] of Object.entries(merged)) {
      const touched = incoming[registryId];
      const coremx: Record<string, Versioned<CoreMxEntry>> = { ...record.coremx };
      if (touched) for (const id of Object.keys(touched.coremx)) coremx[id] = endorse(coremx[id], this.id);
      out[registryId] = { meta: touched ? endorse(record.meta, this.id) : record.meta, coremx };
    }
    this.state = out;
  }

  private send(to: string, message: GossipMessage): Outgoing {
    return { to, payload: JSON.stringify(message) };
  }
}
