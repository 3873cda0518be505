import { ConferenceErrorCode as C } from '@hoot/domain';
import { alice, bob, coremx, failure, setup } from './conference-service.fixture';

describe('ConferenceService: create', () => {
  it('places on the least loaded CoreMX of its own cloud, reserves there and persists, resolving usernames', async () => {
    const { service, cash, store } = setup();
    const { record, created } = await service.create(alice, {
      id: 'standup',
      type: 'm2m',
      allowed: ['bob', 'carol'],
    });
    expect(created).toBe(true);
    expect(record).toMatchObject({
      conferenceId: 'standup',
      owner: 'acc_alice',
      coremxId: 'coremx-1',
      mixerAddress: 'coremx-1.c1.hoot.mx',
      allowed: ['acc_bob', 'acc_carol'],
      maxParticipants: 50,
      status: 'reserved',
    });
    expect(cash.reserves).toEqual([
      {
        apiUrl: 'http://coremx-1.test:3300',
        request: {
          id: 'standup',
          type: 'm2m',
          owner: 'acc_alice',
          allowed: ['acc_alice', 'acc_bob', 'acc_carol'],
          public: false,
          maxParticipants: 50,
        },
      },
    ]);
    expect(await store.get('standup')).toEqual(record);
  });

  it('is idempotent for the same owner and refuses the id to anyone else with 409', async () => {
    const { service, cash } = setup();
    const first = await service.create(alice, { id: 'standup', type: 'm2m', allowed: [] });
    const again = await service.create(alice, { id: 'standup', type: 'm2m', allowed: [] });
    expect(again).toEqual({ record: first.record, created: false });
    expect(cash.reserves).toHaveLength(1);
    const taken = await failure(service.create(bob, { id: 'standup', type: 'm2m', allowed: [] }));
    expect([taken.status, taken.code]).toEqual([409, C.IdTaken]);
  });

  it("is a creation (201) when the directory writes the room's reservation down before the create does", async () => {
    const { service, cash, store } = setup();
    // CASH's `room.reserved` reaches this registry's directory while the reserve call is still answering.
    const reserve = cash.reserve.bind(cash);
    cash.reserve = async (apiUrl, request) => {
      const answer = await reserve(apiUrl, request);
      const now = '2026-01-01T00:00:00.000Z';
      await store.compareAndSet({
        conferenceId: request.id,
        owner: request.owner ?? null,
        type: request.type,
        allowed: (request.allowed ?? []).filter((a) => a !== request.owner),
        public: request.public ?? false,
        maxParticipants: request.maxParticipants ?? null,
        coremxId: 'coremx-1',
        mixerAddress: 'coremx-1.c1.hoot.mx',
        previousMixers: [],
        status: 'reserved',
        participants: 0,
        roster: [],
        returning: null,
        createdAt: now,
        updatedAt: now,
        endedAt: null,
        applied: { 'coremx-1': 1 },
        reservedEventId: 'evt-1',
        rehomeLease: null,
        rev: 1,
      });
      return answer;
    };
    const first = await service.create(alice, { id: 'standup', type: 'm2m', allowed: [] });
    expect(first.created).toBe(true);
    expect(first.record).toMatchObject({
      conferenceId: 'standup',
      coremxId: 'coremx-1',
      reservedEventId: 'evt-1',
    });
    // Asking again is not a creation: CASH already had the room.
    const again = await service.create(alice, { id: 'standup', type: 'm2m', allowed: [] });
    expect(again.created).toBe(false);
  });

  it('caps maxParticipants by the plan and refuses beyond maxConferences', async () => {
    const { service, setLimits } = setup();
    const small = await service.create(alice, {
      id: 'small',
      type: 'm2m',
      allowed: [],
      settings: { maxParticipants: 10 },
    });
    const big = await service.create(alice, {
      id: 'big',
      type: 'm2m',
      allowed: [],
      settings: { maxParticipants: 500 },
    });
    expect([small.record.maxParticipants, big.record.maxParticipants]).toEqual([10, 50]);
    await service.create(alice, { id: 'third', type: 'p2p', allowed: [] });
    const over = await failure(service.create(alice, { id: 'fourth', type: 'm2m', allowed: [] }));
    expect([over.status, over.code, over.details]).toEqual([403, C.LimitReached, { limit: 3 }]);
    setLimits(undefined);
    expect((await service.create(alice, { id: 'fourth', type: 'm2m', allowed: [] })).created).toBe(true);
  });

  it('refuses unknown usernames with 400 and persists nothing', async () => {
    const { service, store, cash } = setup();
    const bad = await failure(
      service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob', 'nobody'] }),
    );
    expect([bad.status, bad.code, bad.details]).toEqual([400, C.UnknownIdentity, { unknown: ['nobody'] }]);
    expect(store.records.size).toBe(0);
    expect(cash.reserves).toHaveLength(0);
  });

  it('tries the next CoreMX when the chosen one answers 503, and says 503 + Retry-After when none can', async () => {
    const { service, cash } = setup();
    cash.full.add('http://coremx-1.test:3300');
    const { record } = await service.create(alice, { id: 'standup', type: 'm2m', allowed: [] });
    expect(record.coremxId).toBe('coremx-2');
    cash.full.add('http://coremx-2.test:3300');
    cash.full.add('http://coremx-9.test:3300');
    const none = await failure(service.create(alice, { id: 'other', type: 'm2m', allowed: [] }));
    expect([none.status, none.code, none.headers]).toEqual([
      503,
      C.NoCoreMxAvailable,
      { 'Retry-After': '7' },
    ]);
  });

  it('falls back to another cloud only when its own has no eligible CoreMX', async () => {
    const { service } = setup({}, [
      coremx('coremx-1', 'c1', { state: 'draining' }),
      coremx('coremx-2', 'c1', { liveness: 'down' }),
      coremx('coremx-9', 'c2'),
    ]);
    const { record } = await service.create(alice, { id: 'standup', type: 'm2m', allowed: [] });
    expect(record.coremxId).toBe('coremx-9');
  });

  it('re-creates an ended conference on the same CoreMX when it is usable, so its address stays', async () => {
    const { service, cash } = setup();
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: [] });
    await service.end('acc_alice', 'standup');
    const again = await service.create(alice, { id: 'standup', type: 'm2m', allowed: [] });
    expect(again.created).toBe(true);
    expect(again.record).toMatchObject({ coremxId: 'coremx-1', status: 'reserved' });
    expect(cash.reserves.map((r) => r.apiUrl)).toEqual([
      'http://coremx-1.test:3300',
      'http://coremx-1.test:3300',
    ]);
  });

  it('limits creations per identity with 429 and Retry-After', async () => {
    const { service, setLimits } = setup();
    setLimits(undefined);
    for (let i = 0; i < 5; i++) await service.create(alice, { id: `conf-${i}`, type: 'm2m', allowed: [] });
    const limited = await failure(service.create(alice, { id: 'conf-5', type: 'm2m', allowed: [] }));
    expect([limited.status, limited.code, limited.headers]).toEqual([
      429,
      C.RateLimited,
      { 'Retry-After': '60' },
    ]);
    expect((await service.create(bob, { id: 'bobs', type: 'm2m', allowed: [] })).created).toBe(true);
  });
});

describe('ConferenceService: read, list, end (BOLA)', () => {
  it('shows a private conference to its owner and allowed identities only; 404 to anyone else', async () => {
    const { service } = setup();
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    expect((await service.get('acc_alice', 'standup')).conferenceId).toBe('standup');
    expect((await service.get('acc_bob', 'standup')).conferenceId).toBe('standup');
    const hidden = await failure(service.get('acc_mallory', 'standup'));
    const unknown = await failure(service.get('acc_mallory', 'no-such'));
    expect([hidden.status, hidden.code]).toEqual([unknown.status, unknown.code]);
    expect(hidden.code).toBe(C.NotFound);
  });

  it('shows a public conference to anyone signed in', async () => {
    const { service } = setup();
    await service.create(alice, { id: 'town-hall', type: 'p2m', allowed: [], public: true });
    expect((await service.get('acc_mallory', 'town-hall')).public).toBe(true);
  });

  it("lists only the caller's own conferences, paginated", async () => {
    const { service, setLimits } = setup({ createRatePerMin: 100 });
    setLimits(undefined);
    for (const id of ['aaa', 'bbb', 'ccc'])
      await service.create(alice, { id, type: 'm2m', allowed: ['bob'] });
    await service.create(bob, { id: 'bobs', type: 'm2m', allowed: [] });
    const first = await service.list('acc_alice', 2);
    expect(first.items.map((r) => r.conferenceId)).toEqual(['aaa', 'bbb']);
    expect(first.next).toBe('bbb');
    const second = await service.list('acc_alice', 2, first.next!);
    expect([second.items.map((r) => r.conferenceId), second.next]).toEqual([['ccc'], null]);
    expect((await service.list('acc_bob', 10)).items.map((r) => r.conferenceId)).toEqual(['bobs']);
  });

  it('lets only the owner end it: 403 to an allowed identity, 404 to a stranger, CASH told who ended it', async () => {
    const { service, cash, store } = setup();
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    expect((await failure(service.end('acc_bob', 'standup'))).code).toBe(C.NotOwner);
    expect((await failure(service.end('acc_mallory', 'standup'))).code).toBe(C.NotFound);
    expect(cash.ends).toEqual([]);
    await service.end('acc_alice', 'standup');
    expect(cash.ends).toEqual([{ apiUrl: 'http://coremx-1.test:3300', id: 'standup', by: 'acc_alice' }]);
    expect((await store.get('standup'))?.status).toBe('ended');
    await service.end('acc_alice', 'standup');
    expect(cash.ends).toHaveLength(1);
  });
});

describe('ConferenceService: usernames in views', () => {
  const NAMES: Record<string, string> = { acc_alice: 'alice', acc_bob: 'bob', acc_carol: 'carol' };
  const usernamesOf = async (ids: readonly string[]) =>
    new Map(ids.filter((id) => NAMES[id]).map((id) => [id, NAMES[id]] as [string, string]));

  it('names the owner for everyone and the allowed people for the owner only', async () => {
    const asked: string[][] = [];
    const { service } = setup({
      usernamesOf: async (ids) => {
        asked.push([...ids]);
        return usernamesOf(ids);
      },
    });
    const { record } = await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob', 'carol'] });
    expect(await service.usernamesFor(record, 'acc_alice')).toEqual({
      acc_alice: 'alice',
      acc_bob: 'bob',
      acc_carol: 'carol',
    });
    expect(await service.usernamesFor(record, 'acc_bob')).toEqual({ acc_alice: 'alice' });
    expect(asked).toEqual([['acc_alice', 'acc_bob', 'acc_carol'], ['acc_alice']]);
  });

  it('is best effort: no resolver or a failing one leaves the view with ids only', async () => {
    const plain = setup();
    const { record } = await plain.service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    expect(await plain.service.usernamesFor(record, 'acc_alice')).toEqual({});
    const failing = setup({
      usernamesOf: async () => {
        throw new Error('auth is down');
      },
    });
    expect(await failing.service.usernamesFor(record, 'acc_alice')).toEqual({});
  });
});
