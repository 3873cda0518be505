import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RevocationSet, StaticKeySource, TokenVerifier } from '@hoot/auth-kit';
import { signTestToken, testKeyPair } from '@hoot/auth-kit/testing';
import { SERVICE_ROLE } from '@hoot/domain';
import { InMemoryCcesPublisher } from '@hoot/events/testing';
import { KmsHealthMonitor } from '@hoot/media';
import { FakeMediaPort } from '@hoot/media/testing';
import { createServiceApp } from '@hoot/service-kit';
import { FakeClock } from '@hoot/testing';
import { AppModule } from '../app.module';
import type { CashInfrastructure } from '../cash-infrastructure';
import { loadCashConfig, type CashConfig } from '../config/cash.config';
import type { PackagerPort } from '../packager/packager.port';
import { ticketAudience } from '../tickets/join-ticket.verifier';
import { InMemoryRegistryLink } from './in-memory-registry-link';
import { TEST_COREMX_ID, TEST_MIXER_ADDRESS } from './room-fixture';
import { TEST_ISSUER } from './signaling-fixture';

export interface CashTestApp {
  app: NestFastifyApplication;
  config: CashConfig;
  clock: FakeClock;
  media: FakeMediaPort;
  events: InMemoryCcesPublisher;
  registry: InMemoryRegistryLink;
  /** What the revocation feed fills in production (the verifiers and the revocation watch consult it). */
  revocations: RevocationSet;
  serviceToken(claims?: Record<string, unknown>, audience?: string): string;
  ticket(conferenceId: string, identity: string, claims?: Record<string, unknown>): string;
}

/** CASH on fakes (media, CCES, registry), a fake clock and a test signing key; not listening until asked. */
export async function startCashTestApp(
  env: Record<string, string> = {},
  parts: { packager?: PackagerPort } = {},
): Promise<CashTestApp> {
  const config = loadCashConfig({
    COREMX_ID: TEST_COREMX_ID,
    COREMX_ADDRESS: TEST_MIXER_ADDRESS,
    SIGNALING_URL: 'ws://127.0.0.1/signal',
    KMS_URL: 'ws://127.0.0.1:8888/kurento',
    KAFKA_BROKERS: 'unused:9092',
    CCES_JOURNAL_DIR: '/nonexistent',
    AUTH_ISSUER: TEST_ISSUER,
    AUTH_JWKS_URL: 'http://auth.unit.test/.well-known/jwks.json',
    AUTH_URL: 'http://auth.unit.test',
    CASH_SERVICE_API_KEY: 'unit-test-api-key-0123456789',
    REGISTRY_URLS: 'http://reg-1.unit.test',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
  const media = new FakeMediaPort();
  const events = new InMemoryCcesPublisher(config.COREMX_ID, clock);
  const registry = new InMemoryRegistryLink();
  const pair = testKeyPair('cash-app-k1');
  const keys = new StaticKeySource(new Map([[pair.kid, pair.publicKey]]));
  const revocations = new RevocationSet();
  const verifier = (audience: string) =>
    new TokenVerifier({ issuer: TEST_ISSUER, audiences: [audience], keys, revocations, clock });
  const infra: CashInfrastructure = {
    clock,
    media,
    kmsMonitor: new KmsHealthMonitor(media, { clock }),
    events,
    registry,
    ticketVerifier: verifier(ticketAudience(config.COREMX_ID)),
    userVerifier: verifier(config.AUTH_AUDIENCE),
    revocations,
    serviceVerifier: verifier(config.AUTH_INTERNAL_AUDIENCE),
    ...(parts.packager ? { packager: parts.packager } : {}),
    checks: [],
    incarnation: clock.now(),
    close: async () => undefined,
  };
  const app = await createServiceApp(AppModule.forRoot(config, infra), {
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  let n = 0;
  return {
    app,
    config,
    clock,
    media,
    events,
    registry,
    revocations,
    serviceToken: (claims = {}, audience = config.AUTH_INTERNAL_AUDIENCE) =>
      signTestToken(pair, {
        issuer: TEST_ISSUER,
        audience,
        subject: 'svc-registry',
        nowMs: clock.now(),
        claims: { kind: 'service', roles: [SERVICE_ROLE], username: 'registry', ...claims },
      }),
    ticket: (conferenceId, identity, claims = {}) =>
      signTestToken(pair, {
        issuer: TEST_ISSUER,
        audience: ticketAudience(config.COREMX_ID),
        subject: identity,
        nowMs: clock.now(),
        ttlSeconds: 120,
        claims: { cid: conferenceId, name: identity, jti: `ticket-${identity}-${++n}`, ...claims },
      }),
  };
}
