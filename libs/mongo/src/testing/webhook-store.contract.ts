import type {
  NewWebhookDelivery,
  WebhookAttemptOutcome,
  WebhookDelivery,
  WebhookStore,
} from '../lib/registry/webhook.store';

/**
 * The contract of the registry's webhook outbox (`WebhookStore` of `@hoot/mongo`), run against the
 * registry's in-memory fake (unit spec) and `MongoWebhookStore` (`libs/mongo/test`). Each `make` gives a
 * fresh, empty outbox; `replica` another store over the same data, as a second replica of the registry
 * node sees it (dispatchers of several replicas share the outbox).
 */
const T0 = new Date('2026-12-01T10:00:00.000Z');
const after = (ms: number) => new Date(T0.getTime() + ms);

export const contractDelivery = (
  eventId: string,
  over: Partial<NewWebhookDelivery> = {},
): NewWebhookDelivery => ({
  accountId: 'acc_alice',
  conferenceId: 'standup',
  eventId,
  eventType: 'room.started',
  position: 1,
  body: JSON.stringify({ id: eventId, type: 'room.started' }),
  createdAt: T0,
  ...over,
});

/** What a delivery looks like right after `enqueue`. */
const fresh = (delivery: NewWebhookDelivery): WebhookDelivery => ({
  ...delivery,
  state: 'pending',
  attempts: 0,
  nextAttemptAt: delivery.createdAt,
  leaseUntil: null,
  lastStatus: null,
  lastError: null,
  lastUrl: null,
  lastAttemptAt: null,
  deadAt: null,
  deadKey: null,
});

const failed = (attempts: number, at: Date): WebhookAttemptOutcome => ({
  attempts,
  status: 503,
  error: 'receiver answered 503',
  url: 'https://example.test/hook',
  at,
});

export function describeWebhookStoreContract(
  name: string,
  make: () => Promise<{ store: WebhookStore; replica: () => WebhookStore }>,
): void {
  describe(`WebhookStore contract: ${name}`, () => {
    let store: WebhookStore;
    let replica: () => WebhookStore;
    beforeEach(async () => {
      ({ store, replica } = await make());
    });

    it("creates an account's webhook, changes its URL keeping generation and createdAt, rotates its secret", async () => {
      expect(await store.getWebhook('acc_alice')).toBeUndefined();
      const created = await store.putWebhook('acc_alice', 'https://a.test/1', 3, T0);
      expect(created).toEqual({
        accountId: 'acc_alice',
        url: 'https://a.test/1',
        generation: 3,
        createdAt: T0,
        updatedAt: T0,
      });
      expect(await store.getWebhook('acc_alice')).toEqual(created);
      const changed = await store.putWebhook('acc_alice', 'https://a.test/2', 9, after(1_000));
      expect(changed).toEqual({ ...created, url: 'https://a.test/2', updatedAt: after(1_000) });
      const rotated = await store.rotateWebhookSecret('acc_alice', after(2_000));
      expect(rotated).toEqual({ ...changed, generation: 4, updatedAt: after(2_000) });
      expect(await store.getWebhook('acc_alice')).toEqual(rotated);
      expect(await store.rotateWebhookSecret('acc_bob', after(2_000))).toBeUndefined();
      expect(await store.getWebhook('acc_bob')).toBeUndefined();
    });

    it('deletes a webhook with every delivery of its account, pending and dead; false when there was none', async () => {
      await store.putWebhook('acc_alice', 'https://a.test/1', 1, T0);
      await store.enqueue(contractDelivery('e-1'));
      await store.enqueue(contractDelivery('e-2', { position: 2 }));
      await store.enqueue(contractDelivery('e-b', { accountId: 'acc_bob', conferenceId: 'bobs' }));
      expect(await store.lease('acc_alice', 'e-1', 0, 'tok', after(30_000), T0)).toBe(true);
      expect(await store.deadLetter('acc_alice', 'e-1', 'tok', failed(1, T0))).toBe(true);
      expect(await store.deleteWebhook('acc_alice')).toBe(true);
      expect(await store.getWebhook('acc_alice')).toBeUndefined();
      expect(await store.listDeadLetters('acc_alice', 10)).toEqual([]);
      expect(await store.queueHead({ accountId: 'acc_alice', conferenceId: 'standup' })).toBeUndefined();
      expect(await store.countPending()).toBe(1);
      expect(await store.deleteWebhook('acc_alice')).toBe(false);
    });

    it('claims queue positions per conference: an owner records or replaces it, without one an unknown conference has none', async () => {
      expect(await store.claimPosition('standup')).toBeUndefined();
      expect(await store.claimPosition('standup', 'acc_alice')).toEqual({
        accountId: 'acc_alice',
        position: 1,
      });
      expect(await store.claimPosition('standup')).toEqual({ accountId: 'acc_alice', position: 2 });
      expect(await store.claimPosition('standup', 'acc_bob')).toEqual({ accountId: 'acc_bob', position: 3 });
      expect(await store.claimPosition('standup')).toEqual({ accountId: 'acc_bob', position: 4 });
      expect(await store.claimPosition('other', 'acc_alice')).toEqual({
        accountId: 'acc_alice',
        position: 1,
      });
    });

    it('enqueues once per (account, event), due at once, and gives the lowest position as the queue head', async () => {
      expect(await store.enqueue(contractDelivery('e-2', { position: 2 }))).toBe(true);
      expect(await store.enqueue(contractDelivery('e-1', { position: 1 }))).toBe(true);
      expect(await store.enqueue(contractDelivery('e-1', { position: 7, body: 'other' }))).toBe(false);
      // The same event for another account is another delivery.
      expect(await store.enqueue(contractDelivery('e-1', { accountId: 'acc_bob' }))).toBe(true);
      expect(await store.queueHead({ accountId: 'acc_alice', conferenceId: 'standup' })).toEqual(
        fresh(contractDelivery('e-1', { position: 1 })),
      );
      expect(await store.queueHead({ accountId: 'acc_alice', conferenceId: 'other' })).toBeUndefined();
      expect(await store.countPending()).toBe(3);
    });

    it('lists the queues with a due, unleased pending delivery, in (account, conference) order, at most `limit`', async () => {
      await store.enqueue(contractDelivery('e-1', { conferenceId: 'zeta' }));
      await store.enqueue(contractDelivery('e-2', { conferenceId: 'alpha' }));
      await store.enqueue(contractDelivery('e-3', { conferenceId: 'alpha', position: 2 }));
      await store.enqueue(contractDelivery('e-4', { accountId: 'acc_bob', conferenceId: 'beta' }));
      await store.enqueue(contractDelivery('e-5', { conferenceId: 'later', createdAt: after(60_000) }));
      expect(await store.dueQueues(T0, 10)).toEqual([
        { accountId: 'acc_alice', conferenceId: 'alpha' },
        { accountId: 'acc_alice', conferenceId: 'zeta' },
        { accountId: 'acc_bob', conferenceId: 'beta' },
      ]);
      expect(await store.dueQueues(T0, 2)).toEqual([
        { accountId: 'acc_alice', conferenceId: 'alpha' },
        { accountId: 'acc_alice', conferenceId: 'zeta' },
      ]);
      expect(await store.lease('acc_alice', 'e-1', 0, 'tok', after(30_000), T0)).toBe(true);
      expect(await store.dueQueues(after(1_000), 10)).toEqual([
        { accountId: 'acc_alice', conferenceId: 'alpha' },
        { accountId: 'acc_bob', conferenceId: 'beta' },
      ]);
      // A lease that ran out frees its queue; a delivery created later is due from then on.
      expect(await store.dueQueues(after(60_000), 10)).toEqual([
        { accountId: 'acc_alice', conferenceId: 'alpha' },
        { accountId: 'acc_alice', conferenceId: 'later' },
        { accountId: 'acc_alice', conferenceId: 'zeta' },
        { accountId: 'acc_bob', conferenceId: 'beta' },
      ]);
    });

    it('leases an attempt only when pending, at the expected attempts, due and not leased', async () => {
      await store.enqueue(contractDelivery('e-1'));
      expect(await store.lease('acc_alice', 'e-1', 1, 'tok-a', after(30_000), T0)).toBe(false);
      expect(await store.lease('acc_alice', 'e-nope', 0, 'tok-a', after(30_000), T0)).toBe(false);
      expect(await store.lease('acc_alice', 'e-1', 0, 'tok-a', after(30_000), T0)).toBe(true);
      expect(await store.lease('acc_alice', 'e-1', 0, 'tok-b', after(60_000), after(1_000))).toBe(false);
      expect(
        (await store.queueHead({ accountId: 'acc_alice', conferenceId: 'standup' }))?.leaseUntil,
      ).toEqual(after(30_000));
      // A lease that ran out is taken over; the first holder can then finish nothing.
      expect(await store.lease('acc_alice', 'e-1', 0, 'tok-b', after(90_000), after(30_000))).toBe(true);
      expect(await store.complete('acc_alice', 'e-1', 'tok-a')).toBe(false);
      expect(
        await store.retryLater('acc_alice', 'e-1', 'tok-a', failed(1, after(31_000)), after(40_000)),
      ).toBe(false);
      expect(await store.complete('acc_alice', 'e-1', 'tok-b')).toBe(true);
      expect(await store.queueHead({ accountId: 'acc_alice', conferenceId: 'standup' })).toBeUndefined();
      expect(await store.countPending()).toBe(0);
      expect(await store.complete('acc_alice', 'e-1', 'tok-b')).toBe(false);
    });

    it('of concurrent dispatchers on several replicas leasing one attempt exactly one wins, and only it finishes', async () => {
      await store.enqueue(contractDelivery('e-1'));
      const dispatchers = [store, replica(), replica()];
      const wins = await Promise.all(
        dispatchers.map((d, i) => d.lease('acc_alice', 'e-1', 0, `tok-${i}`, after(30_000), T0)),
      );
      expect(wins.filter(Boolean)).toHaveLength(1);
      const winner = wins.indexOf(true);
      const finished = await Promise.all(
        dispatchers.map((d, i) => d.complete('acc_alice', 'e-1', `tok-${i}`)),
      );
      expect(finished.map((done, i) => [i, done])).toEqual(dispatchers.map((_, i) => [i, i === winner]));
      expect(await replica().countPending()).toBe(0);
    });

    it('is one outbox for every replica: what one writes, another reads', async () => {
      await store.putWebhook('acc_alice', 'https://a.test/1', 1, T0);
      expect(await replica().claimPosition('standup', 'acc_alice')).toEqual({
        accountId: 'acc_alice',
        position: 1,
      });
      expect(await store.claimPosition('standup')).toEqual({ accountId: 'acc_alice', position: 2 });
      expect(await replica().enqueue(contractDelivery('e-1'))).toBe(true);
      expect(await store.enqueue(contractDelivery('e-1'))).toBe(false);
      expect(await replica().getWebhook('acc_alice')).toEqual(await store.getWebhook('acc_alice'));
      expect(await store.queueHead({ accountId: 'acc_alice', conferenceId: 'standup' })).toEqual(
        fresh(contractDelivery('e-1')),
      );
    });

    it('records a failed attempt, releases the lease and makes the delivery due again later', async () => {
      await store.enqueue(contractDelivery('e-1'));
      expect(await store.lease('acc_alice', 'e-1', 0, 'tok', after(30_000), T0)).toBe(true);
      expect(await store.retryLater('acc_alice', 'e-1', 'tok', failed(1, after(1_000)), after(10_000))).toBe(
        true,
      );
      expect(await store.queueHead({ accountId: 'acc_alice', conferenceId: 'standup' })).toEqual({
        ...fresh(contractDelivery('e-1')),
        attempts: 1,
        nextAttemptAt: after(10_000),
        lastStatus: 503,
        lastError: 'receiver answered 503',
        lastUrl: 'https://example.test/hook',
        lastAttemptAt: after(1_000),
      });
      // The released token finishes nothing more.
      expect(await store.retryLater('acc_alice', 'e-1', 'tok', failed(2, after(2_000)), after(20_000))).toBe(
        false,
      );
      expect(await store.dueQueues(after(9_999), 10)).toEqual([]);
      expect(await store.lease('acc_alice', 'e-1', 1, 'tok-2', after(40_000), after(9_999))).toBe(false);
      expect(await store.lease('acc_alice', 'e-1', 0, 'tok-2', after(40_000), after(10_000))).toBe(false);
      expect(await store.lease('acc_alice', 'e-1', 1, 'tok-2', after(40_000), after(10_000))).toBe(true);
      expect(await store.countPending()).toBe(1);
    });

    it('turns a last failed attempt into a dead letter, listed oldest first with a cursor, and redelivers it', async () => {
      await store.putWebhook('acc_alice', 'https://a.test/1', 1, T0);
      for (const [i, eventId] of ['e-1', 'e-2', 'e-3'].entries()) {
        await store.enqueue(contractDelivery(eventId, { position: i + 1 }));
        expect(await store.lease('acc_alice', eventId, 0, `tok-${eventId}`, after(30_000), T0)).toBe(true);
      }
      // They die in another order than their positions: e-3, then e-1, then e-2.
      expect(await store.deadLetter('acc_alice', 'e-3', 'tok-e-3', failed(1, after(1_000)))).toBe(true);
      expect(await store.deadLetter('acc_alice', 'e-1', 'tok-e-1', failed(1, after(2_000)))).toBe(true);
      expect(await store.deadLetter('acc_alice', 'e-2', 'tok-wrong', failed(1, after(3_000)))).toBe(false);
      expect(await store.deadLetter('acc_alice', 'e-2', 'tok-e-2', failed(1, after(3_000)))).toBe(true);
      expect(await store.deadLetter('acc_alice', 'e-2', 'tok-e-2', failed(1, after(4_000)))).toBe(false);
      expect(await store.countPending()).toBe(0);
      expect(await store.dueQueues(after(60_000), 10)).toEqual([]);
      expect(await store.queueHead({ accountId: 'acc_alice', conferenceId: 'standup' })).toBeUndefined();

      const dead = await store.listDeadLetters('acc_alice', 2);
      expect(dead).toEqual([
        {
          ...fresh(contractDelivery('e-3', { position: 3 })),
          state: 'dead',
          attempts: 1,
          lastStatus: 503,
          lastError: 'receiver answered 503',
          lastUrl: 'https://example.test/hook',
          lastAttemptAt: after(1_000),
          deadAt: after(1_000),
          deadKey: `${after(1_000).toISOString()}/e-3`,
        },
        expect.objectContaining({ eventId: 'e-1', deadKey: `${after(2_000).toISOString()}/e-1` }),
      ]);
      expect((await store.listDeadLetters('acc_alice', 2, dead[1].deadKey!)).map((d) => d.eventId)).toEqual([
        'e-2',
      ]);
      expect(await store.listDeadLetters('acc_bob', 10)).toEqual([]);

      expect(await store.redeliver('acc_alice', 'e-1', after(5_000))).toBe(true);
      expect(await store.redeliver('acc_alice', 'e-1', after(5_000))).toBe(false);
      expect(await store.redeliver('acc_alice', 'e-nope', after(5_000))).toBe(false);
      expect(await store.queueHead({ accountId: 'acc_alice', conferenceId: 'standup' })).toEqual({
        ...fresh(contractDelivery('e-1', { position: 1 })),
        nextAttemptAt: after(5_000),
        lastStatus: 503,
        lastError: 'receiver answered 503',
        lastUrl: 'https://example.test/hook',
        lastAttemptAt: after(2_000),
      });
      expect((await store.listDeadLetters('acc_alice', 10)).map((d) => d.eventId)).toEqual(['e-3', 'e-2']);
      // A fresh attempt budget: attempt 1 can be leased again.
      expect(await store.lease('acc_alice', 'e-1', 0, 'tok-again', after(60_000), after(5_000))).toBe(true);
      expect(await store.complete('acc_alice', 'e-1', 'tok-again')).toBe(true);
      expect(await store.countPending()).toBe(0);
    });
  });
}
