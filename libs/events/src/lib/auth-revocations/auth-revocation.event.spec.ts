import {
  decodeAuthRevocationEvent,
  InvalidEventError,
  parseAuthRevocationEvent,
} from './auth-revocation.event';

const base = { id: 'r1', schemaVersion: 1, sub: 'acc-1', occurredAt: '2026-01-01T00:00:00.000Z' };

describe('auth revocation events', () => {
  it('accepts a token revocation', () => {
    const event = { ...base, type: 'token.revoked', jti: 'j1', expiresAtMs: 1_800_000_000_000 };
    expect(parseAuthRevocationEvent(event)).toEqual(event);
  });

  it('accepts a subject revocation', () => {
    const event = { ...base, type: 'subject.revoked', beforeMs: 1_800_000_000_000 };
    expect(decodeAuthRevocationEvent(Buffer.from(JSON.stringify(event)))).toEqual(event);
  });

  it.each([
    ['not JSON', 'nope'],
    [
      'an unknown schema version',
      JSON.stringify({ ...base, schemaVersion: 2, type: 'subject.revoked', beforeMs: 1 }),
    ],
    ['an unknown type', JSON.stringify({ ...base, type: 'everything.revoked' })],
    ['a token revocation without jti', JSON.stringify({ ...base, type: 'token.revoked', expiresAtMs: 1 })],
    [
      'a subject revocation with a text time',
      JSON.stringify({ ...base, type: 'subject.revoked', beforeMs: 'now' }),
    ],
  ])('refuses %s', (_what, raw) => {
    expect(() => decodeAuthRevocationEvent(raw)).toThrow(InvalidEventError);
  });
});
