import { join } from 'node:path';

/**
 * The pure half of the launcher: which processes run, on which ports, with which folders and environment.
 * No I/O here, so the whole layout of both modes is unit-tested; `startPlatform` only carries it out.
 */

/** `dev`: `npm start` (fixed ports, state kept under `.infra/`); `test`: specs (free ports, throw-away state). */
export type PlatformMode = 'dev' | 'test';
export type KmsEngine = 'werift' | 'fake';
/** The services that take extra environment (tunables). */
export type PlatformServiceKind = 'auth' | 'kms-lite' | 'registry' | 'cash' | 'packager';
export type PlatformServiceEnv = Partial<Record<PlatformServiceKind, Record<string, string>>>;

/** Two clouds, one registry node and one CoreMX (CASH beside a kms-lite) each. */
export const PLATFORM_CLOUDS = [
  {
    cloud: 'c1',
    registryId: 'reg-c1-1',
    region: 'eu',
    latitude: 50.11,
    longitude: 8.68,
    coremxId: 'coremx-1-c1',
  },
  {
    cloud: 'c2',
    registryId: 'reg-c2-1',
    region: 'us',
    latitude: 40.71,
    longitude: -74.01,
    coremxId: 'coremx-1-c2',
  },
] as const;

export const DEMO_USERS = ['alice', 'bob', 'carol'] as const;
export type DemoUser = (typeof DEMO_USERS)[number];
export const ADMIN_USERNAME = 'admin';
/**
 * The service account of the CASH of `coremxId`, `cash-<coremxId>`: the registries accept that CoreMX's
 * membership (register, heartbeat, deregister) only from it (apps/registry, `coremx-binding.ts`).
 */
export const cashAccountOf = (coremxId: string): string => `cash-${coremxId}`;
/** The operators' service account: its API key drives `hoot coremx status|drain|undrain`. */
export const OPERATOR_ACCOUNT = 'ops';
/** The issuer every service agrees on (the auth service's default). */
export const PLATFORM_ISSUER = 'https://auth.hoot.svc';

export interface PlatformPorts {
  kafka: number;
  kafkaController: number;
  mongo: number;
  auth: number;
  /** One kms-lite per cloud, in `PLATFORM_CLOUDS` order (as are the pairs below). */
  kms: [number, number];
  /** The kms-lite fault controllers (test mode only: fault injection is for specs). */
  kmsAdmin?: [number, number];
  registry: [number, number];
  cash: [number, number];
  /** The LL-HLS packager of each CoreMX (its one HTTP port: viewers, control API, health). */
  packager: [number, number];
}

/** The ports `npm start` has always used (README, bookmarks, the CLI's defaults). */
export const DEV_PORTS: Readonly<PlatformPorts> = {
  kafka: 9092,
  kafkaController: 9093,
  mongo: 27017,
  auth: 3100,
  kms: [8888, 8890],
  registry: [3201, 3202],
  cash: [3301, 3302],
  packager: [3401, 3402],
};

/**
 * Each CoreMX's packager receives RTP on a UDP range of its own, in both modes, so two packagers on one
 * machine never take each other's ports: 42000–42499 and 42500–42999 (clear of kms-lite's 40000–40999).
 */
export const PACKAGER_RTP_BASE_PORT = 42000;
export const PACKAGER_RTP_PORTS_PER_COREMX = 500;
export function packagerRtpRange(index: number): { min: number; max: number } {
  const min = PACKAGER_RTP_BASE_PORT + index * PACKAGER_RTP_PORTS_PER_COREMX;
  return { min, max: min + PACKAGER_RTP_PORTS_PER_COREMX - 1 };
}

/**
 * The packager's two secrets of one CoreMX, as files in the secrets folder (never in the environment):
 * the control API's service key (CASH → packager) and the HMAC key viewer tokens are signed with (CASH
 * signs, the packager verifies). One pair per CoreMX, none shared.
 */
export const packagerControlKeyName = (coremxId: string): string => `packager-control-key-${coremxId}`;
export const packagerViewerTokenKeyName = (coremxId: string): string =>
  `packager-viewer-token-key-${coremxId}`;

/** Fixed ports in dev mode; in test mode a fresh port from `allocate` for each (sequentially, so all differ). */
export async function planPorts(mode: PlatformMode, allocate: () => Promise<number>): Promise<PlatformPorts> {
  if (mode === 'dev')
    return {
      ...DEV_PORTS,
      kms: [...DEV_PORTS.kms],
      registry: [...DEV_PORTS.registry],
      cash: [...DEV_PORTS.cash],
      packager: [...DEV_PORTS.packager],
    };
  const next = allocate;
  return {
    kafka: await next(),
    kafkaController: await next(),
    mongo: await next(),
    auth: await next(),
    kms: [await next(), await next()],
    kmsAdmin: [await next(), await next()],
    registry: [await next(), await next()],
    cash: [await next(), await next()],
    packager: [await next(), await next()],
  };
}

export interface PlatformLayout {
  mode: PlatformMode;
  /** The repository root. */
  root: string;
  /** Short random id of this run (test mode names its databases and topics with it). */
  runId: string;
  secretsDir: string;
  kafkaDataDir: string;
  mongoDataDir: string;
  authKeysDir: string;
  /** Parent of each CASH's journal folder (`<cashDir>/<coremxId>`). */
  cashDir: string;
  /** Parent of each packager's recording folder (`<recordingsDir>/<coremxId>`). */
  recordingsDir: string;
  logDir: string;
  /** The built web app the registries serve. */
  webRoot: string;
  /** Removed by `stop()` (test mode); dev mode keeps everything. */
  tempDir?: string;
}

/**
 * Dev mode keeps state exactly where `scripts/dev-up.sh` always kept it (so existing checkouts keep their
 * passwords, keys and conferences); test mode puts everything in `tempDir` and logs under `.infra/test-logs`.
 */
export function planLayout(
  mode: PlatformMode,
  root: string,
  runId: string,
  tempDir?: string,
): PlatformLayout {
  const infra = join(root, '.infra');
  if (mode === 'dev') {
    return {
      mode,
      root,
      runId,
      secretsDir: join(infra, 'dev-secrets'),
      kafkaDataDir: join(infra, 'kafka/data'),
      mongoDataDir: join(infra, 'ferretdb/data'),
      authKeysDir: join(infra, 'auth-keys'),
      cashDir: join(infra, 'cash'),
      recordingsDir: join(infra, 'recordings'),
      logDir: join(infra, 'run'),
      webRoot: join(root, 'dist/apps/web'),
    };
  }
  if (!tempDir) throw new Error('test mode needs a temporary folder');
  return {
    mode,
    root,
    runId,
    secretsDir: join(tempDir, 'secrets'),
    kafkaDataDir: join(tempDir, 'kafka'),
    mongoDataDir: join(tempDir, 'ferretdb'),
    authKeysDir: join(tempDir, 'auth-keys'),
    cashDir: join(tempDir, 'cash'),
    recordingsDir: join(tempDir, 'recordings'),
    logDir: join(infra, 'test-logs', `platform-${runId}`),
    webRoot: join(tempDir, 'web'),
    tempDir,
  };
}

/** Secret values the processes get in their environment (the others they read from files in `secretsDir`). */
export interface PlatformSecrets {
  adminApiKey: string;
  adminPassword: string;
  /** Service API keys by service account: each CASH's `cash-<coremxId>`, each registry id and `ops`. */
  serviceKeys: Record<string, string>;
}

export interface ServiceSpec {
  /** Name in progress events and the log file's name. */
  part: string;
  kind: PlatformServiceKind;
  /** Entry point, relative to the repository root (run through tools/ts-node/register.js). */
  entry: string;
  args: string[];
  env: Record<string, string>;
  port: number;
  /** Where clients reach it (http:// or ws://). */
  url: string;
  readyUrl: string;
  logFile: string;
}

export interface ServicePlanInput {
  layout: PlatformLayout;
  ports: PlatformPorts;
  kafkaBrokers: readonly string[];
  /** Base URI of the MongoDB-protocol server; each service gets a database of its own under it. */
  mongoUri: string;
  secrets: PlatformSecrets;
  kmsEngine?: KmsEngine;
  env?: PlatformServiceEnv;
}

export interface ServicePlan {
  auth: ServiceSpec;
  kms: ServiceSpec[];
  registries: (ServiceSpec & { registryId: string; cloud: string })[];
  /** One LL-HLS packager per CoreMX, in `PLATFORM_CLOUDS` order, beside that CoreMX's CASH. */
  packagers: (ServiceSpec & {
    coremxId: string;
    cloud: string;
    rtpPorts: { min: number; max: number };
    controlKeyFile: string;
    viewerTokenKeyFile: string;
  })[];
  cash: (ServiceSpec & { coremxId: string; cloud: string; signalingUrl: string })[];
}

/** A database of its own per service; test runs prefix theirs with the run id (they may share a server). */
export function serviceMongoUri(
  base: string,
  layout: Pick<PlatformLayout, 'mode' | 'runId'>,
  name: string,
): string {
  const db = `hoot_${layout.mode === 'test' ? `${layout.runId}_` : ''}${name}`.replace(/[^a-zA-Z0-9_]/g, '_');
  const withoutQuery = base.split('?')[0];
  const query = base.includes('?') ? `?${base.split('?')[1]}` : '';
  const server = withoutQuery.replace(/^(mongodb(?:\+srv)?:\/\/[^/]+).*$/, '$1');
  return `${server}/${db}${query}`;
}

/**
 * Spec-speed tunables test mode adds (each still overridable through `env`): registries converge and
 * notice a silent peer within seconds, CASH reports every half second, sign-ins are not rate limited,
 * and revocations go to a topic of the run's own (specs share one broker), which auth publishes to and
 * every verifier (registries, CASH) follows.
 */
export function testTunables(runId: string): Record<PlatformServiceKind, Record<string, string>> {
  const revocations = `hoot.auth.revocations.${runId}`;
  return {
    auth: {
      AUTH_REVOCATIONS_TOPIC: revocations,
      AUTH_RATE_LIMIT_PER_ADDRESS: '1000000',
      AUTH_RATE_LIMIT_PER_IDENTITY: '1000000',
    },
    'kms-lite': {},
    registry: {
      AUTH_REVOCATIONS_TOPIC: revocations,
      GOSSIP_INTERVAL_MS: '200',
      GOSSIP_DEBOUNCE_MS: '20',
      GOSSIP_TIMEOUT_MS: '1000',
      SUSPECT_AFTER_MS: '1000',
      DEAD_AFTER_MS: '3000',
      COREMX_HARD_TIMEOUT_MS: '20000',
    },
    cash: {
      AUTH_REVOCATIONS_TOPIC: revocations,
      HEARTBEAT_INTERVAL_MS: '500',
      KMS_HEALTH_INTERVAL_MS: '500',
      LOAD_SAMPLE_INTERVAL_MS: '500',
    },
    packager: {},
  };
}

/** Every long-running service with its exact arguments and environment, as `scripts/dev-up.sh` ran them. */
export function planServices(input: ServicePlanInput): ServicePlan {
  const { layout, ports, secrets } = input;
  const brokers = input.kafkaBrokers.join(',');
  const extra = (kind: PlatformServiceKind): Record<string, string> => ({
    ...(layout.mode === 'test' ? testTunables(layout.runId)[kind] : {}),
    ...input.env?.[kind],
  });
  const log = (part: string) => join(layout.logDir, `${part}.log`);
  const http = (port: number) => `http://127.0.0.1:${port}`;
  const authUrl = http(ports.auth);

  const auth: ServiceSpec = {
    part: 'auth',
    kind: 'auth',
    entry: 'apps/auth/src/main.ts',
    args: [],
    env: {
      MONGO_URI: serviceMongoUri(input.mongoUri, layout, 'auth'),
      KAFKA_BROKERS: brokers,
      PORT: String(ports.auth),
      HOST: '127.0.0.1',
      AUTH_KEYS_DIR: layout.authKeysDir,
      AUTH_ADMIN_API_KEY: secrets.adminApiKey,
      AUTH_BOOTSTRAP_ADMIN_USERNAME: ADMIN_USERNAME,
      AUTH_BOOTSTRAP_ADMIN_PASSWORD: secrets.adminPassword,
      NODE_ID: 'auth-local',
      AUTH_BOOTSTRAP_SERVICE_KEYS: Object.entries(secrets.serviceKeys)
        .map(([account, key]) => `${account}:${key}`)
        .join(','),
      ...extra('auth'),
    },
    port: ports.auth,
    url: authUrl,
    readyUrl: `${authUrl}/health/ready`,
    logFile: log('auth'),
  };

  const kms = PLATFORM_CLOUDS.map((_, i): ServiceSpec => {
    const port = ports.kms[i];
    const part = `kms-lite-${port}`;
    const args = ['--port', String(port)];
    if (layout.mode === 'dev') {
      // Two media port ranges side by side, clear of each other (dev-up's 40000–40499 and 40500–40999).
      args.push('--min-port', String(40000 + i * 500), '--max-port', String(40499 + i * 500));
    } else {
      args.push('--host', '127.0.0.1');
    }
    if (ports.kmsAdmin) args.push('--admin-port', String(ports.kmsAdmin[i]));
    if (input.kmsEngine) args.push('--engine', input.kmsEngine);
    args.push('--node-id', part);
    return {
      part,
      kind: 'kms-lite',
      entry: 'apps/kms-lite/src/main.ts',
      args,
      env: extra('kms-lite'),
      port,
      url: `ws://127.0.0.1:${port}/kurento`,
      readyUrl: `${http(port)}/health/ready`,
      logFile: log(part),
    };
  });

  const registryUrls = ports.registry.map(http);
  const registries = PLATFORM_CLOUDS.map((place, i) => {
    const port = ports.registry[i];
    const url = registryUrls[i];
    const id = place.registryId;
    return {
      part: id,
      kind: 'registry' as const,
      registryId: id,
      cloud: place.cloud,
      entry: 'apps/registry/src/main.ts',
      args: [],
      env: {
        REGISTRY_ID: id,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ID: id,
        REGISTRY_PUBLIC_URL: url,
        REGISTRY_PEERS: registryUrls.join(','),
        REGISTRY_REGION: place.region,
        REGISTRY_LATITUDE: String(place.latitude),
        REGISTRY_LONGITUDE: String(place.longitude),
        AUTH_URL: authUrl,
        AUTH_ISSUER: PLATFORM_ISSUER,
        REGISTRY_SERVICE_API_KEY_FILE: join(layout.secretsDir, `service-key-${id}`),
        KAFKA_BROKERS: brokers,
        // Each node derives its accounts' webhook secrets from it.
        WEBHOOK_SIGNING_KEY_FILE: join(layout.secretsDir, `webhook-signing-key-${id}`),
        // Local receivers (a backend on this machine) are the point of a local run.
        WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
        MONGO_URI: serviceMongoUri(input.mongoUri, layout, id),
        WEB_ROOT: layout.webRoot,
        ...extra('registry'),
      },
      port,
      url,
      readyUrl: `${url}/health/ready`,
      logFile: log(id),
    };
  });

  // One packager per CoreMX: its own HTTP port, RTP range and keys (files in the secrets folder).
  const packagers = PLATFORM_CLOUDS.map((place, i) => {
    const port = ports.packager[i];
    const id = place.coremxId;
    const part = `packager-${id}`;
    const rtpPorts = packagerRtpRange(i);
    const controlKeyFile = join(layout.secretsDir, packagerControlKeyName(id));
    const viewerTokenKeyFile = join(layout.secretsDir, packagerViewerTokenKeyName(id));
    return {
      part,
      kind: 'packager' as const,
      coremxId: id,
      cloud: place.cloud,
      rtpPorts,
      controlKeyFile,
      viewerTokenKeyFile,
      entry: 'apps/packager/src/main.ts',
      args: [],
      env: {
        PACKAGER_HOST: '127.0.0.1',
        PACKAGER_PORT: String(port),
        // kms-lite sends RTP on this machine's loopback.
        PACKAGER_ANNOUNCED_IP: '127.0.0.1',
        PACKAGER_RTP_MIN_PORT: String(rtpPorts.min),
        PACKAGER_RTP_MAX_PORT: String(rtpPorts.max),
        PACKAGER_CONTROL_KEY_FILE: controlKeyFile,
        PACKAGER_VIEWER_TOKEN_KEY_FILE: viewerTokenKeyFile,
        // Recordings of this CoreMX's rooms (the packager creates the folder; the default 5 GiB limit).
        PACKAGER_RECORDING_DIR: join(layout.recordingsDir, id),
        NODE_ID: part,
        ...extra('packager'),
      },
      port,
      url: http(port),
      readyUrl: `${http(port)}/health/ready`,
      logFile: log(part),
    };
  });

  // One CoreMX per cloud: CASH beside its cloud's kms-lite, reporting to its own cloud's registry first.
  const cash = PLATFORM_CLOUDS.map((place, i) => {
    const port = ports.cash[i];
    const id = place.coremxId;
    const signalingUrl = `ws://127.0.0.1:${port}/signal`;
    const order = [registryUrls[i], ...registryUrls.filter((_, j) => j !== i)];
    return {
      part: `cash-${id}`,
      kind: 'cash' as const,
      coremxId: id,
      cloud: place.cloud,
      signalingUrl,
      entry: 'apps/cash/src/main.ts',
      args: [],
      env: {
        COREMX_ID: id,
        COREMX_ADDRESS: `${id}.${place.cloud}.hoot.mx`,
        SIGNALING_URL: signalingUrl,
        PORT: String(port),
        HOST: '127.0.0.1',
        NODE_ID: `cash-${id}`,
        KMS_URL: kms[i].url,
        KAFKA_BROKERS: brokers,
        CCES_JOURNAL_DIR: join(layout.cashDir, id),
        AUTH_URL: authUrl,
        AUTH_JWKS_URL: `${authUrl}/.well-known/jwks.json`,
        AUTH_ISSUER: PLATFORM_ISSUER,
        REGISTRY_URLS: order.join(','),
        // Its own service account: the registries refuse another's key for this CoreMX (coremx.not-bound).
        CASH_SERVICE_API_KEY_FILE: join(layout.secretsDir, `service-key-${cashAccountOf(id)}`),
        // Its own packager (LL-HLS of p2m rooms), under the packager's own variable names: the control
        // API's URL and key, and the key viewer tokens are signed with (CASH signs, the packager checks).
        PACKAGER_URL: packagers[i].url,
        // Where viewers fetch playlists (the chart's publicUrl); on one machine the same address.
        PACKAGER_PUBLIC_URL: packagers[i].url,
        PACKAGER_CONTROL_KEY_FILE: packagers[i].controlKeyFile,
        PACKAGER_VIEWER_TOKEN_KEY_FILE: packagers[i].viewerTokenKeyFile,
        ...extra('cash'),
      },
      port,
      url: http(port),
      readyUrl: `${http(port)}/health/ready`,
      logFile: log(`cash-${id}`),
    };
  });

  return { auth, kms, registries, packagers, cash };
}
