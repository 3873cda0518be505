import { randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AuthKitModule, StaticKeySource, TokenVerifier } from '@hoot/auth-kit';
import { signTestToken, testKeyPair } from '@hoot/auth-kit/testing';
import { ServiceErrorCode, WebhookErrorCode } from '@hoot/domain';
import { createServiceApp, MetricsModule } from '@hoot/service-kit';
import { FakeClock } from '@hoot/testing';
import { InMemoryWebhookStore } from '../testing/in-memory-webhook.store';
import { WEBHOOK_NO_ANSWER, WebhookDispatcher } from './webhook-dispatcher';
import { webhookSecret } from './webhook-signature';
import { WebhookService } from './webhook.service';
import { WebhooksModule } from './webhooks.module';

const KEY = 'unit-test-signing-key-0123456789abcdef';
const pair = testKeyPair();
const clock = new FakeClock(Date.UTC(2026, 0, 1));
const ALICE = 'acc-alice';
const BOB = 'acc-bob';
const CAROL = 'acc-carol';

describe('webhook API', () => {
  let app: NestFastifyApplication;
  const store = new InMemoryWebhookStore();
  let generation = 100;
  const service = new WebhookService(store, {
    signingKey: KEY,
    allowPrivateUrls: false,
    clock,
    newGeneration: () => ++generation,
  });
  const dispatcher = new WebhookDispatcher({
    store,
    sender: { send: async () => ({ status: 200 }) },
    secretFor: (a, g) => service.secretFor(a, g),
    clock,
  });

  const token = (subject: string) => signTestToken(pair, { nowMs: clock.now(), subject });
  const call = (
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    url: string,
    options: { as?: string; body?: unknown; raw?: string } = {},
  ) =>
    app.inject({
      method,
      url,
      headers: {
        ...(options.as ? { authorization: `Bearer ${token(options.as)}` } : {}),
        ...(options.body !== undefined || options.raw !== undefined
          ? { 'content-type': 'application/json' }
          : {}),
      },
      payload: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
  const expectProblem = (res: Awaited<ReturnType<typeof call>>, status: number, code: string) => {
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status, code });
  };

  /** A dead letter of `accountId` made through the store's own steps (enqueue, lease, dead-letter). */
  const deadLetter = async (accountId: string, conferenceId: string, error: string | null = null) => {
    const eventId = randomUUID();
    await store.enqueue({
      accountId,
      conferenceId,
      eventId,
      eventType: 'room.started',
      position: 1,
      body: JSON.stringify({ id: eventId, type: 'room.started' }),
      createdAt: new Date(clock.now()),
    });
    const now = new Date(clock.now());
    await store.lease(accountId, eventId, 0, 't', new Date(clock.now() + 1_000), now);
    await store.deadLetter(accountId, eventId, 't', {
      attempts: 8,
      status: error === null ? 500 : null,
      error,
      url: 'https://hooks.example.com/x',
      at: now,
    });
    clock.advance(1_000);
    return eventId;
  };

  beforeAll(async () => {
    @Module({
      imports: [
        AuthKitModule.forRoot({
          verifier: new TokenVerifier({
            issuer: 'https://auth.test',
            audiences: ['hoot', 'hoot-internal'],
            keys: new StaticKeySource(new Map([[pair.kid, pair.publicKey]])),
            clock,
          }),
          userAudience: 'hoot',
          serviceAudience: 'hoot-internal',
        }),
        MetricsModule,
        WebhooksModule.forRoot({ service, dispatcher, store }),
      ],
    })
    class TestModule {}
    app = await createServiceApp(TestModule, { bodyLimitBytes: 64 * 1024, logger: 'none' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(() => app.close());

  it('answers 401 on every route without a token', async () => {
    for (const [method, url] of [
      ['PUT', '/v1/webhook'],
      ['GET', '/v1/webhook'],
      ['DELETE', '/v1/webhook'],
      ['POST', '/v1/webhook/rotate-secret'],
      ['GET', '/v1/webhook/dead-letters'],
      ['POST', `/v1/webhook/dead-letters/${randomUUID()}/redeliver`],
    ] as const) {
      const res = await call(
        method,
        url,
        method === 'PUT' ? { body: { url: 'https://h.example.com/' } } : {},
      );
      expectProblem(res, 401, 'auth.unauthenticated');
    }
    expect(store.webhooks.size).toBe(0);
  });

  it('answers 404 webhook.not-found on every route before a webhook is registered', async () => {
    for (const [method, url] of [
      ['GET', '/v1/webhook'],
      ['DELETE', '/v1/webhook'],
      ['POST', '/v1/webhook/rotate-secret'],
      ['GET', '/v1/webhook/dead-letters'],
      ['POST', `/v1/webhook/dead-letters/${randomUUID()}/redeliver`],
    ] as const)
      expectProblem(await call(method, url, { as: ALICE }), 404, WebhookErrorCode.NotFound);
  });

  it('refuses a bad registration with a stable code and stores nothing', async () => {
    for (const [body, code] of [
      [{ url: 'http://hooks.example.com/' }, WebhookErrorCode.UrlInvalid],
      [{ url: 'not a url' }, WebhookErrorCode.UrlInvalid],
      [{ url: 'https://169.254.169.254/latest' }, WebhookErrorCode.UrlNotAllowed],
      [{ url: 'https://localhost:8443/' }, WebhookErrorCode.UrlNotAllowed],
      [{ url: 'https://[::1]/' }, WebhookErrorCode.UrlNotAllowed],
      [{ url: 42 }, ServiceErrorCode.RequestInvalid],
      [{ url: `https://h.example.com/${'a'.repeat(2_100)}` }, ServiceErrorCode.RequestInvalid],
      [{ url: 'https://h.example.com/', secret: 'mine' }, ServiceErrorCode.RequestInvalid],
      [{}, ServiceErrorCode.RequestInvalid],
      [['https://h.example.com/'], ServiceErrorCode.RequestInvalid],
    ] as const)
      expectProblem(await call('PUT', '/v1/webhook', { as: ALICE, body }), 400, code);
    expectProblem(
      await call('PUT', '/v1/webhook', { as: ALICE, raw: '{"url":' }),
      400,
      ServiceErrorCode.RequestMalformed,
    );
    expect(store.webhooks.size).toBe(0);
  });

  it('registers, shows (without the secret), rotates and changes the webhook of the caller only', async () => {
    const put = await call('PUT', '/v1/webhook', {
      as: ALICE,
      body: { url: 'https://hooks.example.com/alice' },
    });
    expect(put.statusCode).toBe(200);
    const created = put.json<{ url: string; secret: string; createdAt: string }>();
    const stored = store.webhooks.get(ALICE)!;
    expect(created).toEqual({
      url: 'https://hooks.example.com/alice',
      secret: webhookSecret(KEY, ALICE, stored.generation),
      createdAt: new Date(clock.now()).toISOString(),
    });
    expect(JSON.stringify(stored)).not.toContain(created.secret);

    const shown = await call('GET', '/v1/webhook', { as: ALICE });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toEqual({
      url: 'https://hooks.example.com/alice',
      createdAt: created.createdAt,
      updatedAt: created.createdAt,
    });
    expectProblem(await call('GET', '/v1/webhook', { as: BOB }), 404, WebhookErrorCode.NotFound);

    const rotated = await call('POST', '/v1/webhook/rotate-secret', { as: ALICE });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().secret).toBe(webhookSecret(KEY, ALICE, stored.generation + 1));
    expect(rotated.json().secret).not.toBe(created.secret);

    clock.advance(1_000);
    const moved = await call('PUT', '/v1/webhook', {
      as: ALICE,
      body: { url: 'https://hooks.example.com/v2' },
    });
    expect(moved.json()).toEqual({
      ...created,
      url: 'https://hooks.example.com/v2',
      secret: rotated.json().secret,
    });
  });

  it("lists only the caller's dead letters, page by page, and refuses bad paging", async () => {
    await call('PUT', '/v1/webhook', { as: BOB, body: { url: 'https://hooks.example.com/bob' } });
    const first = await deadLetter(ALICE, 'conf-a');
    const second = await deadLetter(ALICE, 'conf-a');
    const bobs = await deadLetter(BOB, 'conf-b');

    const page1 = await call('GET', '/v1/webhook/dead-letters?limit=1', { as: ALICE });
    expect(page1.statusCode).toBe(200);
    expect(page1.json().deadLetters).toEqual([
      expect.objectContaining({
        id: first,
        conferenceId: 'conf-a',
        eventType: 'room.started',
        event: { id: first, type: 'room.started' },
        url: 'https://hooks.example.com/x',
        attempts: 8,
        lastStatus: 500,
      }),
    ]);
    const next = page1.json().next as string;
    const page2 = await call('GET', `/v1/webhook/dead-letters?limit=1&after=${encodeURIComponent(next)}`, {
      as: ALICE,
    });
    expect(page2.json().deadLetters.map((d: { id: string }) => d.id)).toEqual([second]);
    const all = await call('GET', '/v1/webhook/dead-letters', { as: ALICE });
    expect(all.json()).toEqual({ deadLetters: [expect.anything(), expect.anything()], next: null });
    const bobsPage = await call('GET', '/v1/webhook/dead-letters', { as: BOB });
    expect(bobsPage.json().deadLetters.map((d: { id: string }) => d.id)).toEqual([bobs]);

    for (const query of ['limit=0', 'limit=101', 'limit=x', 'after=nope', 'other=1'])
      expectProblem(
        await call('GET', `/v1/webhook/dead-letters?${query}`, { as: ALICE }),
        400,
        ServiceErrorCode.RequestInvalid,
      );
  });

  it('never shows a raw connect error in a dead letter, even one stored before (one generic reason)', async () => {
    await call('PUT', '/v1/webhook', { as: CAROL, body: { url: 'https://hooks.example.com/carol' } });
    const refused = await deadLetter(CAROL, 'conf-c', 'connect ECONNREFUSED 10.0.0.7:6379');
    const timeout = await deadLetter(CAROL, 'conf-c', 'no answer within 5000 ms');
    const res = await call('GET', '/v1/webhook/dead-letters', { as: CAROL });
    expect(res.statusCode).toBe(200);
    const byId = new Map(
      (res.json().deadLetters as { id: string; lastError: string }[]).map((d) => [d.id, d.lastError]),
    );
    expect(byId.get(refused)).toBe(WEBHOOK_NO_ANSWER);
    expect(byId.get(timeout)).toBe(WEBHOOK_NO_ANSWER);
    expect(res.body).not.toMatch(/ECONNREFUSED|10\.0\.0\.7|6379|5000 ms/);
  });

  it("redelivers only the caller's own dead letters", async () => {
    const [alices] = await store.listDeadLetters(ALICE, 1);
    expectProblem(
      await call('POST', '/v1/webhook/dead-letters/NOT-A-UUID/redeliver', { as: ALICE }),
      400,
      ServiceErrorCode.RequestInvalid,
    );
    expectProblem(
      await call('POST', `/v1/webhook/dead-letters/${alices.eventId}/redeliver`, { as: BOB }),
      404,
      WebhookErrorCode.DeadLetterNotFound,
    );
    expect((await store.listDeadLetters(ALICE, 10)).map((d) => d.eventId)).toContain(alices.eventId);

    const res = await call('POST', `/v1/webhook/dead-letters/${alices.eventId}/redeliver`, { as: ALICE });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ id: alices.eventId, state: 'pending' });
    expect((await store.queueHead({ accountId: ALICE, conferenceId: 'conf-a' }))?.eventId).toBe(
      alices.eventId,
    );
    expectProblem(
      await call('POST', `/v1/webhook/dead-letters/${alices.eventId}/redeliver`, { as: ALICE }),
      404,
      WebhookErrorCode.DeadLetterNotFound,
    );
  });

  it("deletes the webhook with its deliveries, and only the caller's", async () => {
    const res = await call('DELETE', '/v1/webhook', { as: ALICE });
    expect(res.statusCode).toBe(204);
    expectProblem(await call('GET', '/v1/webhook', { as: ALICE }), 404, WebhookErrorCode.NotFound);
    expect([...store.deliveries.values()].filter((d) => d.accountId === ALICE)).toEqual([]);
    expect((await call('GET', '/v1/webhook', { as: BOB })).statusCode).toBe(200);
    expectProblem(await call('DELETE', '/v1/webhook', { as: ALICE }), 404, WebhookErrorCode.NotFound);
  });

  it('exports the webhook metrics', async () => {
    await store.enqueue({
      accountId: BOB,
      conferenceId: 'conf-b',
      eventId: randomUUID(),
      eventType: 'room.started',
      position: 2,
      body: '{}',
      createdAt: new Date(clock.now()),
    });
    const res = await call('GET', '/metrics');
    for (const name of ['delivered', 'failed_attempts', 'dead_lettered', 'lease_conflicts', 'pending'])
      expect(res.body).toContain(`hoot_registry_webhook_${name} `);
    expect(res.body).toMatch(/^hoot_registry_webhook_pending 1$/m);
  });

  it('documents every route in OpenAPI', async () => {
    const doc = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    expect(
      Object.keys(doc.paths)
        .filter((path) => path.includes('webhook'))
        .sort(),
    ).toEqual([
      '/v1/webhook',
      '/v1/webhook/dead-letters',
      '/v1/webhook/dead-letters/{id}/redeliver',
      '/v1/webhook/rotate-secret',
    ]);
    expect(Object.keys(doc.paths['/v1/webhook']).sort()).toEqual(['delete', 'get', 'put']);
  });
});
