import { ConferenceErrorCode as C } from '@hoot/domain';
import { JoinTicketError } from '@hoot/auth-kit';
import { HootException } from '@hoot/service-kit';
import { ConferenceRecords } from './conference-records';
import { ConferenceService } from './conference.service';
import { alice, bob, coremx, failure, mallory, setup } from './conference-service.fixture';

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
