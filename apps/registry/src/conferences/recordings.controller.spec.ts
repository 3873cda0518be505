import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AuthKitModule, StaticKeySource, TokenVerifier } from '@hoot/auth-kit';
import { signTestToken, testKeyPair } from '@hoot/auth-kit/testing';
import { CashErrorCode as X } from '@hoot/contracts';
import { ConferenceErrorCode as C } from '@hoot/domain';
import { createServiceApp } from '@hoot/service-kit';
import { RECORDING_SERVICE } from '../registry.tokens';
import { CASH_ANSWER_MAX_BYTES, HttpCashClient } from './cash.client';
import { alice, bob, coremx } from './conference-service.fixture';
import { commandAnswer, recordingList, setupRecording } from './recording-service.fixture';
import { RecordingsController } from './recordings.controller';

/** What the fake CASH received. */
interface CashRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}
type CashHandler = (request: CashRequest, response: ServerResponse) => void;

const json = (response: ServerResponse, status: number, body: unknown, type = 'application/json') =>
  response.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));

/**
 * The recording API over HTTP: the registry's pipe, guard and problem filter in front, a real
 * `HttpCashClient` behind, talking to a fake CASH on a local port that answers what each test says.
 */
describe('recording API (HTTP, a fake CASH behind)', () => {
  const pair = testKeyPair();
  let app: NestFastifyApplication;
  let cash: Server;
  let registry: ReturnType<typeof setupRecording>;
  let received: CashRequest[] = [];
  let handler: CashHandler;

  const token = (subject: string) => signTestToken(pair, { nowMs: registry.clock.now(), subject });
  const call = (
    method: 'GET' | 'POST',
    url: string,
    o: { as?: string; body?: unknown; raw?: string; type?: string } = {},
  ) =>
    app.inject({
      method,
      url,
      headers: {
        ...(o.as ? { authorization: `Bearer ${token(o.as)}` } : {}),
        ...(o.body !== undefined || o.raw !== undefined
          ? { 'content-type': o.type ?? 'application/json' }
          : {}),
      },
      payload: o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body)),
    });
  const start = (as = alice.identity, body: unknown = { action: 'start' }) =>
    call('POST', '/v1/conferences/standup/recording', { as, body });
  const expectProblem = (res: Awaited<ReturnType<typeof call>>, status: number, code: string) => {
    expect([res.statusCode, res.json().code]).toEqual([status, code]);
    expect(res.headers['content-type']).toContain('application/problem+json');
  };

  beforeAll(async () => {
    cash = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const seen = {
          method: request.method ?? '',
          url: request.url ?? '',
          authorization: request.headers.authorization,
          body,
        };
        received.push(seen);
        handler(seen, response);
      });
    });
    await new Promise<void>((resolve) => cash.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(cash.address() as AddressInfo).port}`;
    registry = setupRecording(
      {},
      [coremx('coremx-1', 'c1', { apiUrl })],
      new HttpCashClient(async () => 'Bearer registry-service-token', 2_000),
    );
    await registry.service.create(alice, { id: 'standup', type: 'm2m', allowed: ['bob'] });

    @Module({
      imports: [
        AuthKitModule.forRoot({
          verifier: new TokenVerifier({
            issuer: 'https://auth.test',
            audiences: ['hoot', 'hoot-internal'],
            keys: new StaticKeySource(new Map([[pair.kid, pair.publicKey]])),
            clock: registry.clock,
          }),
          userAudience: 'hoot',
          serviceAudience: 'hoot-internal',
        }),
      ],
      controllers: [RecordingsController],
      providers: [{ provide: RECORDING_SERVICE, useValue: registry.recordings }],
    })
    class TestModule {}
    app = await createServiceApp(TestModule, { bodyLimitBytes: 64 * 1024, logger: 'none' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await app.close();
    await new Promise((resolve) => cash.close(resolve));
  });
  beforeEach(() => {
    received = [];
    handler = (request, response) =>
      request.url.includes('/recordings')
        ? json(
            response,
            200,
            recordingList('standup', new URL(request.url, 'http://x').searchParams.get('viewer') ?? ''),
          )
        : json(response, 200, commandAnswer('standup', JSON.parse(request.body).action));
  });

  it('answers 401 on both routes without a token, and CASH hears nothing', async () => {
    expectProblem(
      await call('POST', '/v1/conferences/standup/recording', { body: { action: 'start' } }),
      401,
      'auth.unauthenticated',
    );
    expectProblem(await call('GET', '/v1/conferences/standup/recordings'), 401, 'auth.unauthenticated');
    expect(received).toEqual([]);
  });

  it("forwards the owner's start to CASH's service API with the registry's credentials and the owner as `by`", async () => {
    const res = await start();
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(commandAnswer('standup', 'start'));
    expect(received).toEqual([
      {
        method: 'POST',
        url: '/internal/v1/rooms/standup/recording',
        authorization: 'Bearer registry-service-token',
        body: JSON.stringify({ action: 'start', by: 'acc_alice' }),
      },
    ]);
  });

  it.each([
    ['no action', {}],
    ['an unknown action', { action: 'pause' }],
    ['a forged `by` (someone else as the owner)', { action: 'start', by: 'acc_bob' }],
    ['an extra field', { action: 'start', recordingId: '../../etc' }],
    ['a list', [{ action: 'start' }]],
    ['a number', 7],
  ])('refuses a body with %s: 400 request.invalid, nothing forwarded', async (_what, body) => {
    expectProblem(await start(alice.identity, body), 400, 'request.invalid');
    expect(received).toEqual([]);
  });

  it('refuses an oversized, malformed or non-JSON body before anything runs', async () => {
    const url = '/v1/conferences/standup/recording';
    const huge = JSON.stringify({ action: 'start', pad: 'x'.repeat(70 * 1024) });
    expectProblem(await call('POST', url, { as: alice.identity, raw: huge }), 413, 'request.too-large');
    expectProblem(
      await call('POST', url, { as: alice.identity, raw: '{"action":' }),
      400,
      'request.malformed',
    );
    expectProblem(
      await call('POST', url, { as: alice.identity, raw: '{"action":"start","action":"stop"}' }),
      400,
      'request.malformed',
    );
    expectProblem(
      await call('POST', url, {
        as: alice.identity,
        raw: 'action=start',
        type: 'application/x-www-form-urlencoded',
      }),
      415,
      'request.unsupported-media-type',
    );
    expectProblem(
      await call('POST', '/v1/conferences/..%2Fevil/recording', {
        as: alice.identity,
        body: { action: 'start' },
      }),
      400,
      'request.invalid',
    );
    expect(received).toEqual([]);
  });

  it('refuses a non-owner 403 and a stranger 404 as problem+json, and CASH hears nothing', async () => {
    expectProblem(await start(bob.identity), 403, C.NotOwner);
    expectProblem(await start('acc_mallory'), 404, C.NotFound);
    expectProblem(
      await call('GET', '/v1/conferences/standup/recordings', { as: 'acc_mallory' }),
      404,
      C.NotFound,
    );
    expect(received).toEqual([]);
  });

  it('lists for an allowed participant, signed for them', async () => {
    const res = await call('GET', '/v1/conferences/standup/recordings', { as: bob.identity });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(recordingList('standup', 'acc_bob'));
    expect(received.map((r) => [r.method, r.url, r.authorization])).toEqual([
      ['GET', '/internal/v1/rooms/standup/recordings?viewer=acc_bob', 'Bearer registry-service-token'],
    ]);
  });

  it("maps CASH's problems: ROOM_NOT_FOUND is 409 not-live, ALREADY_RECORDING and STORAGE_FULL pass on", async () => {
    handler = (_r, response) =>
      json(response, 404, { status: 404, code: 'cash.room-not-found' }, 'application/problem+json');
    expectProblem(await start(), 409, C.NotLive);
    handler = (_r, response) =>
      json(response, 409, { status: 409, code: 'cash.already-recording' }, 'application/problem+json');
    expectProblem(await start(), 409, X.AlreadyRecording);
    handler = (_r, response) =>
      json(response, 507, { status: 507, code: 'cash.recording-storage-full' }, 'application/problem+json');
    expectProblem(await start(), 507, X.RecordingStorageFull);
    handler = (_r, response) =>
      response
        .writeHead(503, { 'content-type': 'application/problem+json', 'retry-after': '12' })
        .end(JSON.stringify({ status: 503, code: 'cash.recording-unavailable' }));
    const unavailable = await start();
    expectProblem(unavailable, 503, X.RecordingUnavailable);
    expect(unavailable.headers['retry-after']).toBe('12');
  });

  it.each<[string, CashHandler]>([
    ['an HTML page', (_r, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hi</html>')],
    [
      'JSON cut off',
      (_r, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"conferenceId":'),
    ],
    ['another conference', (_r, res) => json(res, 200, commandAnswer('other', 'start'))],
    [
      'more than the registry reads',
      (_r, res) =>
        json(res, 200, { ...commandAnswer('standup', 'start'), pad: 'x'.repeat(CASH_ANSWER_MAX_BYTES) }),
    ],
    [
      'a 500 HTML page',
      (_r, res) => res.writeHead(500, { 'content-type': 'text/html' }).end('<h1>oops</h1>'),
    ],
    ['a 401 (the registry’s credentials)', (_r, res) => json(res, 401, { code: 'auth.unauthenticated' })],
    ['a hang-up', (_r, res) => res.socket?.destroy()],
  ])(
    'answers 503 conference.coremx-unavailable when CASH answers %s, and hands none of it on',
    async (_w, h) => {
      handler = h;
      const res = await start();
      expectProblem(res, 503, C.CoreMxUnavailable);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body).not.toContain('<html>');
      expect(res.body.length).toBeLessThan(2_000);
    },
  );

  it('answers 503 when CASH lists garbage', async () => {
    handler = (_r, res) =>
      json(res, 200, { conferenceId: 'standup', recordings: [{ streams: 'all of them' }] });
    expectProblem(
      await call('GET', '/v1/conferences/standup/recordings', { as: bob.identity }),
      503,
      C.CoreMxUnavailable,
    );
  });
});
