import type { CoreMxEntry, RegistryMeta } from './gcas';
import { GOSSIP_DEFAULTS } from './gossip-defaults';
import { GossipNode, type GossipNotice } from './gossip-node';

const meta: RegistryMeta = {
  registryId: 'reg-c1-1',
  cloud: 'c1',
  priority: 1,
  url: 'https://reg-c1-1.hoot.mx',
  region: 'c1',
  latitude: 0,
  longitude: 0,
};
const entry: CoreMxEntry = {
  coremxId: 'coremx-1',
  address: 'coremx-1.c1.hoot.mx',
  signalingUrl: 'wss://coremx-1.c1.hoot.mx/signal',
  state: 'active',
  load: 0.2,
  rooms: 1,
  participants: 3,
  capacity: 100,
};

function primary() {
  let now = 0;
  const notices: GossipNotice[] = [];
  const node = new GossipNode(meta, { incarnation: 1, now: () => now, onNotice: (n) => notices.push(n) });
  node.reportCoreMx(entry, { incarnation: 1, seq: 1 });
  return {
    node,
    notices,
    advance: (ms: number) => {
      now += ms;
      node.beat();
    },
    state: () => node.coremx('reg-c1-1', 'coremx-1')?.state,
  };
}

describe('down verdicts confirmed by the registry (a probe between suspicion and verdict)', () => {
  it('suspects a CoreMX after coremxSuspectAfterMs of silence, not the registries’ suspectAfterMs', () => {
    const p = primary();
    p.advance(GOSSIP_DEFAULTS.coremxSuspectAfterMs - 1);
    expect(p.node.downCandidates()).toEqual([]);
    p.advance(1);
    expect(p.node.downCandidates()).toEqual([
      {
        registryId: 'reg-c1-1',
        coremxId: 'coremx-1',
        silentForMs: GOSSIP_DEFAULTS.coremxSuspectAfterMs,
        version: { incarnation: 1, seq: 1 },
      },
    ]);
    expect(GOSSIP_DEFAULTS.coremxSuspectAfterMs).toBeLessThan(GOSSIP_DEFAULTS.suspectAfterMs);
  });

  it('sweep({confirmSuspects}) leaves suspects to the caller and still applies the hard timeout', () => {
    const p = primary();
    p.advance(GOSSIP_DEFAULTS.coremxSuspectAfterMs * 2);
    expect(p.node.sweep({ confirmSuspects: true })).toEqual([]);
    expect(p.state()).toBe('active');
    p.advance(GOSSIP_DEFAULTS.coremxHardTimeoutMs);
    expect(p.node.sweep({ confirmSuspects: true })).toEqual([
      { registryId: 'reg-c1-1', coremxId: 'coremx-1' },
    ]);
    expect(p.state()).toBe('down');
  });

  it('declareDown declares a candidate whose version did not move, with the reason given', () => {
    const p = primary();
    p.advance(GOSSIP_DEFAULTS.coremxSuspectAfterMs);
    const [candidate] = p.node.downCandidates();
    expect(p.node.declareDown([{ ...candidate, reason: 'probe: connection refused' }])).toHaveLength(1);
    expect(p.state()).toBe('down');
    expect(p.notices.filter((n) => n.kind === 'declared-down')).toEqual([
      expect.objectContaining({
        reason: 'suspect, and this registry is the primary of cloud c1 (probe: connection refused)',
      }),
    ]);
  });

  it('a report arriving during the probe saves the CoreMX: no verdict on a version that moved', () => {
    const p = primary();
    p.advance(GOSSIP_DEFAULTS.coremxSuspectAfterMs);
    const [candidate] = p.node.downCandidates();
    // The CASH's report was stuck behind a stall and lands while the probe runs.
    p.node.reportCoreMx(entry, { incarnation: 1, seq: 2 });
    expect(p.node.declareDown([candidate])).toEqual([]);
    expect(p.state()).toBe('active');
    // Nor can anyone declare a CoreMX that is not a candidate (alive, or not this node's to judge).
    expect(p.node.declareDown([{ registryId: 'reg-c1-1', coremxId: 'coremx-1' }])).toEqual([]);
    expect(p.node.declareDown([{ registryId: 'reg-c9-9', coremxId: 'nope' }])).toEqual([]);
  });
});
