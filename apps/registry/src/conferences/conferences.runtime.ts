import { randomUUID } from 'node:crypto';
import {
  AccountResolverClient,
  IntrospectionClient,
  TicketKeyClient,
  type ServiceCredentialClient,
} from '@hoot/auth-kit';
import { systemClock } from '@hoot/domain';
import { createKafka } from '@hoot/events';
import type { ConferenceStore } from '@hoot/mongo';
import { registryConsumerGroup } from '../config/consumer-group';
import type { RegistryConfig } from '../config/registry.config';
import type { RegistryNode } from '../gcas/registry-node';
import { HttpCashClient } from './cash.client';
import { JoinTicketSigner } from './join-ticket-signer';
import { ConferenceRecords } from './conference-records';
import { ConferenceService } from './conference.service';
import { ConferenceDirectory } from './directory.consumer';
import { PlacementService } from './placement.service';
import { RecordingService } from './recording.service';
import { RehomingService } from './rehoming.service';

export interface ConferencesLog {
  info(data: object, message: string): void;
  warn(data: object, message: string): void;
}

/** Counts by outcome, read by the metrics. */
export interface ConferenceCounters {
  creates: Record<string, number>;
  joins: Record<string, number>;
  rehomes: Record<string, number>;
}

export interface ConferencesRuntime {
  service: ConferenceService;
  /** Recording start/stop and lists, forwarded to the CASH hosting the room. */
  recordings: RecordingService;
  rehoming: RehomingService;
  directory: ConferenceDirectory;
  store: ConferenceStore;
  counters: ConferenceCounters;
  /** Signs join tickets with this registry's own key; readiness waits for its registration with auth. */
  tickets: JoinTicketSigner;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A re-homing round now (when a CoreMX was just declared down), besides the periodic ones. */
  rehomeNow(): void;
}

/** Builds the conference side of a registry node: placement, the API's service, re-homing, directory, re-home timer. */
export function createConferences(
  config: RegistryConfig,
  deps: {
    node: RegistryNode;
    store: ConferenceStore;
    credentials: ServiceCredentialClient;
    log: ConferencesLog;
  },
): ConferencesRuntime {
  const { node, store, credentials, log } = deps;
  const authorization = () => credentials.authorization();
  const counters: ConferenceCounters = { creates: {}, joins: {}, rehomes: {} };
  const count = (map: Record<string, number>) => (outcome: string) => {
    map[outcome] = (map[outcome] ?? 0) + 1;
  };
  const cash = new HttpCashClient(authorization, config.CASH_TIMEOUT_MS);
  const placement = new PlacementService({
    source: node,
    cash,
    ownCloud: config.cloud,
    staleAfterMs: config.PLACEMENT_STALE_AFTER_MS,
    strategy: config.PLACEMENT_STRATEGY,
    log,
  });
  const tickets = new JoinTicketSigner({
    registryId: config.REGISTRY_ID,
    registrar: new TicketKeyClient({ authUrl: config.AUTH_URL, authorization }),
    clock: systemClock,
    log,
  });
  const introspection = new IntrospectionClient({ authUrl: config.AUTH_URL, authorization });
  const resolver = new AccountResolverClient({ authUrl: config.AUTH_URL, authorization });
  const records = new ConferenceRecords(store, systemClock);
  const service = new ConferenceService({
    records,
    placement,
    cash,
    tickets,
    limitsOf: async (token) => {
      const answer = await introspection.introspect(token);
      return answer.active ? answer.account?.limits : undefined;
    },
    // Usernames and account ids alike must name an enabled user account.
    resolveIdentities: async (names) =>
      names.length ? resolver.resolve(names) : { ids: new Map<string, string>(), unknown: [] },
    usernamesOf: async (ids) => (await resolver.resolve(ids)).usernames,
    clock: systemClock,
    ownCloud: config.cloud,
    webBaseUrl: (config.WEB_BASE_URL ?? config.REGISTRY_PUBLIC_URL).replace(/\/$/, ''),
    ticketTtlS: config.JOIN_TICKET_TTL_S,
    createRatePerMin: config.CREATE_RATE_PER_MIN,
    joinRatePerMin: config.JOIN_RATE_PER_MIN,
    log,
    onCreate: count(counters.creates),
    onJoin: count(counters.joins),
  });
  const recordings = new RecordingService({ records, placement, cash, log });
  const rehoming = new RehomingService({
    records,
    placement,
    clock: systemClock,
    ownCloud: config.cloud,
    instanceId: `${config.NODE_ID}-${randomUUID().slice(0, 8)}`,
    isPrimary: () => node.registries().some((r) => r.self && r.primary),
    judges: (cloud) => node.judgeOf(cloud) === node.id,
    log,
    onRehome: count(counters.rehomes),
  });
  const kafka = createKafka({
    brokers: config.KAFKA_BROKERS,
    clientId: `hoot-${config.REGISTRY_ID}-directory`,
    logLevel: 'error',
  });
  const directory = new ConferenceDirectory({
    kafka,
    groupId: registryConsumerGroup(config.REGISTRY_ID, config.MONGO_URI, 'directory'),
    store,
    log,
  });

  let timer: NodeJS.Timeout | undefined;
  let inRound = false;
  let again = false;
  const rehomeTick = async (): Promise<void> => {
    // One round at a time; a request during a round runs one more right after it.
    if (inRound) {
      again = true;
      return;
    }
    inRound = true;
    try {
      await rehoming.rehomeDown(node.coremx());
    } catch (error) {
      log.warn({ err: (error as Error).message }, 're-home round failed; next round retries');
    } finally {
      inRound = false;
    }
    if (again) {
      again = false;
      await rehomeTick();
    }
  };

  return {
    service,
    recordings,
    rehoming,
    directory,
    store,
    counters,
    tickets,
    rehomeNow() {
      if (timer) void rehomeTick();
    },
    async start() {
      tickets.start();
      await directory.start();
      timer = setInterval(() => void rehomeTick(), config.REHOME_INTERVAL_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      tickets.stop();
      await directory.stop();
    },
  };
}
