// What `startPlatform` takes and what it hands back: the options of a start and the running platform.
import type { CrashLoop, ProcessExit, SupervisorPolicy } from './service-supervisor';
import type { DemoUser, KmsEngine, PlatformMode, PlatformServiceEnv } from './platform.plan';
import type { PlatformProgress } from './platform-stages';

export interface StartPlatformOptions {
  mode: PlatformMode;
  /** Reuse a running broker (e.g. the integration global setup's) instead of starting one. */
  kafkaBrokers?: string[];
  /** Reuse a running MongoDB-protocol server (its base URI) instead of starting one. */
  mongoUri?: string;
  /** kms-lite's media engine; default its own (werift, real WebRTC). */
  kmsEngine?: KmsEngine;
  /** Extra environment per service (tunables); wins over everything the launcher sets. */
  env?: PlatformServiceEnv;
  /** A web app already built: skips `node apps/web/build.mjs` and serves this folder. */
  webRoot?: string;
  /** Each part's `starting` / `ready` / `failed` / `stopping` / `stopped`, as it happens. */
  onProgress?: (event: PlatformProgress) => void;
  /** Aborting stops whatever has started and makes `startPlatform` reject (Ctrl-C during start-up). */
  signal?: AbortSignal;
  /**
   * What a long-running service's crash does. A policy (dev mode's default: `DEFAULT_SUPERVISOR_POLICY`,
   * fields given here override it): the service is started again with the same ports, folders and keys
   * after a doubling backoff, and only a crash loop stops the whole platform (`crashLoop` resolves).
   * `false` (test mode's default, as before the supervisor): a crashed service stays down, the rest keeps
   * running and `firstExit` tells — what a failover spec that kills a CASH wants.
   */
  supervise?: false | Partial<SupervisorPolicy>;
}

/** One restart of a supervised service: which, the how-manyth, and how the process before it ended. */
export interface PlatformRestart {
  part: string;
  attempt: number;
  /** Absent when the previous attempt did not become ready. */
  exit?: ProcessExit;
}

export interface RunningPlatform {
  mode: PlatformMode;
  /** Random per start; every process started carries it as `HOOT_PLATFORM_RUN` in its environment. */
  runId: string;
  registries: { registryId: string; cloud: string; url: string }[];
  /**
   * Each CASH, with its own service account (`cash-<coremxId>`, the only one the registries accept for
   * its CoreMX's membership) and the file holding that account's API key.
   */
  cash: {
    coremxId: string;
    cloud: string;
    url: string;
    signalingUrl: string;
    serviceAccount: string;
    apiKeyFile: string;
  }[];
  kms: { url: string; adminUrl?: string }[];
  /**
   * Each CoreMX's LL-HLS packager (`apps/packager`), in `cash` order: its HTTP URL (viewers, control API,
   * health), its own RTP port range, and the files of its two keys. The CASH of the same CoreMX gets the
   * same three as `PACKAGER_URL`, `PACKAGER_CONTROL_KEY_FILE` and `PACKAGER_VIEWER_TOKEN_KEY_FILE`.
   */
  packagers: {
    coremxId: string;
    cloud: string;
    url: string;
    rtpPorts: { min: number; max: number };
    controlKeyFile: string;
    viewerTokenKeyFile: string;
  }[];
  authUrl: string;
  issuer: string;
  kafkaBrokers: string[];
  mongoUri: string;
  users: Record<DemoUser, { password: string }>;
  admin: { username: string; password: string; apiKey: string };
  /** The operators' service account (CoreMX status, drain, undrain) and the file holding its API key. */
  operator: { account: string; apiKey: string; apiKeyFile: string };
  /** Where every process logs (`<part>.log`). */
  logDir: string;
  webRoot: string;
  /** Process-group ids of everything started (each child runs in its own group). */
  pids(): number[];
  /**
   * Resolves when a long-running service first exits on its own (a crash): which, and its exit code. A
   * supervised service is restarted after that; `crashLoop` is what ends a supervised platform.
   */
  firstExit: Promise<{ part: string; code: number | null }>;
  /**
   * Resolves (never rejects) once a supervised service crash-looped and the platform has stopped everything
   * because of it: the service, and its last lines of output. Never resolves without supervision.
   */
  crashLoop: Promise<CrashLoop>;
  /** Every restart so far, oldest first (empty without supervision). */
  restarts(): PlatformRestart[];
  /** The pid (and process group) of the service's current process; undefined while it is down. */
  pidOf(part: string): number | undefined;
  /** Stops everything it started, in reverse order, and removes test mode's temporary folder. Idempotent. */
  stop(): Promise<void>;
}
