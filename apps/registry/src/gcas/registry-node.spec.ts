import type { GossipMessage } from '@hoot/gossip';
import { eventually } from '@hoot/testing';
import type { GcasStore } from '@hoot/mongo';
import { InMemoryGcasStore } from '../testing/in-memory-gcas.store';
import { RegistryNode, type CoreMxView, type PeerTransport } from './registry-node';

/** Peers by URL, calling each other's `receive` directly. */
class LoopbackTransport implements PeerTransport {
  readonly nodes = new Map<string, RegistryNode>();
  down = new Set<string>();
  async exchange(peerUrl: string, message: GossipMessage): Promise<GossipMessage[]> {
    const peer = this.nodes.get(peerUrl);
    if (!peer || this.down.has(peerUrl)) throw new Error(`${peerUrl} unreachable`);
    return peer.receive(JSON.parse(JSON.stringify(message)), message.from);
  }
}

const quiet = { info: () => undefined, warn: () => undefined };
const tunables = {
  exchangeIntervalMs: 60_000,
  changeDebounceMs: 0,
  suspectAfterMs: 5_000,
  deadAfterMs: 15_000,
  coremxSuspectAfterMs: 5_000,
  coremxHardTimeoutMs: 60_000,
};
const entry = (coremxId: string, load = 0.2) => ({
  coremxId,
  address: `${coremxId}.c1.hoot.mx`,
  signalingUrl: `wss://${coremxId}.c1.hoot.mx/signal`,
  state: 'active' as const,
  load,
  rooms: 0,
  participants: 0,
  capacity: 10,
});

function makeNode(registryId: string, store: GcasStore, transport: LoopbackTransport, peers: string[]) {
  const [, cloud, priority] = registryId.split('-');
  const url = `http://${registryId}`;
  const node = new RegistryNode({
    meta: { registryId, cloud, priority: Number(priority), url, region: cloud, latitude: 0, longitude: 0 },
    peers,
    store,
    transport,
    tunables,
    log: quiet,
  });
  transport.nodes.set(url, node);
  return node;
}

describe('RegistryNode', () => {
  const started: RegistryNode[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((n) => n.stop()));
  });
  const start = async (node: RegistryNode) => {
    started.push(node);
    await node.start();
    return node;
  };

  it('pushes a CASH report to every peer at once and persists it', async () => {
    const transport = new LoopbackTransport();
    const peers = ['http://reg-c1-1', 'http://reg-c1-2', 'http://reg-c2-1'];
    const stores = peers.map(() => new InMemoryGcasStore());
    const nodes = await Promise.all(
      ['reg-c1-1', 'reg-c1-2', 'reg-c2-1'].map((id, i) => start(makeNode(id, stores[i], transport, peers))),
    );
    expect(await nodes[0].reportCoreMx(entry('coremx-1', 0.4), { incarnation: 1, seq: 1 })).toBe(true);
    expect(await nodes[0].reportCoreMx(entry('coremx-1', 0.9), { incarnation: 1, seq: 1 })).toBe(false);
    for (const node of nodes.slice(1)) {
      await eventually(
        async () => expect(node.coremx().map((c) => [c.coremxId, c.load])).toEqual([['coremx-1', 0.4]]),
        {
          description: `${node.id} has coremx-1`,
        },
      );
    }
    await eventually(async () => expect([...stores[0].docs.keys()]).toContain('reg-c1-1/coremx-1'), {
      description: 'persisted',
    });
  });

  it('comes back warm from its store after a restart, and replicas sharing a store converge', async () => {
    const transport = new LoopbackTransport();
    const store = new InMemoryGcasStore();
    const first = await start(makeNode('reg-c1-1', store, transport, []));
    await first.reportCoreMx(entry('coremx-1'), { incarnation: 3, seq: 7 });
    await first.tick();
    await first.stop();
    const restarted = await start(makeNode('reg-c1-1', store, transport, []));
    expect(restarted.counters.restoredEntries).toBeGreaterThan(1);
    expect(restarted.coremx().map((c) => [c.coremxId, c.version])).toEqual([
      ['coremx-1', { incarnation: 3, seq: 7 }],
    ]);

    const replica = await start(makeNode('reg-c1-1', store, new LoopbackTransport(), []));
    await replica.reportCoreMx(entry('coremx-2'), { incarnation: 1, seq: 1 });
    // A tick joins one in progress: two make sure a whole fresh one ran after the report.
    for (const n of [replica, replica, restarted, restarted]) await n.tick();
    expect(restarted.coremx().map((c) => c.coremxId)).toEqual(['coremx-1', 'coremx-2']);
  });

  it('marks a CoreMX down at once when told first-hand (pod deleted), and lists each CoreMX once', async () => {
    const transport = new LoopbackTransport();
    const node = await start(makeNode('reg-c1-1', new InMemoryGcasStore(), transport, []));
    await node.reportCoreMx(entry('coremx-1'), { incarnation: 1, seq: 1 });
    expect(node.markDown('coremx-1', 'pod deleted')).toBe(true);
    expect(node.markDown('coremx-1', 'pod deleted')).toBe(false);
    expect(node.markDown('coremx-unknown', 'pod deleted')).toBe(false);
    expect(node.coremx()).toEqual([
      expect.objectContaining({ coremxId: 'coremx-1', state: 'down', liveness: 'down' }),
    ]);
    // The CASH comes back (new incarnation): active again.
    await node.reportCoreMx(entry('coremx-1'), { incarnation: 2, seq: 0 });
    expect(node.coremx()).toEqual([expect.objectContaining({ coremxId: 'coremx-1', state: 'active' })]);
  });

  it('coremxById shows one CoreMX exactly as coremx() lists it (newest report across registries)', async () => {
    const transport = new LoopbackTransport();
    const a = await start(makeNode('reg-c1-1', new InMemoryGcasStore(), transport, []));
    await a.reportCoreMx(entry('coremx-1'), { incarnation: 1, seq: 1 });
    await a.reportCoreMx(entry('coremx-2'), { incarnation: 1, seq: 1 });
    expect(a.markDown('coremx-2', 'pod deleted')).toBe(true);
    // The same CoreMX listed by a second registry with a newer report: that one wins in both.
    const b = await start(makeNode('reg-c1-2', new InMemoryGcasStore(), transport, []));
    await b.reportCoreMx(entry('coremx-1'), { incarnation: 2, seq: 0 });
    await b.stop();
    // silentForMs runs on the real clock between the two calls: compared apart.
    const still = (v: CoreMxView | undefined) => v && { ...v, silentForMs: v.silentForMs === null };
    for (const id of ['coremx-1', 'coremx-2'])
      expect(still(a.coremxById(id))).toEqual(still(a.coremx().find((c) => c.coremxId === id)));
    expect(a.coremxById('coremx-2')).toMatchObject({ state: 'down', liveness: 'down' });
    for (const id of ['coremx-9', '__proto__', 'constructor']) expect(a.coremxById(id)).toBeUndefined();
  });

  it('counts a failed round without throwing, and reports itself primary of its cloud', async () => {
    const transport = new LoopbackTransport();
    const node = await start(makeNode('reg-c1-2', new InMemoryGcasStore(), transport, ['http://reg-c9-1']));
    await node.tick();
    expect(node.counters.roundsFailed).toBeGreaterThan(0);
    expect(node.registries()).toEqual([
      expect.objectContaining({ registryId: 'reg-c1-2', primary: true, self: true }),
    ]);
  });
});
