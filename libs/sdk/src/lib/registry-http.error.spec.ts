import { parseProblem, parseRetryAfter, RegistryHttpError } from './registry-http.error';

describe('parseProblem', () => {
  it('reads code, title and detail of a problem+json body and keeps its extensions', () => {
    const error = parseProblem({
      status: 503,
      headers: { 'content-type': 'application/problem+json' },
      body: {
        type: 'https://hoot.mx/problems/service.not-ready',
        title: 'Service Unavailable',
        status: 503,
        detail: 'not ready: mongo down',
        code: 'service.not-ready',
        checks: { mongo: { status: 'down' } },
      },
      registryId: 'reg-c1-1',
    });
    expect(error).toBeInstanceOf(RegistryHttpError);
    expect(error).toMatchObject({
      name: 'RegistryHttpError',
      status: 503,
      code: 'service.not-ready',
      title: 'Service Unavailable',
      detail: 'not ready: mongo down',
      retryAfterMs: undefined,
      registryId: 'reg-c1-1',
      problem: expect.objectContaining({ checks: { mongo: { status: 'down' } } }),
    });
    expect(error.message).toBe('503 service.not-ready: not ready: mongo down');
  });

  it.each([
    ['an HTML page from a proxy', '<html>Bad Gateway</html>', 'http.502', '<html>Bad Gateway</html>'],
    ['no body', undefined, 'http.502', 'HTTP 502'],
    ['JSON without a code', { message: 'x' }, 'http.502', 'HTTP 502'],
    ['a JSON array', [1, 2], 'http.502', 'HTTP 502'],
    ['a non-string code', { code: 7, detail: 'd' }, 'http.502', 'd'],
  ])('still gives a coded error for %s', (_name, body, code, detail) => {
    expect(parseProblem({ status: 502, headers: {}, body })).toMatchObject({ status: 502, code, detail });
  });

  it('reads Retry-After in seconds or as a date', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(
      parseProblem({ status: 429, headers: { 'retry-after': '7' }, body: undefined }, now).retryAfterMs,
    ).toBe(7_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
