import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength } from 'class-validator';
import {
  ConfigError,
  EnvList,
  IsAddressOrCidr,
  loadConfig,
  refuseTrustProxy,
  trustProxyOption as trustProxyFor,
  type Env,
} from '@hoot/service-kit';

/**
 * Every setting of the auth service, from the environment, validated at boot (see README for each).
 * Secrets (`AUTH_ADMIN_API_KEY`, `AUTH_BOOTSTRAP_ADMIN_PASSWORD`, `AUTH_BOOTSTRAP_SERVICE_KEYS`) have no
 * default and may be given as `<NAME>_FILE` (a mounted Secret).
 */
export class AuthConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3100;

  @IsString()
  HOST: string = '0.0.0.0';

  @IsString()
  NODE_ID: string = 'auth-0';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  @IsInt()
  @Min(1024)
  @Max(1024 * 1024)
  BODY_LIMIT_BYTES: number = 64 * 1024;

  /**
   * Proxies whose `X-Forwarded-For` is believed (comma-separated IP addresses or CIDRs, e.g. the pod
   * network the registries call from). Empty (the default): no header is believed and the client address
   * is the socket's peer, so nobody can choose the address the per-address sign-in limits count against.
   */
  @EnvList()
  @IsAddressOrCidr({ each: true })
  TRUSTED_PROXIES: string[] = [];

  @IsString()
  @Matches(/^mongodb(\+srv)?:\/\//, { message: 'MONGO_URI must be a mongodb:// URI' })
  MONGO_URI!: string;

  @EnvList()
  @IsString({ each: true })
  @MinLength(3, { each: true })
  KAFKA_BROKERS!: string[];

  @IsString()
  AUTH_REVOCATIONS_TOPIC: string = 'hoot.auth.revocations';

  /** `iss` of every token; verifiers must be configured with the same value. */
  @IsUrl({ require_tld: false, require_protocol: true })
  AUTH_ISSUER: string = 'https://auth.hoot.svc';

  /** `aud` of user tokens. */
  @IsString()
  AUTH_AUDIENCE: string = 'hoot';

  /** `aud` of service tokens (internal calls). */
  @IsString()
  AUTH_INTERNAL_AUDIENCE: string = 'hoot-internal';

  /** Lifetime of user tokens: 8 hours. */
  @IsInt()
  @Min(60)
  @Max(7 * 24 * 3600)
  AUTH_TOKEN_TTL_S: number = 8 * 3600;

  /** Lifetime of service tokens: short, they are renewed automatically. */
  @IsInt()
  @Min(60)
  @Max(24 * 3600)
  AUTH_SERVICE_TOKEN_TTL_S: number = 15 * 60;

  /** Directory of `<kid>.pem` RSA private keys (a mounted Secret in a cluster). */
  @IsString()
  AUTH_KEYS_DIR!: string;

  /** Signing key id; empty = the newest active key (greatest kid). */
  @IsOptional()
  @IsString()
  AUTH_SIGNING_KID?: string;

  /** How often the key directory is re-read (new keys, removed keys). */
  @IsInt()
  @Min(100)
  AUTH_KEYS_RELOAD_INTERVAL_MS: number = 10_000;

  /**
   * A key that appears while running is published at once but signs only after this delay, so every
   * verifier (JWKS refetch cooldown 10 s) knows it before the first token it signed.
   */
  @IsInt()
  @Min(0)
  AUTH_KEY_ACTIVATION_DELAY_MS: number = 60_000;

  /** Bearer key for the admin API. */
  @IsString()
  @MinLength(24, { message: 'AUTH_ADMIN_API_KEY must be at least 24 characters' })
  AUTH_ADMIN_API_KEY!: string;

  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9._-]{2,63}$/)
  AUTH_BOOTSTRAP_ADMIN_USERNAME?: string;

  @IsOptional()
  @IsString()
  @MinLength(12)
  AUTH_BOOTSTRAP_ADMIN_PASSWORD?: string;

  /** `name:hk_…` pairs (comma-separated): service accounts and their API keys, created at boot if absent. */
  @IsOptional()
  @EnvList()
  @Matches(/^[a-z0-9][a-z0-9._-]{2,63}:hk_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{43}$/, {
    each: true,
    message: 'AUTH_BOOTSTRAP_SERVICE_KEYS must be name:hk_<16>_<43> pairs',
  })
  AUTH_BOOTSTRAP_SERVICE_KEYS?: string[];

  /** Token requests per client address per window (all attempts). */
  @IsInt()
  @Min(1)
  AUTH_RATE_LIMIT_PER_ADDRESS: number = 30;

  /**
   * Failed token requests per identity (username or API key) *from one client address* per window; that
   * pair is then refused until the window ends. It is also the number of failures of an identity (all
   * addresses together) before the identity's back-off starts. See src/tokens/sign-in-throttle.ts.
   */
  @IsInt()
  @Min(1)
  AUTH_RATE_LIMIT_PER_IDENTITY: number = 5;

  @IsInt()
  @Min(1000)
  AUTH_RATE_LIMIT_WINDOW_MS: number = 5 * 60_000;

  /**
   * Identity back-off (never a lock): past the free failures, a password check from an address the identity
   * has not signed in from waits this long after the identity's last failure, doubling per failure …
   */
  @IsInt()
  @Min(1)
  AUTH_IDENTITY_BACKOFF_BASE_MS: number = 1_000;

  /** … up to this (so a rotating-address attacker gets about one guess a minute; the owner waits at most this). */
  @IsInt()
  @Min(1)
  AUTH_IDENTITY_BACKOFF_MAX_MS: number = 60_000;

  /** How often unpublished revocations are retried and expired ones removed. */
  @IsInt()
  @Min(100)
  AUTH_OUTBOX_INTERVAL_MS: number = 5_000;

  @IsString()
  SERVICE_VERSION: string = '0.1.0';
}

/** Reads and validates the configuration; throws a `ConfigError` listing every bad variable. */
export function loadAuthConfig(env: Env): AuthConfig {
  refuseTrustProxy(env);
  const config = loadConfig(AuthConfig, env);
  if (config.AUTH_IDENTITY_BACKOFF_BASE_MS > config.AUTH_IDENTITY_BACKOFF_MAX_MS) {
    throw new ConfigError([
      {
        variable: 'AUTH_IDENTITY_BACKOFF_BASE_MS',
        problems: ['must not exceed AUTH_IDENTITY_BACKOFF_MAX_MS'],
      },
    ]);
  }
  if (Boolean(config.AUTH_BOOTSTRAP_ADMIN_USERNAME) !== Boolean(config.AUTH_BOOTSTRAP_ADMIN_PASSWORD)) {
    throw new Error(
      'invalid configuration: set both AUTH_BOOTSTRAP_ADMIN_USERNAME and AUTH_BOOTSTRAP_ADMIN_PASSWORD, or neither',
    );
  }
  return config;
}

/** Fastify's `trustProxy` for `TRUSTED_PROXIES`: those addresses only, or none. */
export function trustProxyOption(config: AuthConfig): string[] | false {
  return trustProxyFor(config.TRUSTED_PROXIES);
}

/** The configuration of this process (the one place that reads `process.env`). */
export function authConfigFromEnvironment(): AuthConfig {
  return loadAuthConfig(process.env);
}
