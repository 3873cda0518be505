/** Shared by the conference service specs: a registry process with in-memory store, fake CASH, fake ticket issuer. */
import type { AccountLimits } from '@hoot/domain';
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

export const quiet = { info: () => undefined, warn: () => undefined };

export function coremx(id: string, cloud: string, over: Partial<CoreMxView> = {}): CoreMxView {
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
export class FakeCash implements CashClient {
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

export const alice: Caller = { identity: 'acc_alice', name: 'Alice', accessToken: 'token-alice' };
export const bob: Caller = { identity: 'acc_bob', name: 'Bob', accessToken: 'token-bob' };
export const mallory: Caller = { identity: 'acc_mallory', name: 'Mallory', accessToken: 'token-mallory' };
const USERS: Record<string, string> = { bob: 'acc_bob', carol: 'acc_carol' };

/** The options of both services of a registry process (they share `records`). */
export type Options = ConferenceServiceOptions & RehomingServiceOptions;

export function setup(over: Partial<Options> = {}, views?: CoreMxView[]) {
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
export async function failure(work: Promise<unknown>): Promise<HootException> {
  try {
    await work;
  } catch (error) {
    if (error instanceof ConferenceError) return conferenceProblem(error);
    throw error;
  }
  throw new Error('expected a HootException');
}
