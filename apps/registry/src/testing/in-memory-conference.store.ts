import { hasRoom, type ConferenceRecord } from '@hoot/domain';
import type { ConferenceStore } from '@hoot/mongo';

/** The directory store in memory, with the same compare-and-set rule as MongoDB's (unit specs only; the contract: `describeConferenceStoreContract` of `@hoot/mongo/testing`). */
export class InMemoryConferenceStore implements ConferenceStore {
  readonly records = new Map<string, ConferenceRecord>();
  /** Writes that lost a compare-and-set. */
  conflicts = 0;

  async get(conferenceId: string): Promise<ConferenceRecord | undefined> {
    const r = this.records.get(conferenceId);
    return r && structuredClone(r);
  }

  async compareAndSet(next: ConferenceRecord): Promise<boolean> {
    const current = this.records.get(next.conferenceId);
    if ((current?.rev ?? 0) !== next.rev - 1) {
      this.conflicts++;
      return false;
    }
    this.records.set(next.conferenceId, structuredClone(next));
    return true;
  }

  async listByOwner(owner: string, limit: number, after?: string): Promise<ConferenceRecord[]> {
    return [...this.records.values()]
      .filter((r) => r.owner === owner && (after === undefined || r.conferenceId > after))
      .sort((a, b) => (a.conferenceId < b.conferenceId ? -1 : 1))
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  async countOpenByOwner(owner: string): Promise<number> {
    return [...this.records.values()].filter((r) => r.owner === owner && r.status !== 'ended').length;
  }

  async listOpenOn(coremxIds: readonly string[], limit: number): Promise<ConferenceRecord[]> {
    return [...this.records.values()]
      .filter((r) => coremxIds.includes(r.coremxId) && hasRoom(r))
      .sort((a, b) => (a.conferenceId < b.conferenceId ? -1 : 1))
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  async ping(): Promise<void> {}
}
