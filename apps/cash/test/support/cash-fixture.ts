import type { TestKeyPair } from '@hoot/auth-kit/testing';
import { createKafka, subscribeCces, type CcesEvent, type CcesSubscription } from '@hoot/events';
import { startKmsLite, type KmsLiteProcess } from '@hoot/media/testing';
import { CashStack, REGISTRY_ID, integrationInfra, mongoUriFor, type RunningCash } from '@hoot/testing';

/** What an integration spec of CASH starts once: the stack, kms-lite, one CASH and a reader of its topic. */
export interface CashFixture {
  stack: CashStack;
  kms: KmsLiteProcess;
  cash: RunningCash;
  signingKey: TestKeyPair;
  /** A registry's service token (for CASH's service API). */
  serviceToken: string;
  cces: CcesSubscription;
  /** Every event read from the CoreMX's topic, in order. */
  events: CcesEvent[];
  /** Gaps, duplicates and poison seen on the topic (a correct run has none). */
  anomalies: string[];
  stop(): Promise<void>;
}

/**
 * Starts auth, a registry, kms-lite (fake engine, or werift for real media) and CASH `coremxId` (with
 * extra `env` tunables), and follows its CCES topic.
 */
export async function startCashFixture(
  coremxId: string,
  run: string,
  env: Record<string, string> = {},
  options: { kmsEngine?: 'fake' | 'werift' } = {},
): Promise<CashFixture> {
  const infra = integrationInfra();
  const stack = new CashStack({
    kafkaBrokers: infra.kafkaBrokers,
    mongoUri: (db) => mongoUriFor(db),
    prefix: `cash_${run}`,
  });
  await stack.start();
  const kms = await startKmsLite({ engine: options.kmsEngine ?? 'fake' });
  // The drain deadline is what SIGTERM waits for rooms that are still occupied.
  const cash = await stack.startCash({
    coremxId,
    kmsUrl: kms.url,
    env: { DRAIN_DEADLINE_MS: '2000', ...env },
  });
  const events: CcesEvent[] = [];
  const anomalies: string[] = [];
  const cces = await subscribeCces({
    kafka: createKafka({ clientId: `cash-${run}`, brokers: infra.kafkaBrokers }),
    groupId: `cash-${run}`,
    fromBeginning: true,
    pattern: new RegExp(`^hoot\\.coremx\\.${coremxId}\\.events$`),
    topicRefreshMs: 500,
    onEvent: (event) => {
      events.push(event);
    },
    onGap: (event, expected) => anomalies.push(`gap in ${event.conferenceId}: ${event.seq} for ${expected}`),
    onDuplicate: (event) => anomalies.push(`duplicate ${event.conferenceId} #${event.seq}`),
    onPoison: (poison) => anomalies.push(`poison ${poison.code}: ${poison.reason}`),
  });
  return {
    stack,
    kms,
    cash,
    signingKey: stack.signingKey(),
    serviceToken: await stack.serviceToken(REGISTRY_ID),
    cces,
    events,
    anomalies,
    async stop() {
      await cces.stop();
      await cash.stop();
      await kms.stop();
      await stack.stop();
    },
  };
}
