import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { resolve } from 'node:path';
import { REGISTRY_ID } from '@hoot/gossip';
import {
  EnvBoolean,
  EnvList,
  IsAddressOrCidr,
  loadConfig,
  ConfigError,
  refuseTrustProxy,
  trustProxyOption,
  type Env,
} from '@hoot/service-kit';
import { WEBHOOK_DEFAULTS } from '../webhooks/webhook-defaults';

/**
 * Every setting of a registry node, from the environment, validated at boot. The secret
 * (`REGISTRY_SERVICE_API_KEY`) has no default and may be given as `REGISTRY_SERVICE_API_KEY_FILE`.
 * Protocol timings default to `GOSSIP_DEFAULTS` (see libs/gossip) and are settable for tests.
 */
export class RegistryConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3200;

  @IsString()
  HOST: string = '0.0.0.0';

  /** `reg-<cloud>-<priority>`: must agree with REGISTRY_CLOUD and REGISTRY_PRIORITY when those are set. */
  @Matches(REGISTRY_ID)
  REGISTRY_ID!: string;

  /** Public base URL of this registry node (clients, peers and CASH reach it there). */
  @IsUrl({ require_tld: false, require_protocol: true })
  REGISTRY_PUBLIC_URL!: string;

  /** The well-known URLs of every registry node (this one may be included; it is skipped). */
  @EnvList()
  @IsUrl({ require_tld: false, require_protocol: true }, { each: true })
  REGISTRY_PEERS: string[] = [];

  /** Where this registry is, for iroulette: a region name and coordinates (degrees). */
  @IsString()
  @Matches(/^[a-z0-9-]{1,32}$/)
  REGISTRY_REGION: string = 'local';

  @IsNumber()
  @Min(-90)
  @Max(90)
  REGISTRY_LATITUDE: number = 0;

  @IsNumber()
  @Min(-180)
  @Max(180)
  REGISTRY_LONGITUDE: number = 0;

  @IsUrl({ require_tld: false, require_protocol: true })
  AUTH_URL!: string;

  /** JWKS of the auth service; defaults to `<AUTH_URL>/.well-known/jwks.json`. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  AUTH_JWKS_URL?: string;

  @IsString()
  AUTH_ISSUER!: string;

  @IsString()
  AUTH_AUDIENCE: string = 'hoot';

  @IsString()
  AUTH_INTERNAL_AUDIENCE: string = 'hoot-internal';

  /** Auth's revocation topic (jti and per-subject, disabled accounts included): read to its end before serving. */
  @IsString()
  @Matches(/^[a-zA-Z0-9._-]{1,249}$/)
  AUTH_REVOCATIONS_TOPIC: string = 'hoot.auth.revocations';

  /** This registry's service API key (exchanged for service tokens to call peers). Secret: no default. */
  @IsString()
  @MinLength(16)
  REGISTRY_SERVICE_API_KEY!: string;

  /**
   * CoreMX binding: each CASH advertises only its own CoreMX, with the service account `cash-<coremxId>`.
   * These service accounts (e.g. the former shared `cash`) are still accepted for any CoreMX: a migration
   * aid that re-opens the hole the binding closes (a warning is logged at start). Empty by default.
   */
  @EnvList()
  @Matches(/^[a-z0-9][a-z0-9._-]{2,63}$/, { each: true })
  CASH_SHARED_SERVICE_ACCOUNTS: string[] = [];

  @IsString()
  @Matches(/^mongodb:\/\//)
  MONGO_URI!: string;

  @IsInt()
  @Min(10)
  GOSSIP_INTERVAL_MS: number = 1_000;

  @IsInt()
  @Min(0)
  GOSSIP_DEBOUNCE_MS: number = 50;

  @IsInt()
  @Min(50)
  GOSSIP_TIMEOUT_MS: number = 2_000;

  @IsInt()
  @Min(10)
  SUSPECT_AFTER_MS: number = 5_000;

  @IsInt()
  @Min(20)
  DEAD_AFTER_MS: number = 15_000;

  /**
   * A CoreMX whose CASH has not reported for this long is suspect: no join is sent to it, and the primary
   * of its cloud probes it (`COREMX_PROBE_TIMEOUT_MS`) and declares it down when the probe fails. CASH
   * reports every `HEARTBEAT_INTERVAL_MS` (500 ms): keep this at least twice that plus slack.
   */
  @IsInt()
  @Min(10)
  COREMX_SUSPECT_AFTER_MS: number = 1_500;

  /** How long the primary waits for a suspect CASH's `/health/live` before taking it as dead. */
  @IsInt()
  @Min(50)
  COREMX_PROBE_TIMEOUT_MS: number = 1_000;

  /** How often the primary looks for suspect CoreMX to probe. */
  @IsInt()
  @Min(10)
  COREMX_CHECK_INTERVAL_MS: number = 250;

  @IsInt()
  @Min(20)
  COREMX_HARD_TIMEOUT_MS: number = 60_000;

  // ---- conferences (directory, placement, join) -------------------------------------------------

  /** Kafka brokers: the conference directory and webhooks consume every CoreMX topic. */
  @EnvList()
  @IsString({ each: true })
  @Matches(/^[^\s,]+:\d+$/, { each: true, message: 'KAFKA_BROKERS must be host:port entries' })
  KAFKA_BROKERS!: string[];

  /** Base URL of the web app for the unique join URLs; default this registry's public URL. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true })
  WEB_BASE_URL?: string;

  /** Join tickets live this long (the client connects to the CoreMX within it). */
  @IsInt()
  @Min(10)
  @Max(600)
  JOIN_TICKET_TTL_S: number = 120;

  /** Per-identity budgets: creations and joins per minute (429 + Retry-After beyond). */
  @IsInt()
  @Min(1)
  CREATE_RATE_PER_MIN: number = 30;

  @IsInt()
  @Min(1)
  JOIN_RATE_PER_MIN: number = 120;

  /** Calls to a CASH (reserve, end) time out after this. */
  @IsInt()
  @Min(50)
  CASH_TIMEOUT_MS: number = 3_000;

  /** Placement: a CoreMX whose last report is older than this is not chosen. */
  @IsInt()
  @Min(100)
  PLACEMENT_STALE_AFTER_MS: number = 15_000;

  /** Placement among eligible CoreMX: the least loaded, or the less loaded of two drawn at random. */
  @IsIn(['least-loaded', 'power-of-two'])
  PLACEMENT_STRATEGY: 'least-loaded' | 'power-of-two' = 'least-loaded';

  /** How often the primary looks for conferences of down CoreMX to re-home. */
  @IsInt()
  @Min(100)
  REHOME_INTERVAL_MS: number = 2_000;

  // ---- end conferences ------------------------------------------------------------------------------

  // ---- webhooks (defaults and reasons in src/webhooks/webhook-defaults.ts) ---------------------------

  /** Every account's webhook secret is derived from this key (HMAC). Secret: no default, never logged. */
  @IsString()
  @MinLength(32)
  WEBHOOK_SIGNING_KEY!: string;

  /** Allow http and loopback/private/link-local receivers: development and tests only (SSRF otherwise). */
  @EnvBoolean()
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE_URLS: boolean = false;

  @IsInt()
  @Min(1)
  @Max(100)
  WEBHOOK_MAX_ATTEMPTS: number = WEBHOOK_DEFAULTS.maxAttempts;

  @IsInt()
  @Min(1)
  WEBHOOK_BACKOFF_BASE_MS: number = WEBHOOK_DEFAULTS.backoffBaseMs;

  @IsInt()
  @Min(1)
  WEBHOOK_BACKOFF_MAX_MS: number = WEBHOOK_DEFAULTS.backoffMaxMs;

  @IsInt()
  @Min(50)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS: number = WEBHOOK_DEFAULTS.timeoutMs;

  @IsInt()
  @Min(10)
  WEBHOOK_POLL_INTERVAL_MS: number = WEBHOOK_DEFAULTS.pollIntervalMs;

  @IsInt()
  @Min(1)
  @Max(256)
  WEBHOOK_CONCURRENCY: number = WEBHOOK_DEFAULTS.concurrency;

  /** How often the webhook consumer looks for new CoreMX topics (0 = only at start). */
  @IsInt()
  @Min(0)
  WEBHOOK_TOPIC_REFRESH_MS: number = 10_000;

  // ---- end webhooks ---------------------------------------------------------------------------------

  /** Watch CoreMX pods through the Kubernetes API (in a cluster) and mark a deleted pod's CoreMX down. */
  @EnvBoolean()
  @IsBoolean()
  K8S_POD_WATCH: boolean = false;

  /** Kubeconfig file for the pod watch; unset = in-cluster service account. */
  @IsOptional()
  @IsString()
  K8S_KUBECONFIG?: string;

  @IsString()
  K8S_NAMESPACE: string = 'default';

  /** Label selector of CoreMX pods; the CoreMX id is the pod's `hoot.mx/coremx-id` label, else its name. */
  @IsString()
  K8S_COREMX_SELECTOR: string = 'app.kubernetes.io/component=coremx';

  /** Folder of the built web app (apps/web) served at `/`; default `dist/apps/web` under the working directory. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  WEB_ROOT?: string;

  @IsInt()
  @Min(1024)
  BODY_LIMIT_BYTES: number = 1_100_000;

  /**
   * Proxies whose `X-Forwarded-For` is believed (comma-separated IP addresses or CIDRs, e.g. an ingress
   * controller's pod network). Empty (the default): no header is believed and the client address is the
   * socket's peer. That address is what the sign-in proxy sends auth as `X-Forwarded-For` (alone), so
   * nobody can choose the address auth's per-address sign-in limits count against. The old `TRUST_PROXY`
   * (believe everyone) is refused at boot.
   */
  @EnvList()
  @IsAddressOrCidr({ each: true })
  TRUSTED_PROXIES: string[] = [];

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
  LOG_LEVEL: string = 'info';

  @IsString()
  SERVICE_VERSION: string = '0.1.0';

  @IsString()
  NODE_ID: string = 'registry-0';

  /** Derived from REGISTRY_ID. */
  get cloud(): string {
    return this.REGISTRY_ID.split('-')[1];
  }

  get priority(): number {
    return Number(this.REGISTRY_ID.split('-')[2]);
  }

  get webRoot(): string {
    return resolve(process.cwd(), this.WEB_ROOT ?? 'dist/apps/web');
  }

  get jwksUrl(): string {
    return this.AUTH_JWKS_URL ?? `${this.AUTH_URL.replace(/\/$/, '')}/.well-known/jwks.json`;
  }
}

export function registryConfigFrom(env: Env): RegistryConfig {
  refuseTrustProxy(env);
  const config = loadConfig(RegistryConfig, env);
  const problems: { variable: string; problems: string[] }[] = [];
  const add = (variable: string, problem: string) => problems.push({ variable, problems: [problem] });
  if (env['REGISTRY_CLOUD'] !== undefined && env['REGISTRY_CLOUD'] !== config.cloud)
    add('REGISTRY_CLOUD', `does not match REGISTRY_ID ${config.REGISTRY_ID}`);
  if (env['REGISTRY_PRIORITY'] !== undefined && Number(env['REGISTRY_PRIORITY']) !== config.priority)
    add('REGISTRY_PRIORITY', `does not match REGISTRY_ID ${config.REGISTRY_ID}`);
  if (!(config.SUSPECT_AFTER_MS < config.DEAD_AFTER_MS))
    add('SUSPECT_AFTER_MS', 'must be below DEAD_AFTER_MS');
  if (!(config.SUSPECT_AFTER_MS < config.COREMX_HARD_TIMEOUT_MS))
    add('SUSPECT_AFTER_MS', 'must be below COREMX_HARD_TIMEOUT_MS');
  if (!(config.COREMX_SUSPECT_AFTER_MS < config.COREMX_HARD_TIMEOUT_MS))
    add('COREMX_SUSPECT_AFTER_MS', 'must be below COREMX_HARD_TIMEOUT_MS');
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/** Fastify's `trustProxy` for this registry: the `TRUSTED_PROXIES` only, or none. */
export const registryTrustProxy = (config: RegistryConfig): string[] | false =>
  trustProxyOption(config.TRUSTED_PROXIES);

export const registryConfigFromEnvironment = () => registryConfigFrom(process.env);
