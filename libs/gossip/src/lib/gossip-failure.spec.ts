import type { CoreMxEntry, RegistryMeta } from './gcas';
import { GOSSIP_DEFAULTS } from './gossip-defaults';
import type { GossipMessage } from './gossip-message';
import { GossipNode, type GossipNotice } from './gossip-node';
import { InMemoryNetwork, seededRandom } from './in-memory-network';
import { report } from './versioned';

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
const entry = (state: CoreMxEntry['state'] = 'active'): CoreMxEntry => ({
  coremxId: 'coremx-1',
  address: 'coremx-1.c1.hoot.mx',
  signalingUrl: 'wss://coremx-1.c1.hoot.mx/signal',
  state,
  load: 0.2,
  rooms: 1,
  participants: 3,
  capacity: 100,
});
/** Simulated milliseconds per network step. */
const STEP_MS = 250;
const IDS = ['reg-c1-1', 'reg-c1-2', 'reg-c1-3', 'reg-c2-1', 'reg-c2-2'];
const LIAR_SCHEDULES = 60;

function cluster(seed: number, notices: GossipNotice[] = []) {
  const random = seededRandom(seed);
  const network = new InMemoryNetwork(random);
  const nodes = IDS.map(
    (id) =>
      new GossipNode(meta(id), {
        incarnation: 1,
        now: () => network.time * STEP_MS,
        onNotice: (n) => notices.push(n),
      }),
  );
  nodes.forEach((n) => network.add(n));
  return { random, network, nodes, byId: (id: string) => nodes.find((n) => n.id === id)! };
}

/** One simulated second: every node beats and gossips, the primary sweeps. */
function tick(network: InMemoryNetwork, nodes: GossipNode[], crashed: ReadonlySet<string> = new Set()) {
  for (let i = 0; i < 1_000 / STEP_MS; i++) {
    if (i === 0) for (const n of nodes) if (!crashed.has(n.id)) n.beat();
    network.round();
    network.step();
    for (const n of nodes) if (!crashed.has(n.id)) n.sweep();
  }
}

describe('failure detection and down verdicts', () => {
  it('makes the next registry of a cloud primary when its primary dies, and marks the dead one dead', () => {
    const { network, nodes, byId } = cluster(1);
    tick(network, nodes);
    expect(nodes.map((n) => n.primaryOf('c1'))).toEqual(IDS.map(() => 'reg-c1-1'));
    network.crash('reg-c1-1');
    const crashed = new Set(['reg-c1-1']);
    const survivors = nodes.filter((n) => n.id !== 'reg-c1-1');
    let seconds = 0;
    const suspectAt: number[] = [];
    while (survivors.some((n) => n.registryLiveness('reg-c1-1') !== 'dead') && seconds < 60) {
      tick(network, nodes, crashed);
      seconds += 1;
      if (survivors.every((n) => n.registryLiveness('reg-c1-1') === 'suspect')) suspectAt.push(seconds);
    }
    // Suspicion comes before death.
    expect(suspectAt.length).toBeGreaterThan(0);
    expect(survivors.map((n) => n.registryLiveness('reg-c1-1'))).toEqual(survivors.map(() => 'dead'));
    expect(survivors.map((n) => n.primaryOf('c1'))).toEqual(survivors.map(() => 'reg-c1-2'));
    expect(byId('reg-c2-1').primaryOf('c2')).toBe('reg-c2-1');
    // It comes back: the others see it alive and primary again.
    network.restore('reg-c1-1');
    tick(network, nodes);
    tick(network, nodes);
    expect(survivors.map((n) => n.registryLiveness('reg-c1-1'))).toEqual(survivors.map(() => 'alive'));
    expect(nodes.map((n) => n.primaryOf('c1'))).toEqual(IDS.map(() => 'reg-c1-1'));
  });

  it('lets the primary declare a silent CoreMX down once suspect, and everyone accepts its verdict', () => {
    const notices: GossipNotice[] = [];
    const { network, nodes, byId } = cluster(2, notices);
    byId('reg-c1-1').reportCoreMx(entry(), { incarnation: 1, seq: 1 });
    let seconds = 0;
    while (nodes.some((n) => n.coremx('reg-c1-1', 'coremx-1')?.state !== 'down') && seconds < 30) {
      tick(network, nodes);
      seconds += 1;
    }
    expect(nodes.map((n) => n.coremx('reg-c1-1', 'coremx-1')?.state)).toEqual(IDS.map(() => 'down'));
    const declared = notices.filter((n) => n.kind === 'declared-down');
    expect(declared.map((n) => n.kind === 'declared-down' && n.reason)).toEqual([
      'suspect, and this registry is the primary of cloud c1',
    ]);
    // Well before the hard timeout: the primary's verdict, not the timeout, removed it.
    expect(seconds * 1_000).toBeLessThan(GOSSIP_DEFAULTS.coremxHardTimeoutMs);
    // A CASH that comes back reports a new incarnation, which outranks the verdict.
    // (A live CASH keeps reporting, every 500 ms: once a simulated second here.)
    byId('reg-c1-1').reportCoreMx(entry(), { incarnation: 2, seq: 0 });
    tick(network, nodes);
    byId('reg-c1-1').reportCoreMx(entry(), { incarnation: 2, seq: 1 });
    tick(network, nodes);
    expect(nodes.map((n) => n.coremx('reg-c1-1', 'coremx-1')?.state)).toEqual(IDS.map(() => 'active'));
  });

  it(`never lets a slow or lying registry remove a live CoreMX before the hard timeout (${LIAR_SCHEDULES} schedules)`, () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= LIAR_SCHEDULES && failures.length === 0; seed++) {
      const notices: GossipNotice[] = [];
      const { random, network, nodes, byId } = cluster(seed, notices);
      network.faults = {
        loss: random() * 0.3,
        duplication: random() * 0.2,
        maxDelaySteps: Math.floor(random() * 4),
      };
      const owner = byId('reg-c1-1');
      const liar = nodes[1 + Math.floor(random() * (nodes.length - 1))];
      const honest = nodes.filter((n) => n !== liar);
      // The liar may also be slow: cut off from everyone for a while (shorter than the hard timeout).
      const slowFrom = Math.floor(random() * 20);
      const slowFor = Math.floor(random() * 30);
      let seq = 0;
      for (let second = 0; second < 30; second++) {
        if (second === slowFrom) network.split([[liar.id], honest.map((n) => n.id)]);
        if (second === slowFrom + slowFor) network.heal();
        // The CASH keeps reporting through its registry.
        seq += 1;
        owner.reportCoreMx(entry(), { incarnation: 1, seq });
        tick(network, nodes);
        if (random() < 0.5) {
          const forged: GossipMessage = {
            type: 'delta',
            from: liar.id,
            gcas: {
              'reg-c1-1': {
                meta: owner.gcas['reg-c1-1'].meta,
                coremx: {
                  'coremx-1': report(
                    entry('down'),
                    { incarnation: 1, seq: seq + 1 + Math.floor(random() * 100) },
                    liar.id,
                  ),
                },
              },
            },
          };
          for (const target of honest) target.receive(forged, liar.id);
        }
        for (const node of honest) {
          if (node.coremx('reg-c1-1', 'coremx-1')?.state === 'down')
            failures.push(
              `seed ${seed}: ${node.id} took coremx-1 down at second ${second} (liar ${liar.id})`,
            );
        }
      }
      if (!notices.some((n) => n.kind === 'rejected-verdict') && failures.length === 0 && seed === 1)
        failures.push('seed 1: no forged verdict was ever rejected (the schedule tested nothing)');
    }
    expect(failures).toEqual([]);
  });
});
