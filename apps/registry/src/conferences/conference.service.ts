import { randomBytes } from 'node:crypto';
import {
  ConferenceErrorCode as C,
  ROOM_TYPE_RULES,
  createdConference,
  endedConference,
  formatConferenceAddress,
  isEntitled,
  mixersOf,
  parseConferenceAddress,
  reopenedConference,
  returningParticipantsOf,
  type AccountLimits,
  type Clock,
  type ConferenceRecord,
  type RoomRole,
  type RoomType,
} from '@hoot/domain';
import type { CreateConferenceInput, JoinAnswer } from '@hoot/contracts';
import { RateLimiter } from '@hoot/service-kit';
import type { CoreMxView } from '../gcas/registry-node';
import {
  CashCallError,
  cashApiUrlOf,
  reserveRequestOf,
  type CashClient,
  type ReserveRequest,
} from './cash.client';
import type { ConferenceRecords } from './conference-records';
import { ConferenceError, conferenceNotFound as notFound, subjectRefusal } from './conference.error';
import type { Placement, PlacementService } from './placement.service';

/** Issues join tickets: the registry's own `JoinTicketSigner` (auth-kit's `JoinTicketClient` asks auth instead). */
export interface TicketIssuer {
  issue(request: {
    coremxId: string;
    subject: string;
    conferenceId: string;
    displayName?: string;
    role?: RoomRole;
    roomType?: RoomType;
    ttlSeconds?: number;
    /** The caller's access token: auth also refuses the ticket when it was revoked. */
    subjectToken?: string;
  }): Promise<{ ticket: string; ticketId: string; expiresAt: string }>;
}

/** The caller's plan limits (introspection stamps them onto the token); undefined: unknown. */
export type LimitsOf = (accessToken: string) => Promise<AccountLimits | undefined>;

/** Account ids for usernames (ids pass through); `unknown`: names that match no account. */
export type ResolveIdentities = (
  names: readonly string[],
) => Promise<{ ids: Map<string, string>; unknown: string[] }>;

/** Usernames for account ids (ids it cannot name are left out). */
export type UsernamesOf = (ids: readonly string[]) => Promise<Map<string, string>>;

export interface Caller {
  identity: string;
  name: string;
  accessToken: string;
}

export interface ConferenceServiceOptions {
  /** The records over the store, shared with `RehomingService` (one join cache per process). */
  records: ConferenceRecords;
  placement: PlacementService;
  cash: CashClient;
  tickets: TicketIssuer;
  limitsOf: LimitsOf;
  resolveIdentities: ResolveIdentities;
  /** Names people in conference views; optional (views then carry ids only). */
  usernamesOf?: UsernamesOf;
  clock: Clock;
  ownCloud: string;
  webBaseUrl: string;
  ticketTtlS: number;
  createRatePerMin: number;
  joinRatePerMin: number;
  log: { info(data: object, message: string): void; warn(data: object, message: string): void };
  /** Hooks for metrics. */
  onJoin?: (outcome: string) => void;
  onCreate?: (outcome: string) => void;
}

const RETRY_AFTER_S = 5;
/** While a CoreMX fails over (suspect, or down and not yet re-homed): the move takes seconds. */
const FAILOVER_RETRY_AFTER_S = 1;

/**
 * Conferences at a registry: create (placed, reserved on a CASH, persisted), read, list, end, join
 * (resolve the address in the directory, check entitlement, issue a join ticket). Refusals are
 * `ConferenceError`s (a code, no HTTP status: the edge maps it); re-homing is `RehomingService`'s.
 */
export class ConferenceService {
  private readonly createLimiter: RateLimiter;
  private readonly joinLimiter: RateLimiter;

  constructor(private readonly o: ConferenceServiceOptions) {
    this.createLimiter = new RateLimiter(o.createRatePerMin, 60_000, o.clock);
    this.joinLimiter = new RateLimiter(o.joinRatePerMin, 60_000, o.clock);
  }

  // ---- create ----------------------------------------------------------------------------------------

  async create(
    caller: Caller,
    input: CreateConferenceInput,
  ): Promise<{ record: ConferenceRecord; created: boolean }> {
    this.rateLimit(this.createLimiter, caller.identity, 'creations');
    const conferenceId = input.id ?? newConferenceId();
    const existing = await this.o.records.get(conferenceId);
    if (existing && existing.owner !== null && existing.owner !== caller.identity) {
      this.o.onCreate?.('id-taken');
      throw new ConferenceError(C.IdTaken, `the conference id ${conferenceId} is taken`);
    }
    if (existing && existing.status !== 'ended') {
      this.o.onCreate?.('existing');
      return { record: existing, created: false };
    }
    const limits = await this.o.limitsOf(caller.accessToken);
    if (limits) {
      const open = await this.o.records.store.countOpenByOwner(caller.identity);
      if (open >= limits.maxConferences) {
        this.o.onCreate?.('limit');
        throw new ConferenceError(
          C.LimitReached,
          `your plan allows ${limits.maxConferences} open conferences`,
          { limit: limits.maxConferences },
        );
      }
    }
    const wanted = input.settings?.maxParticipants;
    const cap = limits?.maxParticipants;
    const maxParticipants =
      wanted !== undefined && cap !== undefined ? Math.min(wanted, cap) : (wanted ?? cap);
    const { ids, unknown } = await this.o.resolveIdentities(input.allowed ?? []);
    if (unknown.length) {
      this.o.onCreate?.('unknown-identity');
      throw new ConferenceError(C.UnknownIdentity, `no account for: ${unknown.join(', ')}`, { unknown });
    }
    const allowed = [
      ...new Set((input.allowed ?? []).map((a) => ids.get(a) ?? a).filter((a) => a !== caller.identity)),
    ];
    const request: ReserveRequest = {
      id: conferenceId,
      type: input.type,
      owner: caller.identity,
      allowed: [caller.identity, ...allowed],
      public: input.public ?? false,
      ...(maxParticipants !== undefined ? { maxParticipants } : {}),
    };
    const placed = await this.reserve(
      () => this.o.placement.reuseOrPlace(request, existing?.coremxId),
      () => this.o.onCreate?.('no-coremx'),
    );
    const record = createdConference(
      {
        conferenceId,
        owner: caller.identity,
        type: input.type,
        allowed,
        public: request.public ?? false,
        maxParticipants: maxParticipants ?? null,
      },
      placed.coremx,
      this.isoNow(),
      existing,
    );
    if (await this.o.records.compareAndSet(record)) {
      this.o.onCreate?.('created');
      return { record, created: true };
    }
    // The directory (its `room.reserved`) or a concurrent create got there first: theirs is the record.
    // When the room is the one our reservation made (CASH created it, on the CoreMX the record names),
    // the directory only wrote our creation down before us: it is still a creation.
    const now2 = await this.o.records.get(conferenceId);
    if (now2 && now2.owner === caller.identity) {
      const ours = placed.created && now2.coremxId === placed.coremx.coremxId && now2.status !== 'ended';
      if (ours) this.o.onCreate?.('created');
      return { record: now2, created: ours };
    }
    throw new ConferenceError(C.IdTaken, `the conference id ${conferenceId} is taken`);
  }

  // ---- read ------------------------------------------------------------------------------------------

  /** The conference if the caller may see it (owner, allowed, public); else `NotFound` whether or not it exists. */
  async get(identity: string, conferenceId: string): Promise<ConferenceRecord> {
    const record = await this.o.records.get(conferenceId);
    if (!record || !isEntitled(record, identity)) throw notFound(conferenceId);
    return record;
  }

  async list(
    identity: string,
    limit: number,
    after?: string,
  ): Promise<{ items: ConferenceRecord[]; next: string | null }> {
    const items = await this.o.records.store.listByOwner(identity, limit + 1, after);
    const page = items.slice(0, limit);
    return { items: page, next: items.length > limit ? page[page.length - 1].conferenceId : null };
  }

  /**
   * Usernames of the people a viewer sees in a conference (its owner; the allowed ones for the owner), for
   * display. Best effort: if auth cannot answer, the view shows ids only.
   */
  async usernamesFor(record: ConferenceRecord, viewer: string): Promise<Record<string, string>> {
    if (!this.o.usernamesOf) return {};
    const ids = [
      ...new Set([
        ...(record.owner ? [record.owner] : []),
        ...(record.owner === viewer ? record.allowed : []),
      ]),
    ];
    if (!ids.length) return {};
    try {
      return Object.fromEntries(await this.o.usernamesOf(ids));
    } catch (error) {
      this.o.log.warn(
        { conferenceId: record.conferenceId, err: (error as Error).message },
        'usernames not resolved',
      );
      return {};
    }
  }

  // ---- end -------------------------------------------------------------------------------------------

  async end(identity: string, conferenceId: string): Promise<void> {
    const record = await this.get(identity, conferenceId);
    if (record.owner !== identity)
      throw new ConferenceError(C.NotOwner, 'only the owner may end the conference');
    if (record.status === 'ended') return;
    const coremx = this.o.placement.find(record.coremxId);
    if (coremx && coremx.liveness !== 'down') {
      try {
        await this.o.cash.end(cashApiUrlOf(coremx), conferenceId, identity);
      } catch (error) {
        if (!(error instanceof CashCallError && error.kind === 'not-found')) {
          throw new ConferenceError(
            C.CoreMxUnavailable,
            `the CoreMX of ${conferenceId} could not end it now; retry`,
            undefined,
            RETRY_AFTER_S,
          );
        }
      }
    }
    await this.o.records.update(conferenceId, (r) => endedConference(r, this.isoNow()));
    this.o.log.info({ conferenceId, by: identity }, 'conference ended by its owner');
  }

  // ---- join ------------------------------------------------------------------------------------------

  async join(caller: Caller, addressText: string): Promise<JoinAnswer> {
    const parsed = parseConferenceAddress(addressText);
    if (!parsed.ok) {
      this.o.onJoin?.('bad-address');
      throw new ConferenceError(C.AddressInvalid, parsed.message, {
        part: parsed.part,
        reason: parsed.code,
        ...(parsed.position !== undefined ? { position: parsed.position } : {}),
      });
    }
    this.rateLimit(this.joinLimiter, caller.identity, 'joins');
    const { conferenceId, mixerAddress } = parsed.address;
    const record = await this.o.records.lookup(conferenceId);
    if (!record || !mixersOf(record).includes(mixerAddress)) {
      this.o.onJoin?.('not-found');
      throw notFound(conferenceId);
    }
    // Not entitled is answered exactly like unknown (status, code, body): joining must not tell a stranger
    // which private conferences exist. Only the metrics tell the two apart.
    if (!isEntitled(record, caller.identity)) {
      this.o.onJoin?.('not-entitled');
      throw notFound(conferenceId);
    }
    if (record.status === 'ended') {
      this.o.onJoin?.('ended');
      throw new ConferenceError(C.Ended, `the conference ${conferenceId} has ended`);
    }
    const live = record.status === 'idle' ? await this.reopen(record) : record;
    const coremx = this.o.placement.find(live.coremxId);
    // Not answering (suspect) or declared down: its conferences are being moved, which takes seconds.
    const failover = coremx !== undefined && (coremx.liveness !== 'alive' || coremx.state === 'down');
    if (!this.o.placement.usable(coremx)) {
      this.o.onJoin?.('coremx-unavailable');
      throw new ConferenceError(
        C.CoreMxUnavailable,
        failover
          ? `the CoreMX of ${conferenceId} is not answering; the conference moves to another CoreMX: retry in a second`
          : `the CoreMX of ${conferenceId} cannot take joins now (${describe(coremx)}); retry`,
        failover ? { failover: true } : undefined,
        failover ? FAILOVER_RETRY_AFTER_S : RETRY_AFTER_S,
      );
    }
    const isOwner = record.owner === caller.identity;
    const rules = ROOM_TYPE_RULES[live.type];
    const role: RoomRole = !rules.viewers || isOwner ? 'publisher' : 'viewer';
    let issued: { ticket: string; ticketId: string; expiresAt: string };
    try {
      issued = await this.o.tickets.issue({
        coremxId: coremx.coremxId,
        subject: caller.identity,
        conferenceId,
        ...(caller.name ? { displayName: caller.name.slice(0, 100) } : {}),
        // The owner publishes when a slot is free (the room rules decide); others start as viewers.
        ...(rules.viewers && !isOwner ? { role: 'viewer' as const } : {}),
        roomType: live.type,
        ttlSeconds: this.o.ticketTtlS,
        // Auth checks it against its revocations: a token revoked since this registry verified it gets no ticket.
        ...(caller.accessToken ? { subjectToken: caller.accessToken } : {}),
      });
    } catch (error) {
      const refused = subjectRefusal(error);
      if (refused) {
        this.o.onJoin?.('subject-refused');
        this.o.log.info(
          { conferenceId, subject: caller.identity, code: (error as { code?: string }).code },
          'join ticket refused for the subject',
        );
        throw refused;
      }
      this.o.onJoin?.('ticket-unavailable');
      this.o.log.warn({ conferenceId, err: (error as Error).message }, 'join ticket not issued');
      throw new ConferenceError(
        C.TicketUnavailable,
        'the join ticket could not be issued; retry',
        undefined,
        RETRY_AFTER_S,
      );
    }
    const address = formatConferenceAddress({ conferenceId, mixerAddress: coremx.address });
    const fragment = new URLSearchParams({ ticket: issued.ticket, signal: coremx.signalingUrl, address });
    this.o.onJoin?.('ok');
    return {
      conferenceId,
      address,
      coremxId: coremx.coremxId,
      signalingUrl: coremx.signalingUrl,
      ...issued,
      role,
      webUrl: `${this.o.webBaseUrl}/join/${conferenceId}#${fragment.toString()}`,
    };
  }

  /**
   * Seed `002_*`, create on join: an idle conference (its room emptied, its reservation ran out, its
   * CoreMX stopped or drained) gets a room again at its first join — on its CoreMX when that one can
   * take it, else wherever placement puts it (the old address keeps resolving). Joins racing to reopen
   * it agree through the record's compare-and-set; the directory reaches the same record from the
   * `room.reserved` that follows. When the platform closed its last room (a drain) a moment ago, the
   * people who were in it go with the reservation (`returning`): they come back with their roles.
   */
  private async reopen(record: ConferenceRecord): Promise<ConferenceRecord> {
    const { conferenceId } = record;
    const returning = returningParticipantsOf(record, this.o.clock.now());
    const request: ReserveRequest = {
      ...reserveRequestOf(record),
      ...(returning.length ? { returning } : {}),
    };
    const placed = await this.reserve(
      () => this.o.placement.reuseOrPlace(request, record.coremxId),
      () => this.o.onJoin?.('coremx-unavailable'),
    );
    const to = placed.coremx;
    const current = await this.o.records.update(conferenceId, (r) =>
      reopenedConference(r, to, this.isoNow()),
    );
    if (!current) throw notFound(conferenceId);
    this.o.log.info(
      {
        conferenceId,
        coremxId: current.coremxId,
        reserved: to.coremxId,
        reason: placed.reason,
        returning: returning.length,
      },
      'idle conference reopened by a join',
    );
    return current;
  }

  // ---- helpers ---------------------------------------------------------------------------------------

  /** Runs a placement; a refusal becomes `NoCoreMxAvailable` with a retry delay and is counted by `refused` (a metrics hook). */
  private async reserve(
    work: () => Promise<Placement>,
    refused: () => void,
  ): Promise<Extract<Placement, { ok: true }>> {
    let placed: Placement;
    try {
      placed = await work();
    } catch (error) {
      if (error instanceof CashCallError) refused();
      if (error instanceof CashCallError)
        throw new ConferenceError(
          C.NoCoreMxAvailable,
          `the CoreMX refused the conference: ${error.message}`,
          undefined,
          RETRY_AFTER_S,
        );
      throw error;
    }
    if (!placed.ok) {
      refused();
      throw new ConferenceError(
        C.NoCoreMxAvailable,
        `no CoreMX can host the conference now: ${placed.reason}`,
        undefined,
        placed.retryAfterS || RETRY_AFTER_S,
      );
    }
    return placed;
  }

  private rateLimit(limiter: RateLimiter, identity: string, what: string): void {
    const decision = limiter.take(identity);
    if (decision.allowed) return;
    const retryAfterS = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new ConferenceError(
      C.RateLimited,
      `too many ${what}; retry in ${retryAfterS} s`,
      undefined,
      retryAfterS,
    );
  }

  private isoNow(): string {
    return new Date(this.o.clock.now()).toISOString();
  }
}

function describe(coremx: CoreMxView | undefined): string {
  if (!coremx) return 'unknown';
  if (coremx.liveness !== 'alive') return coremx.liveness;
  return coremx.state;
}

/** A fresh conference id: `c-` and 12 base-36 characters. */
export function newConferenceId(): string {
  const bytes = randomBytes(12);
  let id = 'c-';
  for (const b of bytes) id += (b % 36).toString(36);
  return id;
}
