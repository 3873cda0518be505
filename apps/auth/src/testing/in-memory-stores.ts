import type {
  AccountPage,
  AccountRecord,
  ApiKeyRecord,
  ApiKeyStore,
  RevocationRecord,
  RevocationStore,
  TicketKeyRecord,
  TicketKeyStore,
} from '@hoot/domain';
import type { AuthRevocationEvent } from '@hoot/events';
import { DuplicateKeyError } from '@hoot/mongo';
import type { AuthAccountStore } from '../accounts/auth-account-store.port';
import type { RevocationEventPublisher } from '../revocations/revocation-publisher.port';

/** The error the MongoDB stores throw for a taken key (the contract: `describe…StoreContract` of `@hoot/domain/testing`). */
const duplicate = (keyValue: Record<string, unknown>) => new DuplicateKeyError(undefined, keyValue);
const copy = <T>(value: T): T => structuredClone(value);

/** Fakes of the persistence ports, for unit tests (integration specs use the real server). */
export class InMemoryAccountStore implements AuthAccountStore {
  readonly byId = new Map<string, AccountRecord>();
  /** Calls per method, so tests can check how many queries a feature makes. */
  readonly calls = new Map<string, number>();

  private count(method: string): void {
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
  }

  async create(account: AccountRecord): Promise<void> {
    if (this.byId.has(account.id)) throw duplicate({ _id: account.id });
    if ([...this.byId.values()].some((a) => a.username === account.username))
      throw duplicate({ username: account.username });
    this.byId.set(account.id, copy(account));
  }
  async findById(id: string) {
    this.count('findById');
    const a = this.byId.get(id);
    return a && copy(a);
  }
  async findByUsername(username: string) {
    this.count('findByUsername');
    const a = [...this.byId.values()].find((x) => x.username === username);
    return a && copy(a);
  }
  async findByUsernames(usernames: readonly string[]) {
    this.count('findByUsernames');
    const wanted = new Set(usernames);
    return [...this.byId.values()].filter((a) => wanted.has(a.username)).map(copy);
  }
  async findByIds(ids: readonly string[]) {
    this.count('findByIds');
    return [...new Set(ids)].flatMap((id) => {
      const a = this.byId.get(id);
      return a ? [copy(a)] : [];
    });
  }
  async list(limit: number, after?: string): Promise<AccountPage> {
    const all = [...this.byId.values()]
      .filter((a) => !after || a.id > after)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const items = all.slice(0, limit).map(copy);
    return all.length > limit ? { items, next: items[items.length - 1].id } : { items };
  }
  async setDisabled(id: string, disabled: boolean) {
    const a = this.byId.get(id);
    if (!a) return undefined;
    a.disabled = disabled;
    return copy(a);
  }
  async raiseTokensNotBefore(id: string, beforeMs: number) {
    const a = this.byId.get(id);
    if (a) a.tokensNotBeforeMs = Math.max(a.tokensNotBeforeMs ?? 0, beforeMs);
  }
}

export class InMemoryApiKeyStore implements ApiKeyStore {
  readonly byId = new Map<string, ApiKeyRecord>();
  async create(key: ApiKeyRecord) {
    if (this.byId.has(key.id)) throw duplicate({ _id: key.id });
    this.byId.set(key.id, copy(key));
  }
  async findById(id: string) {
    const k = this.byId.get(id);
    return k && copy(k);
  }
}

export class InMemoryRevocationStore implements RevocationStore {
  readonly records = new Map<string, RevocationRecord>();
  async create(record: RevocationRecord) {
    if (this.records.has(record.id)) throw duplicate({ _id: record.id });
    this.records.set(record.id, copy(record));
  }
  async isTokenRevoked(jti: string) {
    return [...this.records.values()].some((r) => r.type === 'token.revoked' && r.jti === jti);
  }
  async markPublished(id: string) {
    const r = this.records.get(id);
    if (r) r.published = true;
  }
  async listUnpublished(limit: number) {
    return [...this.records.values()]
      .filter((r) => !r.published)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
      .slice(0, limit)
      .map(copy);
  }
  async pruneExpired(nowMs: number) {
    let n = 0;
    for (const [id, r] of this.records) {
      if (r.type === 'token.revoked' && r.published && (r.expiresAtMs ?? 0) < nowMs) {
        this.records.delete(id);
        n += 1;
      }
    }
    return n;
  }
}

/** Records what would go to Kafka; `failing = true` simulates Kafka being away. */
export class RecordingPublisher implements RevocationEventPublisher {
  readonly events: AuthRevocationEvent[] = [];
  failing = false;
  async publish(event: AuthRevocationEvent): Promise<void> {
    if (this.failing) throw new Error('kafka unavailable');
    this.events.push(event);
  }
}

export class InMemoryTicketKeyStore implements TicketKeyStore {
  readonly records = new Map<string, TicketKeyRecord>();

  async put(record: TicketKeyRecord): Promise<'created' | 'exists'> {
    if (this.records.has(record.kid)) return 'exists';
    this.records.set(record.kid, copy(record));
    return 'created';
  }

  async listLive(nowMs: number, limit: number): Promise<TicketKeyRecord[]> {
    return [...this.records.values()]
      .filter((r) => r.expiresAtMs > nowMs)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
      .slice(0, limit)
      .map(copy);
  }

  async prune(registry: string, keep: number, nowMs: number): Promise<number> {
    let removed = 0;
    for (const [kid, r] of this.records)
      if (r.expiresAtMs <= nowMs) removed += Number(this.records.delete(kid));
    const own = [...this.records.values()]
      .filter((r) => r.registry === registry)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    for (const r of own.slice(keep)) removed += Number(this.records.delete(r.kid));
    return removed;
  }
}
