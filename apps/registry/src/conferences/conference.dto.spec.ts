import type { ArgumentMetadata } from '@nestjs/common';
import {
  MAX_ALLOWED,
  REGISTRY_API_LIMITS,
  validateCreateConference,
  validateJoinRequest,
  validateListConferencesQuery,
  validateRouletteQuery,
  type ConferencePage,
  type ContractCheck,
  type CoreMxAnswer,
  type CreateConferenceInput,
  type GcasAnswer,
  type JoinAnswer,
  type JoinRequest,
  type ListConferencesQuery as ListConferencesQueryContract,
  type RegistriesAnswer,
  type RouletteAnswer,
  type RouletteEntry as RouletteEntryContract,
} from '@hoot/contracts';
import { HootException, StrictValidationPipe } from '@hoot/service-kit';
import type { ReadController } from '../read/read.controller';
import { RouletteQueryDto } from '../read/read.controller';
import type { RouletteEntry } from '../read/roulette';
import type { ConferencesController } from './conferences.controller';
import type { ConferenceService } from './conference.service';

/** What the service takes to create a conference and answers to a join (the contract's types, not copies). */
type ServiceCreateInput = Parameters<ConferenceService['create']>[1];
type ServiceJoinAnswer = Awaited<ReturnType<ConferenceService['join']>>;
import { CreateConferenceDto, JoinDto, ListConferencesQuery, type ConferenceView } from './conference.dto';

/** `true` only when A and B are the same type (each assignable to the other). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** `true` only when A is assignable to B. */
type Fits<A, B> = [A] extends [B] ? true : false;
type Answer<M extends (...args: never[]) => unknown> = Awaited<ReturnType<M>>;

/**
 * Compile-time: each DTO class and each answer of the registry is the contract's type (`@hoot/contracts`), so
 * the registry and its clients cannot drift apart field by field. A `false` here does not compile.
 */
const contract: Record<string, true> = {
  createBody: true satisfies Same<CreateConferenceDto, CreateConferenceInput>,
  joinBody: true satisfies Same<JoinDto, JoinRequest>,
  listQuery: true satisfies Same<ListConferencesQuery, ListConferencesQueryContract>,
  // The service takes every body the contract allows.
  serviceInput: true satisfies Fits<CreateConferenceInput, ServiceCreateInput>,
  created: true satisfies Fits<Answer<ConferencesController['create']>, ConferenceView>,
  got: true satisfies Fits<Answer<ConferencesController['get']>, ConferenceView>,
  listed: true satisfies Fits<Answer<ConferencesController['list']>, ConferencePage>,
  joined: true satisfies Same<ServiceJoinAnswer, JoinAnswer>,
  joinAnswer: true satisfies Fits<Answer<ConferencesController['join']>, JoinAnswer>,
  gcas: true satisfies Fits<ReturnType<ReadController['gcas']>, GcasAnswer>,
  registries: true satisfies Fits<ReturnType<ReadController['registries']>, RegistriesAnswer>,
  coremx: true satisfies Fits<ReturnType<ReadController['coremx']>, CoreMxAnswer>,
  roulette: true satisfies Fits<ReturnType<ReadController['roulette']>, RouletteAnswer>,
  rouletteEntry: true satisfies Same<RouletteEntry, RouletteEntryContract>,
};

const pipe = new StrictValidationPipe();

/** What the registry's pipe says about an input: ok, or the sorted names of the refused fields. */
async function byDto(value: unknown, metatype: ArgumentMetadata['metatype'], type: 'body' | 'query') {
  try {
    await pipe.transform(value, { type, metatype });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(HootException);
    const fields = ((error as HootException).details?.fields ?? []) as Array<{ field: string }>;
    return fields.map((f) => f.field).sort();
  }
}

const byContract = (check: ContractCheck<unknown>) =>
  check.ok ? [] : check.fields.map((f) => f.field).sort();

const ACCOUNT_ID = 'acc_0b6f3c1e-6a8f-4c3e-9d5e-2f1a7b9c8d4e';
const many = (n: number) => Array.from({ length: n }, (_, i) => `user-${i}`);
const MAX_PARTICIPANTS = REGISTRY_API_LIMITS.maxParticipants.max;

describe('the registry API contract', () => {
  it('holds every DTO and answer of the registry to the contract types (compile time)', () => {
    expect(Object.values(contract).every(Boolean)).toBe(true);
  });

  it('refuses and accepts the same create bodies as the contract validator, naming the same fields', async () => {
    const bodies: unknown[] = [
      { type: 'm2m', allowed: [] },
      {
        id: 'standup',
        type: 'p2m',
        allowed: ['bob', ACCOUNT_ID],
        public: true,
        settings: { maxParticipants: 10 },
      },
      { type: 'm2m', allowed: many(MAX_ALLOWED) },
      { type: 'm2m', allowed: many(MAX_ALLOWED + 1) },
      { type: 'm2m', allowed: [], settings: { maxParticipants: MAX_PARTICIPANTS } },
      { type: 'm2m', allowed: [], settings: { maxParticipants: MAX_PARTICIPANTS + 1 } },
      { type: 'm2m', allowed: [], settings: { maxParticipants: 0 } },
      { type: 'm2m', allowed: [], settings: { maxParticipants: 2.5 } },
      { type: 'm2m', allowed: [], settings: { colour: 'red' } },
      { id: 'No', type: 'x2y', allowed: ['B O B'], public: 'yes', extra: 1 },
      { type: 'm2m' },
      { type: 'm2m', allowed: 'bob' },
      { type: 'm2m', allowed: [7] },
      { id: null, type: 'p2p', allowed: [], public: null },
      [],
      'text',
    ];
    for (const body of bodies)
      expect([body, await byDto(body, CreateConferenceDto, 'body')]).toEqual([
        body,
        byContract(validateCreateConference(body)),
      ]);
  });

  it('agrees on join bodies and on list and roulette queries', async () => {
    for (const body of [
      { address: 'hoot.mx://a-b@c' },
      { address: 'x'.repeat(401) },
      { address: 7 },
      {},
      { address: 'a', x: 1 },
    ])
      expect([body, await byDto(body, JoinDto, 'body')]).toEqual([
        body,
        byContract(validateJoinRequest(body)),
      ]);
    for (const query of [
      {},
      { limit: '20' },
      { limit: '0' },
      { limit: '101' },
      { limit: 'x' },
      { after: 'standup' },
      { after: 'A!' },
      { page: '2' },
    ])
      expect([query, await byDto(query, ListConferencesQuery, 'query')]).toEqual([
        query,
        byContract(validateListConferencesQuery(query)),
      ]);
    // The controller adds "both coordinates or neither" (`query`) after the DTO; the contract checks it in one go.
    for (const query of [
      {},
      { region: 'eu-west' },
      { region: 'EU' },
      { lat: '48.8', lon: '2.3' },
      { lat: '91', lon: '0' },
      { lat: '0', lon: '-181' },
    ])
      expect([query, await byDto(query, RouletteQueryDto, 'query')]).toEqual([
        query,
        byContract(validateRouletteQuery(query)),
      ]);
  });
});
