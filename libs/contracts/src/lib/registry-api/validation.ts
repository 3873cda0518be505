import { CONFERENCE_ID_PATTERN, ROOM_TYPES, type RoomType } from '@hoot/domain';
import type { CreateConferenceInput, JoinRequest, ListConferencesQuery } from './conferences';
import type { RouletteQuery } from './read';
import type { RecordingCommandInput } from './recordings';
import {
  IDENTITY_PATTERN,
  MAX_ALLOWED,
  REGION_PATTERN,
  REGISTRY_API_LIMITS as L,
} from './registry-api.limits';

/** One refused field, as a `request.invalid` problem lists it (`details.fields`). */
export interface FieldProblem {
  /** Dotted path of the field (`settings.maxParticipants`), or `body` / `query` for the whole. */
  field: string;
  problems: string[];
}

/** What a validator of this contract answers: the checked value, or every field that is wrong. */
export type ContractCheck<T> = { ok: true; value: T } | { ok: false; fields: FieldProblem[] };

/**
 * The pure validators below check what the registry's DTOs check (the registry's spec runs both on the same
 * inputs): the same fields, the same bounds, unknown fields refused. Absent means `undefined` or `null`, as
 * for class-validator's `@IsOptional`. They never throw and never change their input.
 */
type Fields = Record<string, unknown>;

class Problems {
  readonly list: FieldProblem[] = [];
  add(field: string, problem: string): void {
    const entry = this.list.find((f) => f.field === field);
    if (entry) entry.problems.push(problem);
    else this.list.push({ field, problems: [problem] });
  }
  result<T>(value: () => T): ContractCheck<T> {
    return this.list.length ? { ok: false, fields: this.list } : { ok: true, value: value() };
  }
}

const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const absent = (value: unknown): value is null | undefined => value === undefined || value === null;

function onlyKnown(fields: Fields, known: readonly string[], problems: Problems, parent = ''): void {
  for (const key of Object.keys(fields))
    if (!known.includes(key)) problems.add(parent + key, `property ${key} should not exist`);
}

function wholeMustBeObject(input: unknown, what: 'body' | 'query'): ContractCheck<never> | undefined {
  if (isObject(input)) return undefined;
  return { ok: false, fields: [{ field: what, problems: [`${what} must be a JSON object`] }] };
}

function integerIn(value: unknown, bounds: { min: number; max: number }): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= bounds.min && value <= bounds.max;
}

/** A query value as the registry converts it (`@Type(() => Number)`): a number, or text read as one. */
function queryNumber(value: unknown): unknown {
  return typeof value === 'string' ? Number(value) : value;
}

/** Whether `value` names a person: an account id (`acc_…`) or a username. */
export function isIdentity(value: unknown): value is string {
  return typeof value === 'string' && IDENTITY_PATTERN.test(value);
}

/** `POST /v1/conferences` body. */
export function validateCreateConference(input: unknown): ContractCheck<CreateConferenceInput> {
  const notObject = wholeMustBeObject(input, 'body');
  if (notObject) return notObject;
  const body = input as Fields;
  const problems = new Problems();
  onlyKnown(body, ['id', 'type', 'allowed', 'public', 'settings'], problems);
  if (!absent(body.id) && !(typeof body.id === 'string' && CONFERENCE_ID_PATTERN.test(body.id)))
    problems.add('id', 'id must match [a-z0-9][a-z0-9-]{2,63}');
  if (!(ROOM_TYPES as readonly unknown[]).includes(body.type))
    problems.add('type', `type must be one of the following values: ${ROOM_TYPES.join(', ')}`);
  if (!Array.isArray(body.allowed)) problems.add('allowed', 'allowed must be an array');
  else {
    if (body.allowed.length > MAX_ALLOWED)
      problems.add('allowed', `allowed holds at most ${MAX_ALLOWED} identities`);
    if (!body.allowed.every(isIdentity))
      problems.add('allowed', 'allowed must hold usernames or account ids');
  }
  if (!absent(body.public) && typeof body.public !== 'boolean')
    problems.add('public', 'public must be a boolean');
  if (!absent(body.settings)) {
    if (!isObject(body.settings)) problems.add('settings', 'settings must be an object');
    else {
      onlyKnown(body.settings, ['maxParticipants'], problems, 'settings.');
      const max = body.settings.maxParticipants;
      if (!absent(max) && !integerIn(max, L.maxParticipants))
        problems.add(
          'settings.maxParticipants',
          `maxParticipants must be an integer from ${L.maxParticipants.min} to ${L.maxParticipants.max}`,
        );
    }
  }
  return problems.result(() => {
    const settings = isObject(body.settings) ? body.settings : undefined;
    return {
      ...(absent(body.id) ? {} : { id: body.id as string }),
      type: body.type as RoomType,
      allowed: [...(body.allowed as string[])],
      ...(absent(body.public) ? {} : { public: body.public as boolean }),
      ...(settings
        ? {
            settings: absent(settings.maxParticipants)
              ? {}
              : { maxParticipants: settings.maxParticipants as number },
          }
        : {}),
    };
  });
}

/** `GET /v1/conferences` query (values as parsed from the URL, text, or already numbers). */
export function validateListConferencesQuery(input: unknown): ContractCheck<ListConferencesQuery> {
  const notObject = wholeMustBeObject(input, 'query');
  if (notObject) return notObject;
  const query = input as Fields;
  const problems = new Problems();
  onlyKnown(query, ['limit', 'after'], problems);
  const limit = queryNumber(query.limit);
  if (!absent(limit) && !integerIn(limit, L.pageLimit))
    problems.add('limit', `limit must be an integer from ${L.pageLimit.min} to ${L.pageLimit.max}`);
  if (!absent(query.after) && !(typeof query.after === 'string' && CONFERENCE_ID_PATTERN.test(query.after)))
    problems.add('after', 'after must be a conference id');
  return problems.result(() => ({
    ...(absent(limit) ? {} : { limit: limit as number }),
    ...(absent(query.after) ? {} : { after: query.after as string }),
  }));
}

/** `POST /v1/join` body (the address itself is parsed by `parseConferenceAddress` of the domain). */
export function validateJoinRequest(input: unknown): ContractCheck<JoinRequest> {
  const notObject = wholeMustBeObject(input, 'body');
  if (notObject) return notObject;
  const body = input as Fields;
  const problems = new Problems();
  onlyKnown(body, ['address'], problems);
  if (typeof body.address !== 'string') problems.add('address', 'address must be a string');
  else if (body.address.length > L.joinAddressMaxLength)
    problems.add('address', `address must be at most ${L.joinAddressMaxLength} characters`);
  return problems.result(() => ({ address: body.address as string }));
}

/** `GET /v1/roulette` query: an optional region, and both coordinates or neither. */
export function validateRouletteQuery(input: unknown): ContractCheck<RouletteQuery> {
  const notObject = wholeMustBeObject(input, 'query');
  if (notObject) return notObject;
  const query = input as Fields;
  const problems = new Problems();
  onlyKnown(query, ['region', 'lat', 'lon'], problems);
  if (!absent(query.region) && !(typeof query.region === 'string' && REGION_PATTERN.test(query.region)))
    problems.add('region', 'region must match [a-z0-9-]{1,32}');
  const lat = queryNumber(query.lat);
  const lon = queryNumber(query.lon);
  const inRange = (value: unknown, bounds: { min: number; max: number }) =>
    typeof value === 'number' && Number.isFinite(value) && value >= bounds.min && value <= bounds.max;
  if (!absent(lat) && !inRange(lat, L.latitude))
    problems.add('lat', `lat must be a number from ${L.latitude.min} to ${L.latitude.max}`);
  if (!absent(lon) && !inRange(lon, L.longitude))
    problems.add('lon', `lon must be a number from ${L.longitude.min} to ${L.longitude.max}`);
  if (!problems.list.length && absent(lat) !== absent(lon))
    problems.add('query', 'give both lat and lon, or neither');
  return problems.result(() => ({
    ...(absent(query.region) ? {} : { region: query.region as string }),
    ...(absent(lat) ? {} : { lat: lat as number }),
    ...(absent(lon) ? {} : { lon: lon as number }),
  }));
}

/** `POST /v1/conferences/:id/recording` body: `action` start or stop, nothing else (the owner is the caller). */
export function validateRecordingCommand(input: unknown): ContractCheck<RecordingCommandInput> {
  const notObject = wholeMustBeObject(input, 'body');
  if (notObject) return notObject;
  const body = input as Fields;
  const problems = new Problems();
  onlyKnown(body, ['action'], problems);
  if (body.action !== 'start' && body.action !== 'stop')
    problems.add('action', 'action must be start or stop');
  return problems.result(() => ({ action: body.action as RecordingCommandInput['action'] }));
}
