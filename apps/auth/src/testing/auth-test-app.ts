import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { JwksKeyCache, TokenVerifier, type Jwks } from '@hoot/auth-kit';
import { testKeyPair, type TestKeyPair } from '@hoot/auth-kit/testing';
import { createServiceApp } from '@hoot/service-kit';
import { FakeClock } from '@hoot/testing';
import { PasswordHasher } from '../accounts/password-hasher';
import { AppModule } from '../app.module';
import { loadAuthConfig, trustProxyOption, type AuthConfig } from '../config/auth.config';
import {
  InMemoryAccountStore,
  InMemoryApiKeyStore,
  InMemoryRevocationStore,
  InMemoryTicketKeyStore,
  RecordingPublisher,
} from './in-memory-stores';

export const ADMIN_KEY = 'admin-key-for-unit-tests-0123456789';
export const ISSUER = 'https://auth.unit.test';

export interface AuthTestApp {
  app: NestFastifyApplication;
  config: AuthConfig;
  clock: FakeClock;
  keysDir: string;
  signing: TestKeyPair;
  accounts: InMemoryAccountStore;
  apiKeys: InMemoryApiKeyStore;
  revocations: InMemoryRevocationStore;
  ticketKeys: InMemoryTicketKeyStore;
  publisher: RecordingPublisher;
}

/** The auth service on in-memory stores, a fake clock and a temporary key directory (one key, `unit-k1`). */
export async function startAuthTestApp(env: Record<string, string> = {}): Promise<AuthTestApp> {
  const keysDir = mkdtempSync(join(tmpdir(), 'hoot-auth-unit-'));
  const signing = testKeyPair('unit-k1');
  writeFileSync(join(keysDir, 'unit-k1.pem'), signing.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const config = loadAuthConfig({
    MONGO_URI: 'mongodb://unused',
    KAFKA_BROKERS: 'unused:9092',
    AUTH_KEYS_DIR: keysDir,
    AUTH_ADMIN_API_KEY: ADMIN_KEY,
    AUTH_ISSUER: ISSUER,
    AUTH_KEY_ACTIVATION_DELAY_MS: '0',
    AUTH_RATE_LIMIT_PER_ADDRESS: '20',
    LOG_LEVEL: 'silent',
    BODY_LIMIT_BYTES: String(64 * 1024),
    ...env,
  });
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const stores = {
    accounts: new InMemoryAccountStore(),
    apiKeys: new InMemoryApiKeyStore(),
    revocations: new InMemoryRevocationStore(),
    ticketKeys: new InMemoryTicketKeyStore(),
  };
  const publisher = new RecordingPublisher();
  const app = await createServiceApp(
    AppModule.forRoot(config, {
      ...stores,
      publisher,
      clock,
      checks: [],
      passwordHasher: new PasswordHasher({ N: 1024, r: 8, p: 1 }),
      close: async () => undefined,
    }),
    { bodyLimitBytes: config.BODY_LIMIT_BYTES, trustProxy: trustProxyOption(config) },
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, config, clock, keysDir, signing, publisher, ...stores };
}

/** A verifier that knows the service only through its JWKS endpoint, like CASH or the registry. */
export function jwksVerifier(t: AuthTestApp, audiences = [t.config.AUTH_AUDIENCE]): TokenVerifier {
  const keys = new JwksKeyCache({
    clock: t.clock,
    fetchJwks: async () =>
      (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as Jwks,
  });
  return new TokenVerifier({ issuer: t.config.AUTH_ISSUER, audiences, keys, clock: t.clock });
}
