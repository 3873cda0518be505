import { startCashTestApp, type CashTestApp } from './testing/cash-test-app';

/**
 * JSON that parses but that we refuse (issue 16): another charset than UTF-8, deep nesting, a repeated
 * key. Each gets a 4xx problem+json with a stable code from the shared body parser; no room is reserved.
 */
describe('CASH: JSON bodies the parser refuses', () => {
  let t: CashTestApp;
  beforeAll(async () => {
    t = await startCashTestApp();
  });
  afterAll(async () => {
    await t.app.close();
  });

  const reserve = (payload: string, contentType: string) =>
    t.app.inject({
      method: 'POST',
      url: '/internal/v1/rooms',
      headers: { authorization: `Bearer ${t.serviceToken()}`, 'content-type': contentType },
      payload,
    });
  const deep = (levels: number) =>
    `{"id":"deep-room","type":"m2m","allowed":${'['.repeat(levels)}${']'.repeat(levels)}}`;

  it.each([
    [
      'charset=utf-16',
      '{"id":"utf16-room","type":"m2m"}',
      'application/json; charset=utf-16',
      415,
      'request.unsupported-media-type',
    ],
    ['nesting 10,000 levels deep', deep(10_000), 'application/json', 400, 'request.malformed'],
    [
      'a repeated key',
      '{"id":"dup-room","type":"m2m","type":"p2p"}',
      'application/json',
      400,
      'request.malformed',
    ],
  ])(
    'refuses a reservation with %s and reserves nothing',
    async (_what, payload, contentType, status, code) => {
      const res = await reserve(payload, contentType);
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ status, code });
      const rooms = await t.app.inject({
        method: 'GET',
        url: '/internal/v1/rooms',
        headers: { authorization: `Bearer ${t.serviceToken()}` },
      });
      expect(rooms.json().rooms).toEqual([]);
      expect(t.events.events.filter((e) => e.conferenceId !== '_coremx')).toEqual([]);
    },
  );
});
