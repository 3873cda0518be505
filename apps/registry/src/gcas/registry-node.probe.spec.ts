import { InMemoryGcasStore } from '../testing/in-memory-gcas.store';
import { RegistryNode, type CoreMxProbe } from './registry-node';

const quiet = { info: () => undefined, warn: () => undefined };
const SUSPECT = 1_500;
const entry = {
  coremxId: 'coremx-1',
  address: 'coremx-1.c1.hoot.mx',
  signalingUrl: 'wss://coremx-1.c1.hoot.mx/signal',
  state: 'active' as const,
  load: 0.2,
  rooms: 0,
  participants: 0,
  capacity: 10,
};

/** A probe the spec answers by hand: each call waits for `answer`. */
function manualProbe() {
  const calls: Array<(answer: { ok: true } | { ok: false; reason: string }) => void> = [];
  const probe: CoreMxProbe = () => new Promise((resolve) => calls.push(resolve));
  return { probe, calls };
}

/** Lets the probe's promise chain settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

async function primary(probe?: CoreMxProbe) {
  let now = 10_000;
  const declared: string[] = [];
  const node = new RegistryNode({
    meta: {
      registryId: 'reg-c1-1',
      cloud: 'c1',
      priority: 1,
      url: 'http://reg-c1-1',
      region: 'c1',
      latitude: 0,
      longitude: 0,
    },
    peers: [],
    store: new InMemoryGcasStore(),
    transport: { exchange: async () => [] },
    tunables: {
      exchangeIntervalMs: 3_600_000,
      changeDebounceMs: 0,
      suspectAfterMs: 5_000,
      deadAfterMs: 15_000,
      coremxSuspectAfterMs: SUSPECT,
      coremxHardTimeoutMs: 60_000,
    },
    now: () => now,
    log: quiet,
    ...(probe ? { probe } : {}),
    // The spec drives the rounds itself (timers are fake and never advanced).
    coremxCheckIntervalMs: 250,
    onDeclaredDown: (id) => declared.push(id),
  });
  await node.start();
  await node.reportCoreMx(entry, { incarnation: 1, seq: 1 });
  return {
    node,
    declared,
    /** Time passes with the event loop turning: a round every 250 ms (the last one at the end). */
    async pass(ms: number) {
      for (let t = 0; t < ms; t += 250) {
        now += Math.min(250, ms - t);
        node.checkSuspects();
        await settle();
      }
    },
    /** Time passes with the event loop stalled: no round ran meanwhile. */
    stall(ms: number) {
      now += ms;
    },
    liveness: () => node.coremxById('coremx-1')?.liveness,
  };
}

describe('RegistryNode: suspect CoreMX are probed before they are declared down', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] }));
  afterEach(() => jest.useRealTimers());

  it('a suspect CoreMX takes no joins; it is declared down once its probe fails, and re-homing is told', async () => {
    const { probe, calls } = manualProbe();
    const p = await primary(probe);
    await p.pass(1_250);
    expect([p.liveness(), calls.length]).toEqual(['alive', 0]);
    await p.pass(250);
    expect(p.liveness()).toBe('suspect');
    expect(calls).toHaveLength(1);
    // Probed once at a time: further rounds while the probe runs do not probe again.
    await p.pass(500);
    expect(calls).toHaveLength(1);
    calls[0]({ ok: false, reason: 'ECONNREFUSED' });
    await settle();
    expect(p.liveness()).toBe('down');
    expect(p.declared).toEqual(['coremx-1']);
    expect(p.node.counters.declaredDown).toBe(1);
    await p.node.stop();
  });

  it('a suspect CoreMX that answers its probe is not declared down (and is not probed again at once)', async () => {
    const { probe, calls } = manualProbe();
    const p = await primary(probe);
    await p.pass(1_500);
    calls[0]({ ok: true });
    await settle();
    await p.pass(1_000);
    expect(calls).toHaveLength(1);
    expect(p.liveness()).toBe('suspect');
    expect(p.declared).toEqual([]);
    await p.pass(1_000);
    expect(calls).toHaveLength(2);
    await p.node.stop();
  });

  it('a report landing while the probe runs saves the CoreMX, even if the probe then fails', async () => {
    const { probe, calls } = manualProbe();
    const p = await primary(probe);
    await p.pass(1_500);
    await p.node.reportCoreMx(entry, { incarnation: 1, seq: 2 });
    calls[0]({ ok: false, reason: 'no answer within 1000 ms' });
    await settle();
    expect(p.liveness()).toBe('alive');
    expect(p.declared).toEqual([]);
    await p.node.stop();
  });

  it("no false verdict when this registry's event loop stalls for a second: the late round is skipped and the queued report lands first", async () => {
    const { probe, calls } = manualProbe();
    const p = await primary(probe);
    await p.pass(750);
    // The loop stalls for a second; the CASH's report meanwhile waits in the socket buffer.
    p.stall(1_000);
    p.node.checkSuspects(); // the interval's late firing
    await settle();
    expect(calls).toHaveLength(0);
    await p.node.reportCoreMx(entry, { incarnation: 1, seq: 2 }); // the queued report, read right after
    await p.pass(500);
    expect([calls.length, p.liveness(), p.declared]).toEqual([0, 'alive', []]);
    await p.node.stop();
  });

  it('without a probe, suspicion alone lets the primary declare the CoreMX down at its next round', async () => {
    const p = await primary();
    await p.pass(SUSPECT);
    expect(p.liveness()).toBe('suspect');
    await p.node.tick();
    expect(p.liveness()).toBe('down');
    await p.node.stop();
  });

  it('with a probe, the periodic sweep leaves suspects alone (only the hard timeout applies there)', async () => {
    const { probe } = manualProbe();
    const p = await primary(probe);
    await p.pass(SUSPECT);
    await p.node.tick();
    expect(p.liveness()).toBe('suspect');
    await p.node.stop();
  });
});
