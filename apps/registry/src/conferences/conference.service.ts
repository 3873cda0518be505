import { randomBytes } from 'node:crypto';
import {
  AuthErrorCode,
  ConferenceErrorCode as C,
  TokenRejection,
  ROOM_TYPE_RULES,
  formatConferenceAddress,
  isEntitled,
  mixersOf,
  ROOM_RECONNECT_DEFAULTS,
  parseConferenceAddress,
  returningParticipantsOf,
  type AccountLimits,
  type Clock,
  type ConferenceRecord,
  type RoomRole,
  type RoomType,
} from '@hoot/domain';
import type { ConferenceStore } from '@hoot/mongo';
import { HootException, RateLimiter } from '@hoot/service-kit';
import type { CoreMxView } from '../gcas/registry-node';
import { CashCallError, cashApiUrlOf, type CashClient, type ReserveRequest } from './cash.client';
import { movedParticipantsOf } from './directory.reducer';
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

/**
 * Auth's refusals of a join ticket because of the subject (`auth.subject-*`, 403) and what the user gets
 * for each: the same codes the registry's own verifier uses for a revoked token or a disabled account.
 */
const SUBJECT_REFUSALS: Record<string, { code: TokenRejection; status: number; message: string }> = {
  [AuthErrorCode.SubjectRevoked]: {
    code: TokenRejection.Revoked,
    status: 401,
    message: 'your access token was revoked; sign in again',
  },
  [AuthErrorCode.SubjectTokenInvalid]: {
    code: TokenRejection.Revoked,
    status: 401,
    message: 'your access token is no longer accepted; sign in again',
  },
  [AuthErrorCode.SubjectDisabled]: {
    code: TokenRejection.AccountDisabled,
    status: 403,
    message: 'your account is disabled',
  },
};

/** The user-facing refusal when `error` is auth refusing the subject itself (not retryable), else undefined. */
function subjectRefusal(error: unknown): HootException | undefined {
  const { status, code } = (error ?? {}) as { status?: unknown; code?: unknown };
  if (status !== 403 || typeof code !== 'string' || !Object.hasOwn(SUBJECT_REFUSALS, code)) return undefined;
  const refusal = SUBJECT_REFUSALS[code];
  return new HootException(
    refusal.code,
    refusal.status,
    refusal.message,
    undefined,
    refusal.status === 401
      ? {
          'www-authenticate': `Bearer realm="hoot", error="invalid_token", error_description="${refusal.message}"`,
        }
      : undefined,
  );
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

export interface CreateConferenceInput {
  id?: string;
  type: RoomType;
  allowed?: string[];
  public?: boolean;
  settings?: { maxParticipants?: number };
}

export interface ConferenceServiceOptions {
  store: ConferenceStore;
  placement: PlacementService;
  cash: CashClient;
  tickets: TicketIssuer;
  limitsOf: LimitsOf;
  resolveIdentities: ResolveIdentities;
  /** Names people in conference views; optional (views then carry ids only). */
  usernamesOf?: UsernamesOf;
  clock: Clock;
  ownCloud: string;
  /** This process (a replica of the registry node): holder of re-home leases. */
  instanceId: string;
  isPrimary: () => boolean;
  /**
   * Does this registry judge the CoreMX of `cloud` (move their conferences when they are down)? Its own
   * cloud while it is the primary, and a lost cloud's when it is that cloud's deputy (gossip's `judgeOf`).
   * Default: its own cloud, while `isPrimary()`.
   */
  judges?: (cloud: string) => boolean;
  webBaseUrl: string;
  ticketTtlS: number;
  createRatePerMin: number;
  joinRatePerMin: number;
  log: { info(data: object, message: string): void; warn(data: object, message: string): void };
  /** Hooks for metrics. */
  onJoin?: (outcome: string) => void;
  onCreate?: (outcome: string) => void;
  onRehome?: (outcome: string) => void;
}

export interface JoinAnswer {
  conferenceId: string;
  /** The conference's current address (differs from the one asked for after a move). */
  address: string;
  coremxId: string;
  signalingUrl: string;
  ticket: string;
  ticketId: string;
  expiresAt: string;
  role: RoomRole;
  /** Opens the web app straight into the conference (the ticket is in the fragment, never sent to a server). */
  webUrl: string;
}

const REHOME_LEASE_MS = 30_000;
/**
 * Joins read the directory through a cache this fresh: a burst of joins to one conference costs one read,
 * and a change (a move, an end) is seen within it; this process's own writes drop the entry at once.
 */
const JOIN_LOOKUP_TTL_MS = 1_000;
const JOIN_LOOKUP_MAX_ENTRIES = 10_000;
const RETRY_AFTER_S = 5;
/** While a CoreMX fails over (suspect, or down and not yet re-homed): the move takes seconds. */
const FAILOVER_RETRY_AFTER_S = 1;

/**
 * Conferences at a registry: create (placed, reserved on a CASH, persisted), read, list, end, join
 * (resolve the address in the directory, check entitlement, issue a join ticket) and re-homing of the
 * conferences of a CoreMX declared down (by the primary of that CoreMX's cloud only).
 */
export class ConferenceService {
  private readonly createLimiter: RateLimiter;
  private readonly joinLimiter: RateLimiter;
  private readonly lookups = new Map<string, { record: ConferenceRecord; until: number }>();

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
    const existing = await this.o.store.get(conferenceId);
    if (existing && existing.owner !== null && existing.owner !== caller.identity) {
      this.o.onCreate?.('id-taken');
      throw new HootException(C.IdTaken, 409, `the conference id ${conferenceId} is taken`);
    }
    if (existing && existing.status !== 'ended') {
      this.o.onCreate?.('existing');
      return { record: existing, created: false };
    }
    const limits = await this.o.limitsOf(caller.accessToken);
    if (limits) {
      const open = await this.o.store.countOpenByOwner(caller.identity);
      if (open >= limits.maxConferences) {
        this.o.onCreate?.('limit');
        throw new HootException(
          C.LimitReached,
          403,
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
      throw new HootException(C.UnknownIdentity, 400, `no account for: ${unknown.join(', ')}`, { unknown });
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
    const now = new Date(this.o.clock.now()).toISOString();
    const record: ConferenceRecord = {
      conferenceId,
      owner: caller.identity,
      type: input.type,
      allowed,
      public: request.public ?? false,
      maxParticipants: maxParticipants ?? null,
      coremxId: placed.coremx.coremxId,
      mixerAddress: placed.coremx.address,
      previousMixers: existing ? mixersOf(existing).filter((m) => m !== placed.coremx.address) : [],
      status: 'reserved',
      participants: 0,
      roster: [],
      returning: null,
      createdAt: now,
      updatedAt: now,
      endedAt: null,
      applied: existing?.applied ?? {},
      reservedEventId: null,
      rehomeLease: null,
      rev: (existing?.rev ?? 0) + 1,
    };
    if (await this.o.store.compareAndSet(record)) {
      this.lookups.delete(conferenceId);
      this.o.onCreate?.('created');
      return { record, created: true };
    }
    // The directory (its `room.reserved`) or a concurrent create got there first: theirs is the record.
    // When the room is the one our reservation made (CASH created it, on the CoreMX the record names),
    // the directory only wrote our creation down before us: it is still a creation.
    const now2 = await this.o.store.get(conferenceId);
    if (now2 && now2.owner === caller.identity) {
      const ours = placed.created && now2.coremxId === placed.coremx.coremxId && now2.status !== 'ended';
      if (ours) this.o.onCreate?.('created');
      return { record: now2, created: ours };
    }
    throw new HootException(C.IdTaken, 409, `the conference id ${conferenceId} is taken`);
  }

  // ---- read ------------------------------------------------------------------------------------------

  /** The conference if the caller may see it (owner, allowed, public); else 404 whether or not it exists. */
  async get(identity: string, conferenceId: string): Promise<ConferenceRecord> {
    const record = await this.o.store.get(conferenceId);
    if (!record || !isEntitled(record, identity)) throw notFound(conferenceId);
    return record;
  }

  async list(
    identity: string,
    limit: number,
    after?: string,
  ): Promise<{ items: ConferenceRecord[]; next: string | null }> {
    const items = await this.o.store.listByOwner(identity, limit + 1, after);
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
      throw new HootException(C.NotOwner, 403, 'only the owner may end the conference');
    if (record.status === 'ended') return;
    const coremx = this.o.placement.find(record.coremxId);
    if (coremx && coremx.liveness !== 'down') {
      try {
        await this.o.cash.end(cashApiUrlOf(coremx), conferenceId, identity);
      } catch (error) {
        if (!(error instanceof CashCallError && error.kind === 'not-found')) {
          throw new HootException(
            C.CoreMxUnavailable,
            503,
            `the CoreMX of ${conferenceId} could not end it now; retry`,
            undefined,
            { 'Retry-After': String(RETRY_AFTER_S) },
          );
        }
      }
    }
    await this.update(conferenceId, (r) =>
      r.status === 'ended'
        ? undefined
        : {
            ...r,
            status: 'ended',
            participants: 0,
            roster: [],
            returning: null,
            endedAt: this.isoNow(),
            updatedAt: this.isoNow(),
          },
    );
    this.o.log.info({ conferenceId, by: identity }, 'conference ended by its owner');
  }

  // ---- join ------------------------------------------------------------------------------------------

  async join(caller: Caller, addressText: string): Promise<JoinAnswer> {
    const parsed = parseConferenceAddress(addressText);
    if (!parsed.ok) {
      this.o.onJoin?.('bad-address');
      throw new HootException(C.AddressInvalid, 400, parsed.message, {
        part: parsed.part,
        reason: parsed.code,
        ...(parsed.position !== undefined ? { position: parsed.position } : {}),
      });
    }
    this.rateLimit(this.joinLimiter, caller.identity, 'joins');
    const { conferenceId, mixerAddress } = parsed.address;
    const record = await this.lookup(conferenceId);
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
      throw new HootException(C.Ended, 410, `the conference ${conferenceId} has ended`);
    }
    const live = record.status === 'idle' ? await this.reopen(record) : record;
    const coremx = this.o.placement.find(live.coremxId);
    // Not answering (suspect) or declared down: its conferences are being moved, which takes seconds.
    const failover = coremx !== undefined && (coremx.liveness !== 'alive' || coremx.state === 'down');
    if (!this.o.placement.usable(coremx)) {
      this.o.onJoin?.('coremx-unavailable');
      throw new HootException(
        C.CoreMxUnavailable,
        503,
        failover
          ? `the CoreMX of ${conferenceId} is not answering; the conference moves to another CoreMX: retry in a second`
          : `the CoreMX of ${conferenceId} cannot take joins now (${describe(coremx)}); retry`,
        failover ? { failover: true } : undefined,
        { 'Retry-After': String(failover ? FAILOVER_RETRY_AFTER_S : RETRY_AFTER_S) },
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
      throw new HootException(
        C.TicketUnavailable,
        503,
        'the join ticket could not be issued; retry',
        undefined,
        {
          'Retry-After': String(RETRY_AFTER_S),
        },
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
    const current = await this.update(conferenceId, (r) =>
      r.status !== 'idle'
        ? undefined
        : {
            ...r,
            coremxId: to.coremxId,
            mixerAddress: to.address,
            previousMixers: [...new Set([r.mixerAddress, ...r.previousMixers])].filter(
              (m) => m !== to.address,
            ),
            status: 'reserved',
            participants: 0,
            roster: [],
            returning: null,
            updatedAt: this.isoNow(),
          },
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

  // ---- re-homing -------------------------------------------------------------------------------------

  /**
   * Moves every open conference of a CoreMX this registry judges (`judges`: its own cloud's while it is
   * the primary, a lost cloud's while it is its deputy) that is declared down to a healthy CoreMX (the new CASH publishes `conference.moved`). A lease
   * written with compare-and-set makes exactly one replica move each conference.
   */
  async rehomeDown(coremx: readonly CoreMxView[]): Promise<number> {
    const judges = this.o.judges ?? ((cloud: string) => cloud === this.o.ownCloud && this.o.isPrimary());
    const down = coremx.filter((c) => c.liveness === 'down' && judges(c.cloud)).map((c) => c.coremxId);
    if (!down.length) return 0;
    let moved = 0;
    for (const record of await this.o.store.listOpenOn(down, 200)) {
      if (await this.rehome(record)) moved++;
    }
    return moved;
  }

  private async rehome(record: ConferenceRecord): Promise<boolean> {
    const now = this.o.clock.now();
    if (
      record.rehomeLease &&
      record.rehomeLease.until > now &&
      record.rehomeLease.holder !== this.o.instanceId
    )
      return false;
    const leased: ConferenceRecord = {
      ...record,
      rehomeLease: { holder: this.o.instanceId, until: now + REHOME_LEASE_MS },
      rev: record.rev + 1,
    };
    if (!(await this.o.store.compareAndSet(leased))) return false;
    const from = record.coremxId;
    const placed: Placement = await this.o.placement
      .place(
        {
          ...reserveRequestOf(record),
          movedFrom: {
            coremxId: from,
            reason: 'coremx-down',
            participants: movedParticipantsOf(record.roster, ROOM_RECONNECT_DEFAULTS.maxDeparted),
          },
        },
        [from],
      )
      .catch((error: unknown) => ({
        ok: false as const,
        reason: (error as Error).message,
        retryAfterS: 0,
        rejected: [],
      }));
    if (!placed.ok) {
      this.o.onRehome?.('failed');
      this.o.log.warn(
        { conferenceId: record.conferenceId, from, reason: placed.reason },
        're-home failed; will retry',
      );
      await this.update(record.conferenceId, (r) =>
        r.rehomeLease?.holder === this.o.instanceId ? { ...r, rehomeLease: null } : undefined,
      );
      return false;
    }
    const to = placed.coremx;
    await this.update(record.conferenceId, (r) =>
      r.coremxId !== from
        ? undefined
        : {
            ...r,
            coremxId: to.coremxId,
            mixerAddress: to.address,
            previousMixers: [...new Set([r.mixerAddress, ...r.previousMixers])].filter(
              (m) => m !== to.address,
            ),
            status: 'reserved',
            participants: 0,
            roster: [],
            returning: null,
            rehomeLease: null,
            updatedAt: this.isoNow(),
          },
    );
    this.o.onRehome?.('moved');
    this.o.log.info(
      { conferenceId: record.conferenceId, from, to: to.coremxId, reason: placed.reason },
      'conference re-homed off a CoreMX that is down',
    );
    return true;
  }

  // ---- helpers ---------------------------------------------------------------------------------------

  private async lookup(conferenceId: string): Promise<ConferenceRecord | undefined> {
    const now = this.o.clock.now();
    const held = this.lookups.get(conferenceId);
    if (held && held.until > now) return held.record;
    const record = await this.o.store.get(conferenceId);
    // Only found conferences are kept: a conference created a moment ago at another registry must be
    // joinable here as soon as the directory has it, not a cache period later.
    if (!record) return undefined;
    if (this.lookups.size >= JOIN_LOOKUP_MAX_ENTRIES) this.lookups.clear();
    this.lookups.set(conferenceId, { record, until: now + JOIN_LOOKUP_TTL_MS });
    return record;
  }

  /** Read, change, compare-and-set; again on a conflict. `change` returning undefined stops. */
  private async update(
    conferenceId: string,
    change: (r: ConferenceRecord) => ConferenceRecord | undefined,
  ): Promise<ConferenceRecord | undefined> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const current = await this.o.store.get(conferenceId);
      if (!current) return undefined;
      const next = change(current);
      if (!next) return current;
      const written = { ...next, rev: current.rev + 1 };
      if (await this.o.store.compareAndSet(written)) {
        this.lookups.delete(conferenceId);
        return written;
      }
    }
    throw new Error(`conference ${conferenceId}: too many concurrent writes`);
  }

  /** Runs a placement; a refusal becomes 503 + Retry-After and is counted by `refused` (a metrics hook). */
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
        throw new HootException(
          C.NoCoreMxAvailable,
          503,
          `the CoreMX refused the conference: ${error.message}`,
          undefined,
          {
            'Retry-After': String(RETRY_AFTER_S),
          },
        );
      throw error;
    }
    if (!placed.ok) {
      refused();
      throw new HootException(
        C.NoCoreMxAvailable,
        503,
        `no CoreMX can host the conference now: ${placed.reason}`,
        undefined,
        { 'Retry-After': String(placed.retryAfterS || RETRY_AFTER_S) },
      );
    }
    return placed;
  }

  private rateLimit(limiter: RateLimiter, identity: string, what: string): void {
    const decision = limiter.take(identity);
    if (decision.allowed) return;
    const retryAfterS = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new HootException(C.RateLimited, 429, `too many ${what}; retry in ${retryAfterS} s`, undefined, {
      'Retry-After': String(retryAfterS),
    });
  }

  private isoNow(): string {
    return new Date(this.o.clock.now()).toISOString();
  }
}

/** What a CASH is asked to reserve for an existing conference (its owner is admitted as allowed). */
function reserveRequestOf(record: ConferenceRecord): ReserveRequest {
  return {
    id: record.conferenceId,
    type: record.type,
    ...(record.owner ? { owner: record.owner } : {}),
    allowed: record.owner ? [record.owner, ...record.allowed] : record.allowed,
    public: record.public,
    ...(record.maxParticipants !== null ? { maxParticipants: record.maxParticipants } : {}),
  };
}

function notFound(conferenceId: string): HootException {
  return new HootException(C.NotFound, 404, `no conference ${conferenceId}`);
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
