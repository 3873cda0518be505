import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServiceApp, HootException } from '@hoot/service-kit';
import { registryConfigFrom, registryTrustProxy, type RegistryConfig } from '../config/registry.config';
import { REGISTRY_CONFIG } from '../registry.tokens';
import { AuthTokenController } from './auth-token.controller';

const BASE_ENV = {
  REGISTRY_ID: 'reg-c1-1',
  REGISTRY_PUBLIC_URL: 'http://127.0.0.1:3200',
  AUTH_ISSUER: 'https://auth.hoot.test',
  REGISTRY_SERVICE_API_KEY: 'hk_0123456789abcdef_0123456789012345678901234567890123456789012',
  MONGO_URI: 'mongodb://127.0.0.1:27017/hoot_registry',
  KAFKA_BROKERS: '127.0.0.1:9092',
  WEBHOOK_SIGNING_KEY: 'webhook-signing-key-of-at-least-32-chars',
  CASH_TIMEOUT_MS: '2000',
};

/**
 * Stands in for auth configured to trust the registries' network: it believes the registry's
 * `X-Forwarded-For` and allows each client address 5 sign-in attempts (429 after), like its
 * per-address limit. It records what the registry sent.
 */
class FakeAuth {
  readonly forwardedFor: (string | undefined)[] = [];
  private readonly attempts = new Map<string, number>();
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((request: IncomingMessage, response) => {
      const address = request.headers['x-forwarded-for'] as string | undefined;
      this.forwardedFor.push(address);
      const key = address ?? 'none';
      const count = (this.attempts.get(key) ?? 0) + 1;
      this.attempts.set(key, count);
      if (count > 5) {
        response
          .writeHead(429, { 'content-type': 'application/problem+json', 'retry-after': '300' })
          .end('{"status":429,"code":"auth.rate-limited"}');
      } else {
        response
          .writeHead(401, { 'content-type': 'application/problem+json' })
          .end('{"status":401,"code":"auth.invalid-credentials"}');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

/** The sign-in proxy as main.ts builds it: the config from the environment, `trustProxy` from it. */
async function signInApp(env: Record<string, string>): Promise<NestFastifyApplication> {
  const config = registryConfigFrom({ ...BASE_ENV, ...env });

  @Module({
    controllers: [AuthTokenController],
    providers: [{ provide: REGISTRY_CONFIG, useValue: config }],
  })
  class SignInModule {}

  const app = await createServiceApp(SignInModule, {
    bodyLimitBytes: 64 * 1024,
    trustProxy: registryTrustProxy(config),
    logger: 'none',
  });
  await app.init();
  return app;
}

const signIn = (app: NestFastifyApplication, peer: string, forwardedFor?: string) =>
  app.inject({
    method: 'POST',
    url: '/v1/auth/token',
    remoteAddress: peer,
    headers: {
      'content-type': 'application/json',
      ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
    },
    payload: '{"grant_type":"password","username":"mallory","password":"guess"}',
  });

describe('registry sign-in proxy: which client address auth is told (TRUSTED_PROXIES)', () => {
  const auth = new FakeAuth();
  let authUrl: string;
  let app: NestFastifyApplication | undefined;
  const ATTACKER = '192.0.2.7';
  const PROXY = '172.16.4.2';

  beforeAll(async () => {
    authUrl = await auth.start();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });
  afterAll(() => auth.stop());

  it('with no TRUSTED_PROXIES (the default), rotating X-Forwarded-For does not escape the per-address limit', async () => {
    app = await signInApp({ AUTH_URL: authUrl });
    const before = auth.forwardedFor.length;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await signIn(app, ATTACKER, `203.0.113.${i}, 198.51.100.9`)).statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // Auth was told the socket's peer, alone, every time: none of the addresses the attacker wrote.
    expect(auth.forwardedFor.slice(before)).toEqual(Array(6).fill(ATTACKER));
  });

  it("uses a trusted proxy's X-Forwarded-For: the client it names, alone (addresses spoofed before it are dropped)", async () => {
    app = await signInApp({ AUTH_URL: authUrl, TRUSTED_PROXIES: '172.16.0.0/12, 10.99.0.1' });
    const before = auth.forwardedFor.length;
    await signIn(app, PROXY, '198.51.100.20');
    await signIn(app, '10.99.0.1', '198.51.100.21');
    await signIn(app, PROXY, '203.0.113.66, 198.51.100.22');
    // An untrusted peer's header is still ignored with a list configured.
    await signIn(app, '192.0.2.8', '198.51.100.23');
    expect(auth.forwardedFor.slice(before)).toEqual([
      '198.51.100.20',
      '198.51.100.21',
      '198.51.100.22',
      '192.0.2.8',
    ]);
  });

  it('refuses to start with the old TRUST_PROXY (it would believe every forwarder)', async () => {
    await expect(signInApp({ AUTH_URL: authUrl, TRUST_PROXY: 'true' })).rejects.toThrow(
      /TRUST_PROXY: replaced by TRUSTED_PROXIES/,
    );
  });
});

describe('registry sign-in proxy: 503 only when auth does not answer', () => {
  it('answers 503 service.unavailable + Retry-After when auth refuses the connection', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const app = await signInApp({ AUTH_URL: `http://127.0.0.1:${port}` });
    try {
      const res = await signIn(app, '192.0.2.7');
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'service.unavailable' });
      expect(res.headers['retry-after']).toBe('2');
    } finally {
      await app.close();
    }
  });

  it('does not call a failure of its own work "auth unreachable" (a body it cannot serialize is not a 503)', async () => {
    const controller = new AuthTokenController({
      AUTH_URL: 'http://127.0.0.1:9',
      CASH_TIMEOUT_MS: 2_000,
    } as RegistryConfig);
    const reply = { status: () => reply, header: () => reply, send: () => undefined };
    const failure = await controller.token({ body: { n: 1n }, ip: '192.0.2.7', headers: {} }, reply).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((failure as Error).message).toMatch(/BigInt/);
    expect(failure).not.toBeInstanceOf(HootException);
  });

  it('does not call a URL that does not parse "auth unreachable" either', async () => {
    const controller = new AuthTokenController({
      AUTH_URL: 'http://[bad',
      CASH_TIMEOUT_MS: 2_000,
    } as RegistryConfig);
    const reply = { status: () => reply, header: () => reply, send: () => undefined };
    const failure = await controller.token({ body: {}, ip: '192.0.2.7', headers: {} }, reply).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((failure as Error).message).toMatch(/parse URL/);
    expect(failure).not.toBeInstanceOf(HootException);
  });
});
