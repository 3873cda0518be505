import { displayNameOf, isExpired, readClaims } from './token-claims';

const jwt = (payload: object) =>
  `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

describe('token claims', () => {
  it('reads the payload of a JWT, also with non-ASCII names', () => {
    const claims = readClaims(
      jwt({ sub: 'acc-1', name: 'Zoë Ångström', username: 'zoe', exp: 2_000_000_000 }),
    );
    expect(claims).toEqual({ sub: 'acc-1', name: 'Zoë Ångström', username: 'zoe', exp: 2_000_000_000 });
    expect(displayNameOf(claims)).toBe('Zoë Ångström');
  });

  it('returns undefined for anything that is not a JWT with a JSON object payload', () => {
    for (const token of [
      undefined,
      '',
      'abc',
      'a.b',
      `a.${Buffer.from('[1]').toString('base64url')}.c`,
      'a.!!!.c',
    ])
      expect(readClaims(token)).toBeUndefined();
  });

  it('knows when a token has expired (with slack)', () => {
    expect(isExpired({ exp: 100 }, 100_000)).toBe(true);
    expect(isExpired({ exp: 104 }, 100_000)).toBe(true);
    expect(isExpired({ exp: 200 }, 100_000)).toBe(false);
    expect(isExpired({}, 100_000)).toBe(false);
  });

  it('falls back to username, subject, then the given name', () => {
    expect(displayNameOf({ username: 'bob', sub: 'x' })).toBe('bob');
    expect(displayNameOf({ sub: 'x' })).toBe('x');
    expect(displayNameOf(undefined, 'Guest')).toBe('Guest');
  });
});
