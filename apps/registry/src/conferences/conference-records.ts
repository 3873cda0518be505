import type { Clock, ConferenceRecord } from '@hoot/domain';
import type { ConferenceStore } from '@hoot/mongo';

/**
 * Joins read the directory through a cache this fresh: a burst of joins to one conference costs one read,
 * and a change (a move, an end) is seen within it; this process's own writes drop the entry at once.
 */
const JOIN_LOOKUP_TTL_MS = 1_000;
const JOIN_LOOKUP_MAX_ENTRIES = 10_000;
/** Attempts of one read-change-write before giving up on a conference written to concurrently. */
const UPDATE_ATTEMPTS = 10;

/**
 * The conference records of this process's services (the API's and re-homing's) over the store: plain
 * reads, the join lookup cache, and writes by compare-and-set, each of which drops the cached entry.
 */
export class ConferenceRecords {
  private readonly lookups = new Map<string, { record: ConferenceRecord; until: number }>();

  constructor(
    readonly store: ConferenceStore,
    private readonly clock: Clock,
  ) {}

  get(conferenceId: string): Promise<ConferenceRecord | undefined> {
    return this.store.get(conferenceId);
  }

  /** The record through the join cache (`JOIN_LOOKUP_TTL_MS`). */
  async lookup(conferenceId: string): Promise<ConferenceRecord | undefined> {
    const now = this.clock.now();
    const held = this.lookups.get(conferenceId);
    if (held && held.until > now) return held.record;
    const record = await this.store.get(conferenceId);
    // Only found conferences are kept: a conference created a moment ago at another registry must be
    // joinable here as soon as the directory has it, not a cache period later.
    if (!record) return undefined;
    if (this.lookups.size >= JOIN_LOOKUP_MAX_ENTRIES) this.lookups.clear();
    this.lookups.set(conferenceId, { record, until: now + JOIN_LOOKUP_TTL_MS });
    return record;
  }

  /** Writes `record` if its `rev` is the next one; false when another writer got there first. */
  async compareAndSet(record: ConferenceRecord): Promise<boolean> {
    if (!(await this.store.compareAndSet(record))) return false;
    this.lookups.delete(record.conferenceId);
    return true;
  }

  /**
   * Read, change, compare-and-set; again on a conflict. `change` returning undefined stops (the current
   * record is answered); undefined when there is no such conference.
   */
  async update(
    conferenceId: string,
    change: (r: ConferenceRecord) => ConferenceRecord | undefined,
  ): Promise<ConferenceRecord | undefined> {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      const current = await this.store.get(conferenceId);
      if (!current) return undefined;
      const next = change(current);
      if (!next) return current;
      const written = { ...next, rev: current.rev + 1 };
      if (await this.compareAndSet(written)) return written;
    }
    throw new Error(`conference ${conferenceId}: too many concurrent writes`);
  }
}
