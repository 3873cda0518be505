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
import { EnvBoolean, EnvList, loadConfig, type Env } from '@hoot/service-kit';
import { MIN_VIEWER_TOKEN_KEY_BYTES } from '@hoot/auth-kit';
import { ROOM_RECONNECT_DEFAULTS } from '@hoot/domain';
import { CHAT_EVENT_MODES, type ChatEventsMode } from '../rooms/cces-event.mapper';
import { ICE_CANDIDATE_DEFAULTS } from '../rooms/ice-candidate-queue';
import { KEEPALIVE_DEFAULTS } from '../signaling/keepalive';
import { SIGNALING_LIMIT_DEFAULTS, type SignalingLimitsConfig } from '../signaling/signaling-limits';

const COREMX_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const MIXER_ADDRESS = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/**
 * Every setting of CASH, from the environment, validated at boot (the README lists each). The one
 * secret, `CASH_SERVICE_API_KEY`, has no default and may be given as `CASH_SERVICE_API_KEY_FILE`.
 */
export class CashConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT: number = 3300;

  @IsString()
  HOST: string = '0.0.0.0';

  @IsString()
  NODE_ID: string = 'cash-0';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  @IsString()
  SERVICE_VERSION: string = '0.1.0';

  @IsInt()
  @Min(1024)
  @Max(1024 * 1024)
  BODY_LIMIT_BYTES: number = 64 * 1024;

  @EnvBoolean()
  @IsBoolean()
  TRUST_PROXY: boolean = false;

  /** This CoreMX's id: the CCES topic is `hoot.coremx.<id>.events`, join tickets have audience `coremx:<id>`. */
  @Matches(COREMX_ID, { message: 'COREMX_ID must match [a-z0-9][a-z0-9-]{0,62}' })
  COREMX_ID!: string;

  /** DNS-style mixer address, used in `hoot.mx://<conference>@<address>` and reported to the registry. */
  @Matches(MIXER_ADDRESS, { message: 'COREMX_ADDRESS must be a DNS-style name such as coremx-1.c1.hoot.mx' })
  COREMX_ADDRESS!: string;

  /** Where clients open the signaling WebSocket (`wss://…/signal`), reported to the registry. */
  @Matches(/^wss?:\/\/[^\s]{1,240}$/, { message: 'SIGNALING_URL must be a ws:// or wss:// URL' })
  SIGNALING_URL!: string;

  /**
   * Where registries reach this CASH's service API (reserve, end), reported with every heartbeat; unset:
   * registries derive it from SIGNALING_URL (same host and port, http). Set it when clients reach
   * signaling through an ingress that registries should not use.
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]{1,240}$/, { message: 'CASH_API_URL must be an http:// or https:// URL' })
  CASH_API_URL?: string;

  /** Kurento's JSON-RPC WebSocket (`ws://kms:8888/kurento`). */
  @Matches(/^wss?:\/\/[^\s]+$/, { message: 'KMS_URL must be a ws:// or wss:// URL' })
  KMS_URL!: string;

  /** How often the media server is probed (restart detection). */
  @IsInt()
  @Min(100)
  KMS_HEALTH_INTERVAL_MS: number = 2_000;

  @EnvList()
  @IsString({ each: true })
  @MinLength(3, { each: true })
  KAFKA_BROKERS!: string[];

  /** Folder of the CCES journal (a persistent volume: events survive a restart there). */
  @IsString()
  @MinLength(1)
  CCES_JOURNAL_DIR!: string;

  /** Readiness fails while more CCES events than this wait for Kafka. */
  @IsInt()
  @Min(1)
  CCES_BACKLOG_READY_MAX: number = 10_000;

  @IsUrl({ require_tld: false, require_protocol: true })
  AUTH_ISSUER: string = 'https://auth.hoot.svc';

  /** The auth service's JWKS (tickets and service tokens are verified locally with it). */
  @IsUrl({ require_tld: false, require_protocol: true })
  AUTH_JWKS_URL!: string;

  /** Base URL of the auth service (service credentials for the registry calls). */
  @IsUrl({ require_tld: false, require_protocol: true })
  AUTH_URL!: string;

  /** Audience of user access tokens (a `join` with an access token and a room id instead of a ticket). */
  @IsString()
  AUTH_AUDIENCE: string = 'hoot';

  /** Audience of service tokens (registry → CASH calls). */
  @IsString()
  AUTH_INTERNAL_AUDIENCE: string = 'hoot-internal';

  @IsString()
  AUTH_REVOCATIONS_TOPIC: string = 'hoot.auth.revocations';

  /** Least time between two JWKS fetches caused by unknown key ids. */
  @IsInt()
  @Min(0)
  JWKS_REFETCH_COOLDOWN_MS: number = 10_000;

  /** This CASH's API key at the auth service (a Secret; no default). */
  @IsString()
  @MinLength(16, { message: 'CASH_SERVICE_API_KEY must be at least 16 characters' })
  CASH_SERVICE_API_KEY!: string;

  /** Registry base URLs in priority order: the own cloud's first, then the global list. */
  @EnvList()
  @IsUrl({ require_tld: false, require_protocol: true }, { each: true })
  REGISTRY_URLS!: string[];

  /**
   * How often CASH reports to its registry. Registries suspect a CoreMX whose reports stop for
   * COREMX_SUSPECT_AFTER_MS (1.5 s by default: no join is sent to it then), and its cloud's primary probes
   * it and, when the probe fails, declares it down and re-homes its conferences: two reports fit in that
   * window, and one late report only costs a probe the CASH answers.
   */
  @IsInt()
  @Min(100)
  HEARTBEAT_INTERVAL_MS: number = 500;

  /** Timeout of one registry call (then the next registry is tried). */
  @IsInt()
  @Min(100)
  REGISTRY_TIMEOUT_MS: number = 3_000;

  /** A room nobody is in any more is deleted this long after its last participant left. */
  @IsInt()
  @Min(0)
  ROOM_EMPTY_TIMEOUT_MS: number = 2 * 60_000;

  /** A reserved room nobody joined is deleted this long after its reservation. */
  @IsInt()
  @Min(1000)
  ROOM_RESERVATION_TIMEOUT_MS: number = 30 * 60_000;

  /** How often expired rooms are looked for. */
  @IsInt()
  @Min(100)
  ROOM_SWEEP_INTERVAL_MS: number = 5_000;

  /** Most rooms this CoreMX hosts (reported as `capacity`). */
  @IsInt()
  @Min(1)
  CAPACITY_ROOMS: number = 100;

  /** Most participants over all rooms. */
  @IsInt()
  @Min(1)
  CAPACITY_PARTICIPANTS: number = 1_000;

  /** Load (0..1) at or above which new rooms and joins are refused (state `overloaded`). */
  @IsNumber()
  @Min(0.05)
  @Max(1)
  ADMISSION_HIGH_WATERMARK: number = 0.85;

  /** Load at or below which an overloaded CoreMX admits again (hysteresis). */
  @IsNumber()
  @Min(0)
  @Max(1)
  ADMISSION_LOW_WATERMARK: number = 0.7;

  /** `Retry-After` of refusals while overloaded or draining. */
  @IsInt()
  @Min(1)
  ADMISSION_RETRY_AFTER_S: number = 10;

  /** How often the media server's load is sampled. */
  @IsInt()
  @Min(100)
  LOAD_SAMPLE_INTERVAL_MS: number = 5_000;

  /** A drain (SIGTERM or API) ends the rooms still open after this long. */
  @IsInt()
  @Min(0)
  DRAIN_DEADLINE_MS: number = 10 * 60_000;

  /** A signaling connection that has not joined within this is closed. */
  @IsInt()
  @Min(100)
  SIGNAL_JOIN_TIMEOUT_MS: number = 10_000;

  /** Largest signaling message (an SDP offer is ≈ 20 KiB). */
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024)
  SIGNAL_MAX_MESSAGE_BYTES: number = 256 * 1024;

  /** Messages per second one connection may send on average (token bucket; see SIGNALING_LIMIT_DEFAULTS). */
  @IsNumber()
  @Min(0.1)
  SIGNAL_MESSAGES_PER_S: number = SIGNALING_LIMIT_DEFAULTS.connectionMessages.ratePerS;

  /** Messages one connection may send at once (a join with its subscriptions and ICE is ≈ 120). */
  @IsInt()
  @Min(1)
  SIGNAL_MESSAGES_BURST: number = SIGNALING_LIMIT_DEFAULTS.connectionMessages.burst;

  /** Chat messages per second of one connection. */
  @IsNumber()
  @Min(0.01)
  SIGNAL_CHAT_PER_S: number = SIGNALING_LIMIT_DEFAULTS.connectionChat.ratePerS;

  @IsInt()
  @Min(1)
  SIGNAL_CHAT_BURST: number = SIGNALING_LIMIT_DEFAULTS.connectionChat.burst;

  /** Messages per second of one identity over all its connections. */
  @IsNumber()
  @Min(0.1)
  SIGNAL_IDENTITY_MESSAGES_PER_S: number = SIGNALING_LIMIT_DEFAULTS.identityMessages.ratePerS;

  @IsInt()
  @Min(1)
  SIGNAL_IDENTITY_MESSAGES_BURST: number = SIGNALING_LIMIT_DEFAULTS.identityMessages.burst;

  /** Chat messages per second of one identity over all its connections. */
  @IsNumber()
  @Min(0.01)
  SIGNAL_IDENTITY_CHAT_PER_S: number = SIGNALING_LIMIT_DEFAULTS.identityChat.ratePerS;

  @IsInt()
  @Min(1)
  SIGNAL_IDENTITY_CHAT_BURST: number = SIGNALING_LIMIT_DEFAULTS.identityChat.burst;

  /** Refusals a connection may collect (refilled at one a second) before it is closed (4029). */
  @IsInt()
  @Min(1)
  SIGNAL_ABUSE_REFUSALS: number = SIGNALING_LIMIT_DEFAULTS.abuseRefusals;

  /** Connections from one remote address that have not joined yet; more are closed at once (4029). */
  @IsInt()
  @Min(1)
  SIGNAL_MAX_UNJOINED_PER_ADDRESS: number = SIGNALING_LIMIT_DEFAULTS.unjoinedPerAddress;

  /** Joined sessions are checked against the revocation feed this often (revoked ones close, 4001): a
   * map look-up per session, so even 1,000 sessions cost well under a millisecond a check. */
  @IsInt()
  @Min(10)
  @Max(10_000)
  REVOCATION_CHECK_INTERVAL_MS: number = 100;

  /** A WebSocket ping to every connection this often (0: off); see KEEPALIVE_DEFAULTS. */
  @IsInt()
  @Min(0)
  @Max(600_000)
  SIGNAL_PING_INTERVAL_MS: number = KEEPALIVE_DEFAULTS.intervalMs;

  /** Pings in a row without a pong after which the connection is dead (closed; its participant leaves). */
  @IsInt()
  @Min(1)
  @Max(100)
  SIGNAL_PING_MISSED_MAX: number = KEEPALIVE_DEFAULTS.missedMax;

  /** An identity whose session dropped keeps its place (role, seniority, join order) this long. */
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  RECONNECT_GRACE_MS: number = ROOM_RECONNECT_DEFAULTS.graceMs;

  /** A trickled ICE candidate the media server has not taken within this is logged and skipped. */
  @IsInt()
  @Min(10)
  @Max(60_000)
  ICE_CANDIDATE_TIMEOUT_MS: number = ICE_CANDIDATE_DEFAULTS.timeoutMs;

  /** Candidates waiting per media endpoint; more are logged and dropped. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  ICE_CANDIDATES_PER_ENDPOINT: number = ICE_CANDIDATE_DEFAULTS.maxPerEndpoint;

  /** Candidates for an endpoint that does not exist yet are held this long, then dropped (logged). */
  @IsInt()
  @Min(0)
  @Max(600_000)
  ICE_CANDIDATE_HOLD_MS: number = ICE_CANDIDATE_DEFAULTS.holdMs;

  /**
   * What a chat message puts on the CoreMX's topic: `text` (default: chat is a conference event like any
   * other, and the room already holds its text), `metadata` (author and length, `textOmitted`: for a
   * deployment that must not keep chat text outside the room) or `off` (no `chat.message` at all).
   */
  @IsIn(CHAT_EVENT_MODES, { message: `CHAT_EVENTS must be one of ${CHAT_EVENT_MODES.join(', ')}` })
  CHAT_EVENTS: ChatEventsMode = 'text';

  // ---- the CoreMX's packager (issue 18: p2m over LL-HLS, recording); optional as a group ---------------

  /** The packager's control API (`http://127.0.0.1:3400` in the pod). Unset: no HLS, no recording. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  PACKAGER_URL?: string;

  /** The base of playlist URLs handed to viewers (as browsers reach the packager); default PACKAGER_URL. */
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  PACKAGER_PUBLIC_URL?: string;

  /** The packager's control API key (a Secret, the packager's own `PACKAGER_CONTROL_KEY`). */
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'PACKAGER_CONTROL_KEY must be at least 16 characters' })
  PACKAGER_CONTROL_KEY?: string;

  /** The HMAC key of viewer tokens (a Secret shared with the packager, ≥ 32 characters). */
  @IsOptional()
  @IsString()
  @MinLength(MIN_VIEWER_TOKEN_KEY_BYTES, {
    message: `PACKAGER_VIEWER_TOKEN_KEY must be at least ${MIN_VIEWER_TOKEN_KEY_BYTES} characters`,
  })
  PACKAGER_VIEWER_TOKEN_KEY?: string;

  /** One control API call to the packager is given up after this (a DELETE waits for its remuxer to stop). */
  @IsInt()
  @Min(100)
  @Max(60_000)
  PACKAGER_TIMEOUT_MS: number = 10_000;

  /** How long a viewer token is accepted; a fresh one is pushed every half of it. */
  @IsInt()
  @Min(30)
  @Max(86_400)
  HLS_VIEWER_TOKEN_TTL_S: number = 600;

  /** While recording, each recorded stream is checked this often (a full volume ends the recording). */
  @IsInt()
  @Min(100)
  @Max(600_000)
  RECORDING_POLL_INTERVAL_MS: number = 2_000;
}

/** What CASH needs of its packager, when it has one (the four PACKAGER_* variables). */
export interface PackagerSettings {
  url: string;
  publicUrl: string;
  controlKey: string;
  viewerTokenKey: Buffer;
  timeoutMs: number;
  tokenTtlS: number;
  recordingPollMs: number;
}

const PACKAGER_GROUP = ['PACKAGER_URL', 'PACKAGER_CONTROL_KEY', 'PACKAGER_VIEWER_TOKEN_KEY'] as const;

/** The packager settings, or undefined when the group is unset (no HLS, recording unavailable). */
export function packagerSettingsOf(config: CashConfig): PackagerSettings | undefined {
  if (!config.PACKAGER_URL || !config.PACKAGER_CONTROL_KEY || !config.PACKAGER_VIEWER_TOKEN_KEY)
    return undefined;
  return {
    url: config.PACKAGER_URL.replace(/\/+$/, ''),
    publicUrl: (config.PACKAGER_PUBLIC_URL ?? config.PACKAGER_URL).replace(/\/+$/, ''),
    controlKey: config.PACKAGER_CONTROL_KEY,
    viewerTokenKey: Buffer.from(config.PACKAGER_VIEWER_TOKEN_KEY),
    timeoutMs: config.PACKAGER_TIMEOUT_MS,
    tokenTtlS: config.HLS_VIEWER_TOKEN_TTL_S,
    recordingPollMs: config.RECORDING_POLL_INTERVAL_MS,
  };
}

/** The signaling limits of a configuration. */
export function signalingLimitsOf(config: CashConfig): SignalingLimitsConfig {
  return {
    connectionMessages: { ratePerS: config.SIGNAL_MESSAGES_PER_S, burst: config.SIGNAL_MESSAGES_BURST },
    connectionChat: { ratePerS: config.SIGNAL_CHAT_PER_S, burst: config.SIGNAL_CHAT_BURST },
    identityMessages: {
      ratePerS: config.SIGNAL_IDENTITY_MESSAGES_PER_S,
      burst: config.SIGNAL_IDENTITY_MESSAGES_BURST,
    },
    identityChat: { ratePerS: config.SIGNAL_IDENTITY_CHAT_PER_S, burst: config.SIGNAL_IDENTITY_CHAT_BURST },
    abuseRefusals: config.SIGNAL_ABUSE_REFUSALS,
    unjoinedPerAddress: config.SIGNAL_MAX_UNJOINED_PER_ADDRESS,
  };
}

/** Reads and validates the configuration; throws listing every bad variable. */
export function loadCashConfig(env: Env): CashConfig {
  const config = loadConfig(CashConfig, env);
  if (config.ADMISSION_LOW_WATERMARK >= config.ADMISSION_HIGH_WATERMARK) {
    throw new Error(
      'invalid configuration: ADMISSION_LOW_WATERMARK must be below ADMISSION_HIGH_WATERMARK (hysteresis)',
    );
  }
  const given = [...PACKAGER_GROUP, 'PACKAGER_PUBLIC_URL' as const].filter(
    (name) => config[name] !== undefined,
  );
  if (given.length > 0) {
    const missing = PACKAGER_GROUP.filter((name) => config[name] === undefined);
    if (missing.length > 0) {
      throw new Error(
        `invalid configuration: the packager settings go together; ${missing.join(', ')} missing (or its _FILE)`,
      );
    }
  }
  return config;
}

/** The configuration of this process (the one place that reads `process.env`). */
export function cashConfigFromEnvironment(): CashConfig {
  return loadCashConfig(process.env);
}
