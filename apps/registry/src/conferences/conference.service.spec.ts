import { ConferenceErrorCode as C, type AccountLimits } from '@hoot/domain';
import { JoinTicketError } from '@hoot/auth-kit';
import { HootException } from '@hoot/service-kit';
import { FakeClock } from '@hoot/testing';
import type { CoreMxView } from '../gcas/registry-node';
import { CashCallError, type CashClient, type ReserveRequest } from './cash.client';
import { ConferenceService, type Caller, type ConferenceServiceOptions } from './conference.service';
import { ConferenceRecords } from './conference-records';
import { ConferenceError } from './conference.error';
import { conferenceProblem } from './conference-problem';
import { RehomingService, type RehomingServiceOptions } from './rehoming.service';
import { InMemoryConferenceStore } from '../testing/in-memory-conference.store';
import { PlacementService } from './placement.service';

const quiet = { info: () => undefined, warn: () => undefined };

function coremx(id: string, cloud: string, over: Partial<CoreMxView> = {}): CoreMxView {
  return {
    coremxId: id,
    address: `${id}.${cloud}.hoot.mx`,
    signalingUrl: `ws://${id}.test:3300/signal`,
    apiUrl: `http://${id}.test:3300`,
    state: 'active',
    load: 0.1,
    rooms: 0,
    participants: 0,
    capacity: 100,
    registryId: `reg-${cloud}-1`,
    cloud,
    version: { incarnation: 1, seq: 1 },
    silentForMs: 100,
    liveness: 'alive',
    ...over,
  };
}

/** CASH service APIs by URL: records reserves and ends; a CoreMX in `full` answers 503. */
class FakeCash implements CashClient {
  readonly reserves: { apiUrl: string; request: ReserveRequest }[] = [];
  readonly ends: { apiUrl: string; id: string; by?: string }[] = [];
  readonly rooms = new Set<string>();
  full = new Set<string>();
  async reserve(apiUrl: string, request: ReserveRequest) {
    if (this.full.has(apiUrl)) throw new CashCallError('unavailable', 'full', 503, 'coremx.overloaded', 7);
    this.reserves.push({ apiUrl, request });
    const key = `${apiUrl}/${request.id}`;
    const created = !this.rooms.has(key);
    this.rooms.add(key);
    return { created };
  }
  async end(apiUrl: string, id: string, by?: string) {
    this.ends.push({ apiUrl, id, by });
  }
}

const alice: Caller = { identity: 'acc_alice', name: 'Alice', accessToken: 'token-alice' };
const bob: Caller = { identity: 'acc_bob', name: 'Bob', accessToken: 'token-bob' };
const mallory: Caller = { identity: 'acc_mallory', name: 'Mallory', accessToken: 'token-mallory' };
const USERS: Record<string, string> = { bob: 'acc_bob', carol: 'acc_carol' };

/** The options of both services of a registry process (they share `records`). */
type Options = ConferenceServiceOptions & RehomingServiceOptions;

function setup(over: Partial<Options> = {}, views?: CoreMxView[]) {
  const clock = new FakeClock();
  const store = new InMemoryConferenceStore();
  const cash = new FakeCash();
  const source = {
    views: views ?? [
      coremx('coremx-1', 'c1'),
      coremx('coremx-2', 'c1', { load: 0.5 }),
      coremx('coremx-9', 'c2'),
    ],
    coremx() {
      return this.views;
    },
  };
  const placement = new PlacementService({ source, cash, ownCloud: 'c1', staleAfterMs: 15_000, log: quiet });
  const issued: Record<string, unknown>[] = [];
  let limits: AccountLimits | undefined = { maxConferences: 3, maxParticipants: 50 };
  let primary = true;
  const options: Options = {
    records: new ConferenceRecords(store, clock),
    placement,
    cash,
    tickets: {
      issue: async (request) => {
        issued.push(request);
        return {
          ticket: `ticket-${issued.length}`,
          ticketId: `t-${issued.length}`,
          expiresAt: '2026-01-01T00:02:00.000Z',
        };
      },
    },
    limitsOf: async () => limits,
    resolveIdentities: async (names) => {
      const ids = new Map<string, string>();
      const unknown: string[] = [];
      for (const n of names) {
        if (n.startsWith('acc_')) continue;
        if (USERS[n]) ids.set(n, USERS[n]);
        else unknown.push(n);
      }
      return { ids, unknown };
    },
    clock,
    ownCloud: 'c1',
    instanceId: 'reg-c1-1-a',
    isPrimary: () => primary,
    webBaseUrl: 'https://reg-c1-1.hoot.mx',
    ticketTtlS: 120,
    createRatePerMin: 5,
    joinRatePerMin: 5,
    log: quiet,
    ...over,
  };
  const service = new ConferenceService(options);
  const rehoming = new RehomingService(options);
  return {
    clock,
    store,
    cash,
    source,
    service,
    rehoming,
    options,
    issued,
    setLimits: (l: AccountLimits | undefined) => (limits = l),
    setPrimary: (p: boolean) => (primary = p),
  };
}

/** The refusal as the API answers it: the edge's mapping of the `ConferenceError` (status, headers). */
async function failure(work: Promise<unknown>): Promise<HootException> {
  try {
    await work;
  } catch (error) {
    if (error instanceof ConferenceError) return conferenceProblem(error);
    throw error;
  }
  throw new Error('expected a HootException');
}

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

describe('ConferenceService: join', () => {
  it('answers with a ticket for the hosting CoreMX, its signaling URL and a web URL; viewers for the invited', async () => {
    const { service, issued } = setup();
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    const answer = await service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx');
    expect(answer).toMatchObject({
      conferenceId: 'standup',
      address: 'hoot.mx://standup@coremx-1.c1.hoot.mx',
      coremxId: 'coremx-1',
      signalingUrl: 'ws://coremx-1.test:3300/signal',
      ticket: 'ticket-1',
      role: 'viewer',
    });
    expect(answer.webUrl.startsWith('https://reg-c1-1.hoot.mx/join/standup#')).toBe(true);
    expect(new URLSearchParams(answer.webUrl.split('#')[1]).get('ticket')).toBe('ticket-1');
    expect(issued[0]).toEqual({
      coremxId: 'coremx-1',
      subject: 'acc_bob',
      conferenceId: 'standup',
      displayName: 'Bob',
      role: 'viewer',
      roomType: 'm2m',
      ttlSeconds: 120,
      subjectToken: 'token-bob',
    });
    const owner = await service.join(alice, 'hoot.mx://standup@coremx-1.c1.hoot.mx');
    expect(owner.role).toBe('publisher');
    expect(issued[1]).not.toHaveProperty('role');
  });

  it('says which part of a malformed address is wrong', async () => {
    const { service } = setup();
    const bad = await failure(service.join(bob, 'hoot.mx://Standup@coremx-1.c1.hoot.mx'));
    expect([bad.status, bad.code, bad.details?.['part']]).toEqual([400, C.AddressInvalid, 'conferenceId']);
    const scheme = await failure(service.join(bob, 'https://standup@coremx-1.c1.hoot.mx'));
    expect(scheme.details?.['part']).toBe('scheme');
  });

  it('answers 404 for an unknown conference, a mixer it never lived on or one not entitled (alike), 410 ended', async () => {
    const { service } = setup();
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    expect((await failure(service.join(bob, 'hoot.mx://nothing@coremx-1.c1.hoot.mx'))).status).toBe(404);
    expect((await failure(service.join(bob, 'hoot.mx://standup@coremx-7.c1.hoot.mx'))).status).toBe(404);
    // A stranger cannot tell a private conference that exists from one that does not: same status, code,
    // message (but for the id it was asked about) and body.
    const shape = (e: HootException, id: string) => ({
      status: e.status,
      code: e.code,
      message: e.message.replace(id, '<id>'),
      details: e.details,
      headers: e.headers,
    });
    const denied = await failure(service.join(mallory, 'hoot.mx://standup@coremx-1.c1.hoot.mx'));
    const unknown = await failure(service.join(mallory, 'hoot.mx://nothing1@coremx-1.c1.hoot.mx'));
    expect(shape(denied, 'standup')).toEqual(shape(unknown, 'nothing1'));
    expect([denied.status, denied.code]).toEqual([404, C.NotFound]);
    await service.end('acc_alice', 'standup');
    const ended = await failure(service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx'));
    expect([ended.status, ended.code]).toEqual([410, C.Ended]);
  });

  it('reopens an idle conference at its first join: on its CoreMX when usable, else placed anew', async () => {
    const { service, store, cash, source } = setup();
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    const idle = async () => {
      const r = (await store.get('standup'))!;
      await store.compareAndSet({ ...r, status: 'idle', participants: 0, rev: r.rev + 1 });
    };
    await idle();
    const again = await service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx');
    expect(again.coremxId).toBe('coremx-1');
    expect(cash.reserves.map((r) => r.apiUrl)).toEqual([
      'http://coremx-1.test:3300',
      'http://coremx-1.test:3300',
    ]);
    expect(cash.reserves[1].request).toMatchObject({
      id: 'standup',
      owner: 'acc_alice',
      allowed: ['acc_alice', 'acc_bob'],
    });
    expect(await store.get('standup')).toMatchObject({ status: 'reserved', coremxId: 'coremx-1' });

    // Its CoreMX drains: the next first join places it elsewhere; the old address still resolves.
    await idle();
    source.views = [coremx('coremx-1', 'c1', { state: 'draining' }), coremx('coremx-2', 'c1')];
    const moved = await service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx');
    expect([moved.coremxId, moved.address]).toEqual(['coremx-2', 'hoot.mx://standup@coremx-2.c1.hoot.mx']);
    expect(await store.get('standup')).toMatchObject({
      status: 'reserved',
      coremxId: 'coremx-2',
      previousMixers: ['coremx-1.c1.hoot.mx'],
    });
    // Not entitled stays not entitled, and nothing is reserved for it.
    await idle();
    const reserves = cash.reserves.length;
    expect((await failure(service.join(mallory, 'hoot.mx://standup@coremx-2.c1.hoot.mx'))).status).toBe(404);
    expect(cash.reserves).toHaveLength(reserves);
    // No CoreMX can take it: 503 + Retry-After, and it stays idle.
    source.views = [
      coremx('coremx-1', 'c1', { state: 'draining' }),
      coremx('coremx-2', 'c1', { liveness: 'down' }),
    ];
    const busy = await failure(service.join(bob, 'hoot.mx://standup@coremx-2.c1.hoot.mx'));
    expect([busy.status, busy.code, busy.headers?.['Retry-After']]).toEqual([503, C.NoCoreMxAvailable, '5']);
    expect((await store.get('standup'))?.status).toBe('idle');
  });

  it('reopens a drained conference with the people of its closed room (same CoreMX), only while fresh', async () => {
    const { service, store, cash, clock } = setup({ joinRatePerMin: 100 });
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    const participants = [
      { identity: 'acc_alice', role: 'publisher' as const },
      { identity: 'acc_bob', role: 'publisher' as const },
    ];
    const drained = async (closedAgoMs: number) => {
      const r = (await store.get('standup'))!;
      const closedAt = new Date(clock.now() - closedAgoMs).toISOString();
      await store.compareAndSet({
        ...r,
        status: 'idle',
        participants: 0,
        returning: { closedAt, participants },
        rev: r.rev + 1,
      });
    };
    await drained(5_000);
    // bob comes back first: the reserve on the same CoreMX carries the roster (no movedFrom).
    const again = await service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx');
    expect(again).toMatchObject({ coremxId: 'coremx-1', role: 'viewer' });
    expect(cash.reserves.map((r) => r.apiUrl)).toEqual([
      'http://coremx-1.test:3300',
      'http://coremx-1.test:3300',
    ]);
    expect(cash.reserves[1].request).toMatchObject({
      id: 'standup',
      owner: 'acc_alice',
      returning: participants,
    });
    expect(cash.reserves[1].request.movedFrom).toBeUndefined();
    // Handed over once: the record no longer holds it.
    expect(await store.get('standup')).toMatchObject({ status: 'reserved', returning: null });

    // A roster older than RETURNING_ROSTER_TTL_MS is not sent: whoever comes now is a new arrival.
    await drained(120_001);
    await service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx');
    expect(cash.reserves).toHaveLength(3);
    expect(cash.reserves[2].request.returning).toBeUndefined();
    expect(await store.get('standup')).toMatchObject({ status: 'reserved', returning: null });
  });

  it('concurrent first joins of an idle conference agree on one room', async () => {
    const { service, store, options } = setup({ joinRatePerMin: 100 });
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    const r = (await store.get('standup'))!;
    await store.compareAndSet({ ...r, status: 'idle', rev: r.rev + 1 });
    const replicaOptions = {
      ...options,
      records: new ConferenceRecords(store, options.clock),
      instanceId: 'reg-c1-1-b',
    };
    const replica = new ConferenceService(replicaOptions);
    const answers = await Promise.all([
      service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx'),
      replica.join(alice, 'hoot.mx://standup@coremx-1.c1.hoot.mx'),
      service.join(alice, 'hoot.mx://standup@coremx-1.c1.hoot.mx'),
    ]);
    expect(new Set(answers.map((a) => a.coremxId))).toEqual(new Set(['coremx-1']));
    expect(await store.get('standup')).toMatchObject({ status: 'reserved', coremxId: 'coremx-1' });
  });

  it('answers 503 + a short Retry-After and failover: true while its CoreMX is suspect or down (a move is under way)', async () => {
    const { service, source } = setup();
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    for (const over of [
      { liveness: 'suspect' as const },
      { liveness: 'down' as const },
      { liveness: 'down' as const, state: 'down' as const },
    ]) {
      source.views = [coremx('coremx-1', 'c1', over), coremx('coremx-2', 'c1')];
      const moving = await failure(service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx'));
      expect([moving.status, moving.code, moving.headers, moving.details]).toEqual([
        503,
        C.CoreMxUnavailable,
        { 'Retry-After': '1' },
        { failover: true },
      ]);
    }
  });

  it('answers 503 + Retry-After while its CoreMX is draining or overloaded', async () => {
    const { service, source } = setup();
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    for (const over of [{ state: 'draining' as const }, { state: 'overloaded' as const }]) {
      source.views = [coremx('coremx-1', 'c1', over), coremx('coremx-2', 'c1')];
      const busy = await failure(service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx'));
      expect([busy.status, busy.code, busy.headers]).toEqual([
        503,
        C.CoreMxUnavailable,
        { 'Retry-After': '5' },
      ]);
    }
  });

  it('answers 503 when the ticket cannot be issued', async () => {
    const { service } = setup({
      tickets: {
        issue: async () => {
          throw new Error('auth unreachable');
        },
      },
    });
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    const failed = await failure(service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx'));
    expect([failed.status, failed.code]).toEqual([503, C.TicketUnavailable]);
  });

  it.each([
    ['auth.subject-revoked', 401, 'token.revoked'],
    ['auth.subject-token-invalid', 401, 'token.revoked'],
    ['auth.subject-disabled', 403, 'token.account-disabled'],
  ])(
    "answers auth's %s refusal of the subject as %i %s (not 503), and passes the caller's token to auth",
    async (authCode, status, code) => {
      const asked: Record<string, unknown>[] = [];
      const { service } = setup({
        tickets: {
          issue: async (request) => {
            asked.push(request);
            throw new JoinTicketError(`join ticket refused (403 ${authCode})`, 'refused', 403, authCode);
          },
        },
      });
      await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
      const failed = await failure(service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx'));
      expect([failed.status, failed.code]).toEqual([status, code]);
      expect(failed.headers?.['Retry-After']).toBeUndefined();
      expect(failed.headers?.['www-authenticate'] ?? 'none').toMatch(
        status === 401 ? /invalid_token/ : /^none$/,
      );
      expect(asked[0]).toMatchObject({ subject: 'acc_bob', subjectToken: 'token-bob' });
    },
  );

  it("still answers 503 for other refusals by auth (its own 403 to this registry is not the user's fault)", async () => {
    const { service } = setup({
      tickets: {
        issue: async () => {
          throw new JoinTicketError(
            'join ticket refused (403 auth.forbidden)',
            'refused',
            403,
            'auth.forbidden',
          );
        },
      },
    });
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    const failed = await failure(service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx'));
    expect([failed.status, failed.code]).toEqual([503, C.TicketUnavailable]);
  });

  it('finds a conference the directory learns a moment after a 404 (misses are not cached), and sees a move within the cache period', async () => {
    const { service, store, clock } = setup();
    expect((await failure(service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx'))).status).toBe(404);
    const other = setup();
    const { record } = await other.service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    await store.compareAndSet({ ...record, rev: 1 });
    expect((await service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx')).coremxId).toBe('coremx-1');
    // Moved by another registry's directory write: seen once the cached lookup is older than a second.
    await store.compareAndSet({
      ...record,
      coremxId: 'coremx-2',
      mixerAddress: 'coremx-2.c1.hoot.mx',
      previousMixers: ['coremx-1.c1.hoot.mx'],
      rev: 2,
    });
    clock.advance(1_001);
    expect((await service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx')).coremxId).toBe('coremx-2');
  });

  it('limits joins per identity with 429', async () => {
    const { service } = setup();
    await service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });
    for (let i = 0; i < 5; i++) await service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx');
    const limited = await failure(service.join(bob, 'hoot.mx://standup@coremx-1.c1.hoot.mx'));
    expect([limited.status, limited.code]).toEqual([429, C.RateLimited]);
  });
});

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
