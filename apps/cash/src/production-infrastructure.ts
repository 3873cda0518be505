import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import {
  JOIN_TICKET_KEYS_PATH,
  JwksKeyCache,
  TICKET_KEY_DEFAULTS,
  RevocationFeed,
  ServiceCredentialClient,
  TokenVerifier,
  httpJwksFetcher,
  ticketIssuerOfKid,
  verifierByAlgorithm,
} from '@hoot/auth-kit';
import { systemClock } from '@hoot/domain';
import {
  JournaledProducer,
  KafkaCcesSender,
  createKafka,
  describeKafkaCluster,
  readCcesTopicToEnd,
} from '@hoot/events';
import { KmsHealthMonitor, KurentoMediaPort } from '@hoot/media';
import type { CashInfrastructure } from './cash-infrastructure';
import { packagerSettingsOf, type CashConfig } from './config/cash.config';
import { HttpPackagerClient } from './packager/packager.client';
import { closeLostRooms } from './recovery/lost-rooms';
import { HttpRegistryLink } from './registry/http-registry-link';
import { ticketAudience } from './tickets/join-ticket.verifier';

/**
 * The real connections: Kurento (the monitor makes the first connection, so CASH starts even while the
 * media server is not up yet), the journal-backed CCES producer (starts without Kafka), the JWKS and the
 * revocation feed (read to its end before serving), service credentials and the registry link.
 */
export async function connectInfrastructure(config: CashConfig): Promise<CashInfrastructure> {
  const logger = new Logger('Infrastructure');
  const clock = systemClock;
  const media = new KurentoMediaPort({
    url: config.KMS_URL,
    clock,
    onBackgroundError: (error) => logger.warn({ err: error }, 'media background error'),
  });
  const kmsMonitor = new KmsHealthMonitor(media, {
    clock,
    intervalMs: config.KMS_HEALTH_INTERVAL_MS,
    onListenerError: (error) => logger.warn({ err: error }, 'media monitor listener failed'),
  });
  const kafkaLog = new Logger('Kafka');
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `cash-${config.COREMX_ID}`,
    logSink: {
      error: (obj, msg) => kafkaLog.error(obj, msg),
      warn: (obj, msg) => kafkaLog.warn(obj, msg),
      info: () => undefined,
      debug: () => undefined,
    },
  });
  const events = await JournaledProducer.open({
    coremxId: config.COREMX_ID,
    journalDir: config.CCES_JOURNAL_DIR,
    sender: new KafkaCcesSender(kafka, { partitions: 3 }),
    clock,
    onSendError: (error, attempt) => {
      if (attempt === 1 || attempt % 20 === 0) logger.warn({ err: error, attempt }, 'CCES send failed');
    },
  });
  // Before anything can take a join: close the rooms the previous process left open on this topic.
  const recoveryLog = new Logger('Recovery');
  const closedAtStart = await closeLostRooms({
    coremxId: config.COREMX_ID,
    producer: events,
    readTopic: (onMessage) =>
      readCcesTopicToEnd({
        kafka,
        topic: events.topic,
        groupId: `cash-${config.COREMX_ID}-recovery-${randomUUID()}`,
        onMessage,
      }),
    clock,
    logger: {
      log: (obj, msg) => recoveryLog.log(obj, msg),
      warn: (obj, msg) => recoveryLog.warn(obj, msg),
    },
  });
  const feed = new RevocationFeed({
    kafka,
    topic: config.AUTH_REVOCATIONS_TOPIC,
    groupIdPrefix: `cash-${config.COREMX_ID}`,
    clock,
  });
  await feed.start();
  const keys = new JwksKeyCache({
    fetchJwks: httpJwksFetcher(config.AUTH_JWKS_URL),
    refetchCooldownMs: config.JWKS_REFETCH_COOLDOWN_MS,
    clock,
    onWarning: (message, error) => logger.warn({ err: error }, message),
  });
  const verifier = (audience: string) =>
    new TokenVerifier({
      issuer: config.AUTH_ISSUER,
      audiences: [audience],
      keys,
      revocations: feed.revocations,
      clock,
    });
  const credentials = new ServiceCredentialClient({
    authUrl: config.AUTH_URL,
    apiKey: config.CASH_SERVICE_API_KEY,
    clock,
  });
  const registry = new HttpRegistryLink({
    urls: config.REGISTRY_URLS,
    authorization: () => credentials.authorization(),
    invalidateCredentials: () => credentials.invalidate(),
    timeoutMs: config.REGISTRY_TIMEOUT_MS,
    clock,
    onSwitch: (from, to, reason) => logger.log({ from, to, reason }, 'registry switch'),
  });
  // Join tickets: signed by a registry with its own Ed25519 key (the usual case: no call to auth per
  // join; keys from auth's ticket key set, each signing only as its registry) or by auth itself (RS256).
  const registryTicketKeys = new JwksKeyCache({
    fetchJwks: httpJwksFetcher(`${config.AUTH_URL.replace(/\/$/, '')}${JOIN_TICKET_KEYS_PATH}`),
    refetchCooldownMs: TICKET_KEY_DEFAULTS.refetchCooldownMs,
    algorithm: 'EdDSA',
    clock,
    onWarning: (message, error) => logger.warn({ err: error }, `ticket keys: ${message}`),
  });
  const ticketVerifier = verifierByAlgorithm([
    verifier(ticketAudience(config.COREMX_ID)),
    new TokenVerifier({
      algorithm: 'EdDSA',
      issuer: ticketIssuerOfKid,
      audiences: [ticketAudience(config.COREMX_ID)],
      keys: registryTicketKeys,
      revocations: feed.revocations,
      clock,
    }),
  ]);
  const packager = packagerSettingsOf(config);
  if (!packager)
    logger.log('no packager configured (PACKAGER_URL): p2m rooms fan out over WebRTC, no recording');
  return {
    clock,
    media,
    kmsMonitor,
    ...(packager
      ? {
          packager: new HttpPackagerClient({
            url: packager.url,
            controlKey: packager.controlKey,
            timeoutMs: packager.timeoutMs,
          }),
        }
      : {}),
    events,
    registry,
    ticketVerifier,
    userVerifier: verifier(config.AUTH_AUDIENCE),
    revocations: feed.revocations,
    serviceVerifier: verifier(config.AUTH_INTERNAL_AUDIENCE),
    incarnation: clock.now(),
    roomsClosedAtStart: closedAtStart.rooms,
    checks: [
      { name: 'kafka', check: () => describeKafkaCluster(config.KAFKA_BROKERS) },
      {
        name: 'revocations',
        check: async () => {
          if (!feed.isCaughtUp()) throw new Error('not caught up with the revocation topic');
        },
      },
    ],
    close: async () => {
      await events.close({ drainTimeoutMs: 5_000 }).catch(() => undefined);
      await feed.stop().catch(() => undefined);
      await media.close().catch(() => undefined);
    },
  };
}
