import type { GossipNode, Outgoing } from './gossip-node';

/** A small deterministic PRNG (mulberry32), so a failing schedule can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface NetworkFaults {
  /** Probability a message is lost. */
  loss: number;
  /** Probability a message is delivered twice. */
  duplication: number;
  /** Largest delay in steps; random delays reorder messages. */
  maxDelaySteps: number;
}

interface InFlight {
  deliverAt: number;
  to: string;
  /** The message itself, or its JSON when the network serializes (`wire: 'json'`). */
  payload: unknown;
}

/**
 * An in-memory network for tests: messages between GossipNodes with loss, duplication, delay
 * (hence reordering) and partitions, advanced step by step. No timers, no sockets.
 */
export class InMemoryNetwork {
  private readonly nodes = new Map<string, GossipNode>();
  private inFlight: InFlight[] = [];
  private partition: ReadonlyArray<ReadonlySet<string>> | undefined;
  private now = 0;
  delivered = 0;
  dropped = 0;

  /**
   * `wire: 'json'` sends every message as JSON text, exactly as the HTTP transport does; `'object'` hands
   * the message over as a value (still validated field by field on receipt) so property tests can run
   * many thousands of schedules.
   */
  constructor(
    private readonly random: () => number,
    public faults: NetworkFaults = { loss: 0, duplication: 0, maxDelaySteps: 0 },
    private readonly wire: 'json' | 'object' = 'object',
  ) {}

  /** Steps taken so far: the network's clock (give nodes `now: () => network.time * stepMs`). */
  get time(): number {
    return this.now;
  }

  /** Nodes that are crashed neither send nor receive. */
  private readonly crashed = new Set<string>();

  crash(id: string): void {
    this.crashed.add(id);
  }

  restore(id: string): void {
    this.crashed.delete(id);
  }

  add(node: GossipNode): void {
    this.nodes.set(node.id, node);
  }

  /** Splits the nodes into groups that cannot reach each other until `heal`. */
  split(groups: string[][]): void {
    this.partition = groups.map((g) => new Set(g));
  }

  heal(): void {
    this.partition = undefined;
  }

  private reachable(a: string, b: string): boolean {
    return !this.partition || this.partition.some((group) => group.has(a) && group.has(b));
  }

  send(from: string, out: Outgoing): void {
    if (
      this.crashed.has(from) ||
      this.crashed.has(out.to) ||
      !this.reachable(from, out.to) ||
      this.random() < this.faults.loss
    ) {
      this.dropped += 1;
      return;
    }
    const copies = this.random() < this.faults.duplication ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = Math.floor(this.random() * (this.faults.maxDelaySteps + 1));
      const payload = this.wire === 'json' ? JSON.stringify(out.message) : out.message;
      this.inFlight.push({ deliverAt: this.now + delay, to: out.to, payload });
    }
  }

  /** Every node starts a round with a random peer. */
  round(): void {
    const ids = [...this.nodes.keys()];
    for (const node of this.nodes.values()) {
      if (this.crashed.has(node.id)) continue;
      const peers = ids.filter((id) => id !== node.id);
      const peer = peers[Math.floor(this.random() * peers.length)];
      if (peer) this.send(node.id, node.startRound(peer));
    }
  }

  /** Delivers what is due this step (replies are sent through the same faults). */
  step(): void {
    const due = this.inFlight.filter((m) => m.deliverAt <= this.now);
    this.inFlight = this.inFlight.filter((m) => m.deliverAt > this.now);
    for (const message of due) {
      const node = this.nodes.get(message.to);
      if (!node || this.crashed.has(node.id)) continue;
      this.delivered += 1;
      for (const reply of node.receive(message.payload)) this.send(node.id, reply);
    }
    this.now += 1;
  }

  /** Steps until nothing is in flight (bounded). */
  drain(maxSteps = 1_000): void {
    for (let i = 0; i < maxSteps && this.inFlight.length > 0; i++) this.step();
  }
}
