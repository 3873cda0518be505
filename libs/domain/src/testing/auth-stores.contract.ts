import type {
  AccountRecord,
  AccountStore,
  ApiKeyRecord,
  ApiKeyStore,
  RevocationRecord,
  RevocationStore,
  TicketKeyRecord,
  TicketKeyStore,
} from '../lib/auth-records';

/**
 * The contracts of auth's persistence ports (`@hoot/domain`'s `auth-records`): one suite per port, run
 * against the in-memory fakes (auth's unit specs) and the MongoDB stores (`libs/mongo/test`). Each `make`
 * gives a fresh, empty store.
 */

/** How every store reports a key that is already taken (`DuplicateKeyError` of `@hoot/mongo`). */
export const DUPLICATE_KEY_ERROR = { name: 'DuplicateKeyError', code: 'persistence.duplicate' };

/** The batch lookups of auth's `AuthAccountStore` (declared in the auth app; restated here structurally). */
export interface AccountBatchLookups {
  findByUsernames(usernames: readonly string[]): Promise<AccountRecord[]>;
  findByIds(ids: readonly string[]): Promise<AccountRecord[]>;
}

export const contractAccount = (id: string, over: Partial<AccountRecord> = {}): AccountRecord => ({
  id,
  username: `user-${id}`,
  displayName: `User ${id}`,
  kind: 'user',
  organisation: 'hoot',
  plan: 'pro',
  roles: ['member'],
  limits: { maxConferences: 5, maxParticipants: 50 },
  disabled: false,
  createdAt: '2026-12-01T10:00:00.000Z',
  ...over,
});

const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, b) => (a.id < b.id ? -1 : 1));

export function describeAccountStoreContract(
  name: string,
  make: () => Promise<AccountStore & AccountBatchLookups>,
): void {
  describe(`AccountStore contract: ${name}`, () => {
    let store: AccountStore & AccountBatchLookups;
    beforeEach(async () => {
      store = await make();
    });

    it('gives back an account as created, by id and by username; unknown ones are undefined', async () => {
      const alice = contractAccount('acc_alice', { passwordHash: 'scrypt$1$2$3$salt$hash' });
      await store.create(alice);
      expect(await store.findById('acc_alice')).toEqual(alice);
      expect(await store.findByUsername('user-acc_alice')).toEqual(alice);
      expect(await store.findById('acc_nobody')).toBeUndefined();
      expect(await store.findByUsername('nobody')).toBeUndefined();
    });

    it('refuses a taken username and a taken id with a duplicate-key error, keeping the first account', async () => {
      const alice = contractAccount('acc_alice');
      await store.create(alice);
      await expect(
        store.create(contractAccount('acc_other', { username: alice.username })),
      ).rejects.toMatchObject(DUPLICATE_KEY_ERROR);
      await expect(
        store.create(contractAccount('acc_alice', { username: 'someone-else' })),
      ).rejects.toMatchObject(DUPLICATE_KEY_ERROR);
      expect(await store.findById('acc_alice')).toEqual(alice);
      expect(await store.findById('acc_other')).toBeUndefined();
      expect(await store.findByUsername('someone-else')).toBeUndefined();
    });

    it('hands out copies: changing a returned record changes nothing stored', async () => {
      await store.create(contractAccount('acc_alice'));
      const found = (await store.findById('acc_alice'))!;
      found.roles.push('admin');
      found.disabled = true;
      expect(await store.findById('acc_alice')).toEqual(contractAccount('acc_alice'));
    });

    it('finds many by username and by id in one call, skipping unknown and repeated ones', async () => {
      for (const id of ['acc_a', 'acc_b', 'acc_c']) await store.create(contractAccount(id));
      expect(byId(await store.findByUsernames(['user-acc_c', 'user-acc_a', 'nobody', 'user-acc_a']))).toEqual(
        [contractAccount('acc_a'), contractAccount('acc_c')],
      );
      expect(byId(await store.findByIds(['acc_b', 'acc_zz', 'acc_b']))).toEqual([contractAccount('acc_b')]);
      expect(await store.findByUsernames([])).toEqual([]);
      expect(await store.findByIds([])).toEqual([]);
    });

    it('lists by id in pages: `next` is the last id of a full page and absent on the last one', async () => {
      for (const id of ['acc_d', 'acc_b', 'acc_e', 'acc_a', 'acc_c']) await store.create(contractAccount(id));
      const first = await store.list(2);
      expect(first).toEqual({ items: [contractAccount('acc_a'), contractAccount('acc_b')], next: 'acc_b' });
      const second = await store.list(2, first.next);
      expect(second).toEqual({ items: [contractAccount('acc_c'), contractAccount('acc_d')], next: 'acc_d' });
      expect(await store.list(2, second.next)).toEqual({ items: [contractAccount('acc_e')] });
      expect(await store.list(5)).toEqual({
        items: ['acc_a', 'acc_b', 'acc_c', 'acc_d', 'acc_e'].map((id) => contractAccount(id)),
      });
      expect(await store.list(3, 'acc_e')).toEqual({ items: [] });
    });

    it('disables and enables an account, answering the new record (undefined for an unknown one)', async () => {
      await store.create(contractAccount('acc_alice'));
      expect(await store.setDisabled('acc_alice', true)).toEqual(
        contractAccount('acc_alice', { disabled: true }),
      );
      expect((await store.findById('acc_alice'))?.disabled).toBe(true);
      expect(await store.setDisabled('acc_alice', false)).toEqual(contractAccount('acc_alice'));
      expect(await store.setDisabled('acc_nobody', true)).toBeUndefined();
      expect(await store.findById('acc_nobody')).toBeUndefined();
    });

    it('moves the tokens-not-before time forward only, and ignores an unknown account', async () => {
      await store.create(contractAccount('acc_alice'));
      await store.raiseTokensNotBefore('acc_alice', 2_000);
      expect((await store.findById('acc_alice'))?.tokensNotBeforeMs).toBe(2_000);
      await store.raiseTokensNotBefore('acc_alice', 1_000);
      expect((await store.findById('acc_alice'))?.tokensNotBeforeMs).toBe(2_000);
      await store.raiseTokensNotBefore('acc_alice', 3_000);
      expect((await store.findById('acc_alice'))?.tokensNotBeforeMs).toBe(3_000);
      await store.raiseTokensNotBefore('acc_nobody', 3_000);
      expect(await store.findById('acc_nobody')).toBeUndefined();
    });
  });
}

const apiKey = (id: string, over: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id,
  accountId: 'acc_svc',
  name: `key ${id}`,
  secretHash: 'c2VjcmV0LWhhc2g',
  createdAt: '2026-12-01T10:00:00.000Z',
  revoked: false,
  ...over,
});

export function describeApiKeyStoreContract(name: string, make: () => Promise<ApiKeyStore>): void {
  describe(`ApiKeyStore contract: ${name}`, () => {
    let store: ApiKeyStore;
    beforeEach(async () => {
      store = await make();
    });

    it('gives back a key as created; an unknown id is undefined', async () => {
      await store.create(apiKey('hk_one'));
      await store.create(apiKey('hk_two', { revoked: true }));
      expect(await store.findById('hk_one')).toEqual(apiKey('hk_one'));
      expect(await store.findById('hk_two')).toEqual(apiKey('hk_two', { revoked: true }));
      expect(await store.findById('hk_nope')).toBeUndefined();
    });

    it('refuses a taken id with a duplicate-key error and keeps the first key', async () => {
      await store.create(apiKey('hk_one'));
      await expect(store.create(apiKey('hk_one', { name: 'impostor' }))).rejects.toMatchObject(
        DUPLICATE_KEY_ERROR,
      );
      expect(await store.findById('hk_one')).toEqual(apiKey('hk_one'));
    });
  });
}

const tokenRevocation = (id: string, over: Partial<RevocationRecord> = {}): RevocationRecord => ({
  id,
  type: 'token.revoked',
  sub: 'acc_alice',
  jti: `jti-${id}`,
  expiresAtMs: 10_000,
  createdAt: '2026-12-01T10:00:00.000Z',
  published: false,
  ...over,
});
const subjectRevocation = (id: string, over: Partial<RevocationRecord> = {}): RevocationRecord => ({
  id,
  type: 'subject.revoked',
  sub: 'acc_alice',
  beforeMs: 5_000,
  createdAt: '2026-12-01T10:00:00.000Z',
  published: false,
  ...over,
});

export function describeRevocationStoreContract(name: string, make: () => Promise<RevocationStore>): void {
  describe(`RevocationStore contract: ${name}`, () => {
    let store: RevocationStore;
    beforeEach(async () => {
      store = await make();
    });

    it('knows a revoked token by its jti; a subject revocation revokes no jti', async () => {
      await store.create(tokenRevocation('rev-1'));
      await store.create(subjectRevocation('rev-2', { jti: undefined }));
      expect(await store.isTokenRevoked('jti-rev-1')).toBe(true);
      expect(await store.isTokenRevoked('jti-rev-2')).toBe(false);
      expect(await store.isTokenRevoked('jti-unknown')).toBe(false);
    });

    it('refuses a taken id with a duplicate-key error and keeps the first record', async () => {
      await store.create(tokenRevocation('rev-1'));
      await expect(store.create(tokenRevocation('rev-1', { jti: 'jti-other' }))).rejects.toMatchObject(
        DUPLICATE_KEY_ERROR,
      );
      expect(await store.isTokenRevoked('jti-other')).toBe(false);
      expect(await store.listUnpublished(10)).toEqual([tokenRevocation('rev-1')]);
    });

    it('lists unpublished records oldest first, at most `limit`, until they are marked published', async () => {
      await store.create(tokenRevocation('rev-c', { createdAt: '2026-12-01T10:00:03.000Z' }));
      await store.create(subjectRevocation('rev-a', { createdAt: '2026-12-01T10:00:01.000Z' }));
      await store.create(tokenRevocation('rev-b', { createdAt: '2026-12-01T10:00:02.000Z' }));
      await store.create(
        tokenRevocation('rev-p', { createdAt: '2026-12-01T10:00:00.000Z', published: true }),
      );
      expect((await store.listUnpublished(10)).map((r) => r.id)).toEqual(['rev-a', 'rev-b', 'rev-c']);
      expect(await store.listUnpublished(2)).toEqual([
        subjectRevocation('rev-a', { createdAt: '2026-12-01T10:00:01.000Z' }),
        tokenRevocation('rev-b', { createdAt: '2026-12-01T10:00:02.000Z' }),
      ]);
      await store.markPublished('rev-b');
      await store.markPublished('rev-unknown');
      expect((await store.listUnpublished(10)).map((r) => r.id)).toEqual(['rev-a', 'rev-c']);
      // A published record is still a revocation.
      expect(await store.isTokenRevoked('jti-rev-b')).toBe(true);
    });

    it('prunes only published token revocations whose token expired before now, and says how many', async () => {
      await store.create(tokenRevocation('expired', { expiresAtMs: 999, published: true }));
      await store.create(tokenRevocation('at-now', { expiresAtMs: 1_000, published: true }));
      await store.create(tokenRevocation('unpublished', { expiresAtMs: 999 }));
      await store.create(subjectRevocation('subject', { published: true }));
      expect(await store.pruneExpired(1_000)).toBe(1);
      expect(await store.isTokenRevoked('jti-expired')).toBe(false);
      expect(await store.isTokenRevoked('jti-at-now')).toBe(true);
      expect(await store.isTokenRevoked('jti-unpublished')).toBe(true);
      expect(await store.pruneExpired(1_000)).toBe(0);
      expect((await store.listUnpublished(10)).map((r) => r.id)).toEqual(['unpublished']);
      expect(await store.pruneExpired(1_001)).toBe(1);
      expect(await store.isTokenRevoked('jti-at-now')).toBe(false);
    });
  });
}

const ticketKey = (kid: string, over: Partial<TicketKeyRecord> = {}): TicketKeyRecord => ({
  kid,
  registry: kid.split('.')[0],
  accountId: `acc_${kid.split('.')[0]}`,
  x: `x-${kid}`,
  createdAt: '2026-12-01T10:00:00.000Z',
  expiresAtMs: 10_000,
  ...over,
});
const at = (second: number) => `2026-12-01T10:00:${String(second).padStart(2, '0')}.000Z`;

export function describeTicketKeyStoreContract(name: string, make: () => Promise<TicketKeyStore>): void {
  describe(`TicketKeyStore contract: ${name}`, () => {
    let store: TicketKeyStore;
    beforeEach(async () => {
      store = await make();
    });

    it('adds a key once: a kid already present keeps its first registration', async () => {
      expect(await store.put(ticketKey('reg-a.1'))).toBe('created');
      expect(await store.put(ticketKey('reg-a.1', { x: 'another-key' }))).toBe('exists');
      expect(await store.listLive(0, 10)).toEqual([ticketKey('reg-a.1')]);
    });

    it('lists keys not expired at now, newest first, at most `limit`', async () => {
      await store.put(ticketKey('reg-a.1', { createdAt: at(1) }));
      await store.put(ticketKey('reg-b.1', { createdAt: at(3) }));
      await store.put(ticketKey('reg-a.2', { createdAt: at(2) }));
      await store.put(ticketKey('reg-a.old', { createdAt: at(4), expiresAtMs: 1_000 }));
      expect((await store.listLive(999, 10)).map((k) => k.kid)).toEqual([
        'reg-a.old',
        'reg-b.1',
        'reg-a.2',
        'reg-a.1',
      ]);
      // Expired at exactly its expiry.
      expect((await store.listLive(1_000, 10)).map((k) => k.kid)).toEqual(['reg-b.1', 'reg-a.2', 'reg-a.1']);
      expect(await store.listLive(1_000, 2)).toEqual([
        ticketKey('reg-b.1', { createdAt: at(3) }),
        ticketKey('reg-a.2', { createdAt: at(2) }),
      ]);
    });

    it("prunes a registry's live keys beyond its newest `keep` and every expired key, and says how many", async () => {
      await store.put(ticketKey('reg-a.1', { createdAt: at(1) }));
      await store.put(ticketKey('reg-a.2', { createdAt: at(2) }));
      await store.put(ticketKey('reg-a.3', { createdAt: at(3) }));
      await store.put(ticketKey('reg-a.4', { createdAt: at(4), expiresAtMs: 500 }));
      await store.put(ticketKey('reg-b.1', { createdAt: at(1) }));
      await store.put(ticketKey('reg-b.2', { createdAt: at(2), expiresAtMs: 1_000 }));
      // reg-a.4 (expired, newest: it does not count towards `keep`), reg-b.2 (expired at now), reg-a.1.
      expect(await store.prune('reg-a', 2, 1_000)).toBe(3);
      expect((await store.listLive(0, 10)).map((k) => k.kid)).toEqual(['reg-a.3', 'reg-a.2', 'reg-b.1']);
      expect(await store.prune('reg-a', 2, 1_000)).toBe(0);
      expect(await store.prune('reg-b', 0, 1_000)).toBe(1);
      expect((await store.listLive(0, 10)).map((k) => k.kid)).toEqual(['reg-a.3', 'reg-a.2']);
    });
  });
}
