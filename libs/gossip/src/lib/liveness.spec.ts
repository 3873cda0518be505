import type { CoreMxEntry, RegistryMeta } from './gcas';
import { downVerdict, judgeOf, LivenessTracker, mayDeclareDown, primaryOf, type Liveness } from './liveness';
import { mergeVersioned, report, resolve } from './versioned';

describe('LivenessTracker', () => {
  it('goes alive → suspect → dead as the heartbeat stops advancing', () => {
    const tracker = new LivenessTracker(5_000, 15_000);
    tracker.observe('reg-c1-1', { incarnation: 1, seq: 1 }, 0);
    expect(tracker.status('reg-c1-1', 4_999)).toBe('alive');
    expect(tracker.status('reg-c1-1', 5_000)).toBe('suspect');
    expect(tracker.status('reg-c1-1', 15_000)).toBe('dead');
  });

  it('resets only when the version advances, not when the same version is seen again', () => {
    const tracker = new LivenessTracker(5_000, 15_000);
    tracker.observe('reg-c1-1', { incarnation: 1, seq: 1 }, 0);
    tracker.observe('reg-c1-1', { incarnation: 1, seq: 1 }, 6_000);
    expect(tracker.status('reg-c1-1', 6_000)).toBe('suspect');
    tracker.observe('reg-c1-1', { incarnation: 1, seq: 2 }, 7_000);
    expect(tracker.status('reg-c1-1', 7_000)).toBe('alive');
    tracker.observe('reg-c1-1', { incarnation: 1, seq: 1 }, 20_000);
    expect(tracker.silentForMs('reg-c1-1', 20_000)).toBe(13_000);
  });

  it('treats a never-seen id as dead and refuses inverted timeouts', () => {
    expect(new LivenessTracker().status('reg-c9-1', 0)).toBe('dead');
    expect(() => new LivenessTracker(10, 5)).toThrow(RangeError);
  });
});

describe('primaryOf', () => {
  const metas: RegistryMeta[] = [
    {
      registryId: 'reg-c1-2',
      cloud: 'c1',
      priority: 2,
      url: 'https://reg-c1-2.hoot.mx',
      region: 'c1',
      latitude: 0,
      longitude: 0,
    },
    {
      registryId: 'reg-c1-1',
      cloud: 'c1',
      priority: 1,
      url: 'https://reg-c1-1.hoot.mx',
      region: 'c1',
      latitude: 0,
      longitude: 0,
    },
    {
      registryId: 'reg-c2-1',
      cloud: 'c2',
      priority: 1,
      url: 'https://reg-c2-1.hoot.mx',
      region: 'c2',
      latitude: 0,
      longitude: 0,
    },
  ];

  it('is the lowest-numbered registry of the cloud that is not dead; a suspect one keeps the role', () => {
    expect(primaryOf('c1', metas, () => 'alive')).toBe('reg-c1-1');
    expect(primaryOf('c1', metas, (id) => (id === 'reg-c1-1' ? 'suspect' : 'alive'))).toBe('reg-c1-1');
    expect(primaryOf('c1', metas, (id) => (id === 'reg-c1-1' ? 'dead' : 'alive'))).toBe('reg-c1-2');
    expect(primaryOf('c1', metas, () => 'dead')).toBeUndefined();
  });
});

describe('CoreMX down verdicts', () => {
  it('lets only the primary of the cloud declare a suspect CoreMX down before the hard timeout', () => {
    const base = { primaryOfCloud: 'reg-c1-1', suspectAfterMs: 5_000, hardTimeoutMs: 60_000 };
    expect(mayDeclareDown({ ...base, self: 'reg-c1-1', silentForMs: 5_000 })).toBe(true);
    expect(mayDeclareDown({ ...base, self: 'reg-c1-1', silentForMs: 4_999 })).toBe(false);
    expect(mayDeclareDown({ ...base, self: 'reg-c2-1', silentForMs: 59_999 })).toBe(false);
    expect(mayDeclareDown({ ...base, self: 'reg-c2-1', silentForMs: 60_000 })).toBe(true);
  });

  it('outranks the last report, and is outranked by a restarted CASH (new incarnation)', () => {
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
    const last = report(entry, { incarnation: 4, seq: 10 }, 'reg-c1-1');
    const verdict = downVerdict(last, 'reg-c1-1');
    expect(resolve(mergeVersioned(last, verdict)).state).toBe('down');
    const back = report({ ...entry, rooms: 0 }, { incarnation: 5, seq: 0 }, 'reg-c1-2');
    expect(resolve(mergeVersioned(verdict, back)).state).toBe('active');
  });
});

describe('judgeOf (who judges a cloud’s CoreMX: issue 21, a whole cloud lost)', () => {
  const meta = (registryId: string): RegistryMeta => {
    const [, cloud, priority] = registryId.split('-');
    return {
      registryId,
      cloud,
      priority: Number(priority),
      url: `https://${registryId}`,
      region: cloud,
      latitude: 0,
      longitude: 0,
    };
  };
  const metas = ['reg-c1-1', 'reg-c1-2', 'reg-c2-2', 'reg-c2-1', 'reg-c3-1'].map(meta);
  const with_ = (states: Record<string, Liveness>) => (id: string) => states[id] ?? 'alive';

  it('is the primary while it is alive', () => {
    expect(judgeOf('c1', metas, with_({}))).toBe('reg-c1-1');
    expect(judgeOf('c2', metas, with_({}))).toBe('reg-c2-1');
  });

  it('is the lowest alive registry of the cloud while its primary is suspect (the primary keeps its role)', () => {
    const liveness = with_({ 'reg-c1-1': 'suspect' });
    expect(primaryOf('c1', metas, liveness)).toBe('reg-c1-1');
    expect(judgeOf('c1', metas, liveness)).toBe('reg-c1-2');
  });

  it("is the deputy — the first other cloud's alive primary, by cloud name — when no registry of the cloud is alive", () => {
    expect(judgeOf('c1', metas, with_({ 'reg-c1-1': 'dead', 'reg-c1-2': 'suspect' }))).toBe('reg-c2-1');
    // c2's primary is not alive either: the next cloud's.
    expect(
      judgeOf('c1', metas, with_({ 'reg-c1-1': 'dead', 'reg-c1-2': 'dead', 'reg-c2-1': 'suspect' })),
    ).toBe('reg-c3-1');
    // Every registry of every cloud lost: nobody alive to judge; the (dead) primary is named.
    const allGone = (id: string): Liveness => (id === 'reg-c9-9' ? 'alive' : 'dead');
    expect(judgeOf('c1', metas, allGone)).toBeUndefined();
  });

  it('lets the deputy declare a suspect CoreMX of the lost cloud down, and nobody else before the hard timeout', () => {
    const judge = judgeOf('c1', metas, with_({ 'reg-c1-1': 'dead', 'reg-c1-2': 'dead' }));
    const decide = (self: string) =>
      mayDeclareDown({ self, primaryOfCloud: judge, silentForMs: 6_000, suspectAfterMs: 1_500 });
    expect(metas.map((m) => [m.registryId, decide(m.registryId)])).toEqual([
      ['reg-c1-1', false],
      ['reg-c1-2', false],
      ['reg-c2-2', false],
      ['reg-c2-1', true],
      ['reg-c3-1', false],
    ]);
  });
});
