import {
  IDENTITY_PATTERN,
  MAX_ALLOWED,
  REGISTRY_API_LIMITS,
  isIdentity,
  validateCreateConference,
  validateJoinRequest,
  validateListConferencesQuery,
  validateRecordingCommand,
  validateRouletteQuery,
  type ContractCheck,
} from '../../index';

const ACCOUNT_ID = 'acc_0b6f3c1e-6a8f-4c3e-9d5e-2f1a7b9c8d4e';
const fieldsOf = (check: ContractCheck<unknown>): string[] =>
  check.ok ? [] : check.fields.map((f) => f.field);

describe('identities', () => {
  it('are account ids or usernames, nothing else', () => {
    for (const ok of ['bob', 'carol.smith', 'a_b-c', ACCOUNT_ID])
      expect([ok, isIdentity(ok)]).toEqual([ok, true]);
    for (const bad of ['Bob', 'ab', 'ACC_X', ' bob', 'bob@x', '', 7, null, 'b'.repeat(65)])
      expect([bad, isIdentity(bad)]).toEqual([bad, false]);
    expect(IDENTITY_PATTERN.test(ACCOUNT_ID)).toBe(true);
  });
});

describe('validateCreateConference', () => {
  it('accepts the smallest and the fullest valid body, and hands back only what it checked', () => {
    expect(validateCreateConference({ type: 'm2m', allowed: [] })).toEqual({
      ok: true,
      value: { type: 'm2m', allowed: [] },
    });
    const full = {
      id: 'standup',
      type: 'p2m',
      allowed: ['bob', ACCOUNT_ID],
      public: true,
      settings: { maxParticipants: 100_000 },
    };
    expect(validateCreateConference(full)).toEqual({ ok: true, value: full });
    // absent is undefined or null, as for the registry's @IsOptional
    expect(
      validateCreateConference({ id: null, type: 'p2p', allowed: [], public: null, settings: null }),
    ).toEqual({
      ok: true,
      value: { type: 'p2p', allowed: [] },
    });
  });

  it('names every wrong field, and refuses unknown ones', () => {
    const check = validateCreateConference({
      id: 'No',
      type: 'x2y',
      allowed: ['bob', 'B O B'],
      public: 'yes',
      settings: { maxParticipants: 0, colour: 'red' },
      extra: 1,
    });
    expect(fieldsOf(check).sort()).toEqual(
      ['allowed', 'extra', 'id', 'public', 'settings.colour', 'settings.maxParticipants', 'type'].sort(),
    );
  });

  it(`holds allowed to ${MAX_ALLOWED} identities and maxParticipants to its bounds`, () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `user-${i}`);
    expect(validateCreateConference({ type: 'm2m', allowed: many(MAX_ALLOWED) }).ok).toBe(true);
    expect(fieldsOf(validateCreateConference({ type: 'm2m', allowed: many(MAX_ALLOWED + 1) }))).toEqual([
      'allowed',
    ]);
    const max = REGISTRY_API_LIMITS.maxParticipants.max;
    for (const bad of [0, max + 1, 1.5, '10'])
      expect([
        bad,
        fieldsOf(validateCreateConference({ type: 'm2m', allowed: [], settings: { maxParticipants: bad } })),
      ]).toEqual([bad, ['settings.maxParticipants']]);
    expect(fieldsOf(validateCreateConference({ type: 'm2m', allowed: 'bob' }))).toEqual(['allowed']);
    expect(fieldsOf(validateCreateConference({ type: 'm2m', allowed: [], settings: 5 }))).toEqual([
      'settings',
    ]);
  });

  it('refuses a body that is not a JSON object, without throwing', () => {
    for (const body of [null, undefined, [], 'x', 3])
      expect([body, validateCreateConference(body)]).toEqual([
        body,
        { ok: false, fields: [{ field: 'body', problems: ['body must be a JSON object'] }] },
      ]);
  });

  it('never changes its input', () => {
    const input = { type: 'm2m', allowed: ['bob'], settings: { maxParticipants: 5 } };
    const copy = structuredClone(input);
    const check = validateCreateConference(input);
    expect(input).toEqual(copy);
    expect(check.ok && check.value.allowed).not.toBe(input.allowed);
  });
});

describe('validateListConferencesQuery', () => {
  it('reads limit from the URL text, within 1..100, and after as a conference id', () => {
    expect(validateListConferencesQuery({})).toEqual({ ok: true, value: {} });
    expect(validateListConferencesQuery({ limit: '20', after: 'standup' })).toEqual({
      ok: true,
      value: { limit: 20, after: 'standup' },
    });
    for (const limit of ['0', '101', 'abc', '2.5', ''])
      expect([limit, fieldsOf(validateListConferencesQuery({ limit }))]).toEqual([limit, ['limit']]);
    expect(fieldsOf(validateListConferencesQuery({ after: 'A!', page: 2 })).sort()).toEqual([
      'after',
      'page',
    ]);
  });
});

describe('validateJoinRequest', () => {
  it('takes a string address up to its length bound (parsing it is the domain’s job)', () => {
    expect(validateJoinRequest({ address: 'hoot.mx://standup@coremx-1.c1.hoot.mx' }).ok).toBe(true);
    const max = REGISTRY_API_LIMITS.joinAddressMaxLength;
    expect(validateJoinRequest({ address: 'x'.repeat(max) }).ok).toBe(true);
    expect(fieldsOf(validateJoinRequest({ address: 'x'.repeat(max + 1) }))).toEqual(['address']);
    expect(fieldsOf(validateJoinRequest({ address: 7 }))).toEqual(['address']);
    expect(fieldsOf(validateJoinRequest({}))).toEqual(['address']);
    expect(fieldsOf(validateJoinRequest({ address: 'a', ticket: 'b' }))).toEqual(['ticket']);
  });
});

describe('validateRecordingCommand', () => {
  it('takes start or stop and nothing else: the owner is the caller, never a field', () => {
    expect(validateRecordingCommand({ action: 'start' })).toEqual({ ok: true, value: { action: 'start' } });
    expect(validateRecordingCommand({ action: 'stop' })).toEqual({ ok: true, value: { action: 'stop' } });
    for (const action of ['pause', 'START', '', 1, null, undefined, ['start']])
      expect([action, fieldsOf(validateRecordingCommand({ action }))]).toEqual([action, ['action']]);
    expect(fieldsOf(validateRecordingCommand({ action: 'start', by: 'acc_x' }))).toEqual(['by']);
    expect(fieldsOf(validateRecordingCommand({ action: 'start', __proto__x: 1 }))).toEqual(['__proto__x']);
    for (const body of [null, 'start', ['start'], 7])
      expect([body, fieldsOf(validateRecordingCommand(body))]).toEqual([body, ['body']]);
  });
});

describe('validateRouletteQuery', () => {
  it('takes a region and both coordinates or neither', () => {
    expect(validateRouletteQuery({})).toEqual({ ok: true, value: {} });
    expect(validateRouletteQuery({ region: 'eu-west', lat: '48.85', lon: '2.35' })).toEqual({
      ok: true,
      value: { region: 'eu-west', lat: 48.85, lon: 2.35 },
    });
    expect(fieldsOf(validateRouletteQuery({ lat: '48.85' }))).toEqual(['query']);
    expect(fieldsOf(validateRouletteQuery({ lat: '91', lon: '0' }))).toEqual(['lat']);
    expect(fieldsOf(validateRouletteQuery({ lat: '0', lon: '-181' }))).toEqual(['lon']);
    expect(fieldsOf(validateRouletteQuery({ lat: 'NaN', lon: 'Infinity' })).sort()).toEqual(['lat', 'lon']);
    expect(fieldsOf(validateRouletteQuery({ region: 'EU West' }))).toEqual(['region']);
  });
});
