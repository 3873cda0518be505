import { ConferenceRecords } from './conference-records';
import { alice, bob, coremx, setup } from './conference-service.fixture';
import { RehomingService } from './rehoming.service';

describe('RehomingService (with ConferenceService)', () => {
  it('moves the open conferences of a down CoreMX of its cloud, once, and the old address resolves to the new mixer', async () => {
    const { service, rehoming, source, cash } = setup();
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    source.views = [coremx('coremx-1', 'c1', { liveness: 'down', state: 'down' }), coremx('coremx-2', 'c1')];
    expect(await rehoming.rehomeDown(source.views)).toBe(1);
    expect(cash.reserves[1]).toEqual({
      apiUrl: 'http://coremx-2.test:3300',
      request: expect.objectContaining({
        id: 'standup',
        movedFrom: { coremxId: 'coremx-1', reason: 'coremx-down', participants: [] },
      }),
    });
    expect(await rehoming.rehomeDown(source.views)).toBe(0);
    const answer = await service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx');
    expect([answer.coremxId, answer.address]).toEqual(['coremx-2', 'hoot.mx://standup@coremx-2.c1.hoot.mx']);
  });

  it('sends the roster of the room it had, one entry per identity in join order, and clears it once moved', async () => {
    const { service, rehoming, source, cash, store } = setup();
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob', 'carol'] });
    const r = (await store.get('standup'))!;
    await store.compareAndSet({
      ...r,
      status: 'active',
      participants: 4,
      roster: [
        { participantId: 'p-1', identity: 'alice', role: 'publisher', joinOrder: 1 },
        { participantId: 'p-2', identity: 'bob', role: 'publisher', joinOrder: 2 },
        { participantId: 'p-3', identity: 'carol', role: 'viewer', joinOrder: 3 },
        { participantId: 'p-4', identity: 'bob', role: 'viewer', joinOrder: 4 },
      ],
      rev: r.rev + 1,
    });
    source.views = [coremx('coremx-1', 'c1', { liveness: 'down', state: 'down' }), coremx('coremx-2', 'c1')];
    expect(await rehoming.rehomeDown(source.views)).toBe(1);
    expect(cash.reserves[1].request.movedFrom).toEqual({
      coremxId: 'coremx-1',
      reason: 'coremx-down',
      participants: [
        { identity: 'alice', role: 'publisher' },
        { identity: 'bob', role: 'publisher' },
        { identity: 'carol', role: 'viewer' },
      ],
    });
    expect(await store.get('standup')).toMatchObject({ coremxId: 'coremx-2', participants: 0, roster: [] });
  });

  it('does nothing unless this registry is the primary of its cloud, nor for CoreMX of other clouds', async () => {
    const { service, rehoming, source, cash, setPrimary } = setup();
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: [] });
    source.views = [coremx('coremx-1', 'c1', { liveness: 'down' }), coremx('coremx-2', 'c1')];
    setPrimary(false);
    expect(await rehoming.rehomeDown(source.views)).toBe(0);
    source.views = [coremx('coremx-1', 'c2', { liveness: 'down' }), coremx('coremx-2', 'c1')];
    setPrimary(true);
    expect(await rehoming.rehomeDown(source.views)).toBe(0);
    expect(cash.reserves).toHaveLength(1);
  });

  it("moves a lost cloud's conferences when this registry is that cloud's judge (its deputy), and only then", async () => {
    // This registry is of cloud c2; the conference lives on coremx-1 of cloud c1, whose registries are gone.
    let deputy = false;
    const { service, rehoming, source, cash, store } = setup({
      ownCloud: 'c2',
      isPrimary: () => true,
      judges: (cloud) => cloud === 'c2' || (cloud === 'c1' && deputy),
    });
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    await store.compareAndSet({ ...(await store.get('standup'))!, coremxId: 'coremx-1', rev: 2 });
    source.views = [coremx('coremx-1', 'c1', { liveness: 'down', state: 'down' }), coremx('coremx-9', 'c2')];
    expect(await rehoming.rehomeDown(source.views)).toBe(0);
    deputy = true;
    expect(await rehoming.rehomeDown(source.views)).toBe(1);
    expect(cash.reserves.at(-1)).toEqual({
      apiUrl: 'http://coremx-9.test:3300',
      request: expect.objectContaining({
        id: 'standup',
        movedFrom: expect.objectContaining({ coremxId: 'coremx-1', reason: 'coremx-down' }),
      }),
    });
    // The old address still resolves, to the new mixer.
    const answer = await service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx');
    expect(answer.coremxId).toBe('coremx-9');
  });

  it('two replicas sharing the store re-home each conference exactly once', async () => {
    const a = setup({ createRatePerMin: 100 });
    a.setLimits(undefined);
    for (const id of ['one', 'two', 'three', 'four'])
      await a.service.create(alice, { id, type: 'm2m', allowed: [] });
    const down = [coremx('coremx-1', 'c1', { liveness: 'down' }), coremx('coremx-2', 'c1')];
    a.source.views = down;
    const replica = new RehomingService({
      ...a.options,
      records: new ConferenceRecords(a.store, a.clock),
      instanceId: 'reg-c1-1-b',
    });
    const moved = await Promise.all([a.rehoming.rehomeDown(down), replica.rehomeDown(down)]);
    expect(moved[0] + moved[1]).toBe(4);
    const moves = a.cash.reserves.filter((r) => r.request.movedFrom);
    expect(moves.map((r) => r.request.id).sort()).toEqual(['four', 'one', 'three', 'two']);
  });

  it('keeps the conference where it is and retries later when no CoreMX can take it', async () => {
    const { service, rehoming, source, store } = setup();
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: [] });
    source.views = [
      coremx('coremx-1', 'c1', { liveness: 'down' }),
      coremx('coremx-2', 'c1', { state: 'draining' }),
    ];
    expect(await rehoming.rehomeDown(source.views)).toBe(0);
    expect(await store.get('standup')).toMatchObject({ coremxId: 'coremx-1', rehomeLease: null });
    source.views = [coremx('coremx-1', 'c1', { liveness: 'down' }), coremx('coremx-2', 'c1')];
    expect(await rehoming.rehomeDown(source.views)).toBe(1);
  });
});
