import { sameGcas, type CoreMxEntry, type RegistryMeta } from './gcas';
import { GossipNode, type GossipNotice } from './gossip-node';
import { InMemoryNetwork, seededRandom } from './in-memory-network';
import { compareVersions, type Version } from './versioned';

const meta = (registryId: string): RegistryMeta => {
  const [, cloud, priority] = registryId.split('-');
  return {
    registryId,
    cloud,
    priority: Number(priority),
    url: `https://${registryId}.hoot.mx`,
    region: cloud,
    latitude: 0,
    longitude: 0,
  };
};
const entry = (coremxId: string, load: number, state: CoreMxEntry['state'] = 'active'): CoreMxEntry => ({
  coremxId,
  address: `${coremxId}.c1.hoot.mx`,
  signalingUrl: `wss://${coremxId}.c1.hoot.mx/signal`,
  state,
  load,
  rooms: 0,
  participants: 0,
  capacity: 100,
});
/** Randomized schedules in the convergence property (issue 4 asks at least 10,000). */
const SCHEDULES = 10_000;
/** Of which this many also go through JSON text, as on the HTTP wire. */
const JSON_SCHEDULES = 300;
const IDS = ['reg-c1-1', 'reg-c1-2', 'reg-c2-1', 'reg-c2-2', 'reg-c3-1'];

/** Runs fault-free rounds until every node holds the same map (bounded); returns the rounds used. */
function settle(network: InMemoryNetwork, nodes: GossipNode[], maxRounds = 60): number {
  network.faults = { loss: 0, duplication: 0, maxDelaySteps: 0 };
  for (let round = 1; round <= maxRounds; round++) {
    network.round();
    network.drain();
    if (nodes.every((n) => sameGcas(n.gcas, nodes[0].gcas))) return round;
  }
  return -1;
}

/** One randomized schedule; returns what went wrong (empty when the properties hold). */
function schedule(seed: number, wire: 'json' | 'object'): string[] {
  const failures: string[] = [];
  const random = seededRandom(seed);
  const size = 3 + Math.floor(random() * 3);
  const nodes = IDS.slice(0, size).map((id) => new GossipNode(meta(id), 1 + Math.floor(random() * 2)));
  const network = new InMemoryNetwork(
    random,
    { loss: random() * 0.3, duplication: random() * 0.2, maxDelaySteps: Math.floor(random() * 4) },
    wire,
  );
  nodes.forEach((n) => network.add(n));
  const newest = new Map<string, Version>();
  const cut = 1 + Math.floor(random() * (size - 1));
  if (random() < 0.5) network.split([IDS.slice(0, cut), IDS.slice(cut, size)]);
  const steps = 5 + Math.floor(random() * 10);
  for (let step = 0; step < steps; step++) {
    if (random() < 0.6) {
      const origin = nodes[Math.floor(random() * size)];
      const coremxId = `coremx-${1 + Math.floor(random() * 3)}`;
      const key = `${origin.id}/${coremxId}`;
      const last = newest.get(key) ?? { incarnation: 1, seq: 0 };
      const version =
        random() < 0.1 ? { incarnation: last.incarnation + 1, seq: 0 } : { ...last, seq: last.seq + 1 };
      newest.set(key, version);
      origin.reportCoreMx(entry(coremxId, Math.round(random() * 10) / 10), version);
    }
    if (random() < 0.3) nodes[Math.floor(random() * size)].beat();
    network.round();
    network.step();
    // Never older over newer: no node ever holds a version above what its origin issued.
    for (const node of nodes)
      for (const [registryId, record] of Object.entries(node.gcas))
        for (const [coremxId, held] of Object.entries(record.coremx)) {
          const issued = newest.get(`${registryId}/${coremxId}`);
          if (!issued || compareVersions(held.version, issued) > 0)
            failures.push(`seed ${seed}: ${node.id} holds a version never issued for ${coremxId}`);
        }
  }
  network.heal();
  if (settle(network, nodes) < 0) failures.push(`seed ${seed}: did not converge`);
  for (const [key, version] of newest) {
    const [registryId, coremxId] = key.split('/');
    for (const node of nodes) {
      const held = node.gcas[registryId]?.coremx[coremxId]?.version;
      if (!held || compareVersions(held, version) !== 0)
        failures.push(`seed ${seed}: ${node.id} holds an older ${key}`);
    }
  }
  return failures;
}

describe('GossipNode over the in-memory network', () => {
  it('spreads a CoreMX registered at one registry to every registry', () => {
    const network = new InMemoryNetwork(seededRandom(7), undefined, 'json');
    const nodes = IDS.map((id) => new GossipNode(meta(id), 1));
    nodes.forEach((n) => network.add(n));
    nodes[0].reportCoreMx(entry('coremx-1', 0.3), { incarnation: 1, seq: 1 });
    expect(settle(network, nodes)).toBeGreaterThan(0);
    for (const node of nodes) expect(node.coremx('reg-c1-1', 'coremx-1')?.load).toBe(0.3);
  });

  it('drops and counts a malformed or oversized peer message without merging it', () => {
    const notices: GossipNotice[] = [];
    const node = new GossipNode(meta('reg-c1-1'), { incarnation: 1, onNotice: (n) => notices.push(n) });
    const before = node.gcas;
    expect(node.receive('{"type":"delta","from":"reg-c2-1","gcas":{"reg-c2-1":{"meta":{}}}}')).toEqual([]);
    expect(node.receive('x'.repeat(2_000_000))).toEqual([]);
    expect(node.receive({ type: 'digest', from: 'not a registry', digest: {} })).toEqual([]);
    expect(node.rejected).toBe(3);
    expect(notices.map((n) => n.kind)).toEqual(['rejected-message', 'rejected-message', 'rejected-message']);
    expect(node.lastRejection).toMatch(/message.from/);
    expect(node.gcas).toBe(before);
  });

  it('refuses a message whose claimed sender is not the authenticated one', () => {
    const node = new GossipNode(meta('reg-c1-1'), 1);
    const peer = new GossipNode(meta('reg-c2-1'), 1);
    expect(node.receive(JSON.stringify(peer.startRound('reg-c1-1').message), 'reg-c3-1')).toEqual([]);
    expect(node.lastRejection).toMatch(/does not match the sender reg-c3-1/);
    expect(node.receive(JSON.stringify(peer.startRound('reg-c1-1').message), 'reg-c2-1')).toHaveLength(1);
  });

  it('ignores a CoreMX report older than the one it holds', () => {
    const node = new GossipNode(meta('reg-c1-1'), 1);
    expect(node.reportCoreMx(entry('coremx-1', 0.5), { incarnation: 2, seq: 4 })).toBe(true);
    expect(node.reportCoreMx(entry('coremx-1', 0.9), { incarnation: 2, seq: 3 })).toBe(false);
    expect(node.reportCoreMx(entry('coremx-1', 0.9), { incarnation: 1, seq: 99 })).toBe(false);
    expect(node.coremx('reg-c1-1', 'coremx-1')?.load).toBe(0.5);
  });

  it(`converges in ${SCHEDULES} randomized schedules with loss, duplication, reordering and healed partitions, never going back to an older version`, () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= SCHEDULES && failures.length === 0; seed++)
      failures.push(...schedule(seed, 'object'));
    expect(failures).toEqual([]);
  });

  it(`converges the same way with every message sent as JSON text (${JSON_SCHEDULES} schedules)`, () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= JSON_SCHEDULES && failures.length === 0; seed++)
      failures.push(...schedule(seed, 'json'));
    expect(failures).toEqual([]);
  });
});
