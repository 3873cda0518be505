import { systemClock, type Clock } from '@hoot/domain';
import { REGISTRY_CLIENT_DEFAULTS } from './registry-client.defaults';
import { parseProblem } from './registry-http.error';
import { globalFetch, sendOnce, type FetchLike, type HttpAnswer } from './registry-http';
import { orderRegistries, type RegistryEndpoint, type RegistryTarget } from './registry-order';
import { RegistryUnavailableError, type RegistryAttempt } from './registry-unavailable.error';
import { SdkError, SdkErrorCode } from './sdk-error-codes';

export interface BackoffPolicy {
  /** Pause after the first failure. */
  initialMs: number;
  /** Longest pause. */
  maxMs: number;
  /** Growth per consecutive failure (≥ 1). */
  factor: number;
}

/** Why the client moved: the current registry failed (`failover`), or a higher one is back (`failback`). */
export type SwitchReason = 'failover' | 'failback';

export type SwitchListener = (from: string, to: string, reason: SwitchReason) => void;

export interface RegistryClientOptions {
  registries: readonly RegistryEndpoint[];
  /** The caller's cloud: its registries come first. */
  ownCloud?: string;
  /** Deadline of each attempt (headers and body), default 2000. */
  timeoutMs?: number;
  backoff?: Partial<BackoffPolicy>;
  /** Least time between two fail-back probes, default 10000. */
  probeIntervalMs?: number;
  /** Most registries one call may try, default all of them. */
  maxAttemptsPerCall?: number;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Time and timers (`@hoot/domain` `Clock`); defaults to the system clock. */
  clock?: Clock;
  /** The `Authorization` header value for each call (e.g. `Bearer <token>`), or undefined for none. */
  authorization?: () => Promise<string | undefined>;
  /** Called on every change of the current registry (also available as `client.onSwitch`). */
  onSwitch?: SwitchListener;
}

/** A registry's answer: any status, read in full, with the registry that gave it. */
export interface RegistryResponse<T = unknown> extends HttpAnswer<T> {
  registryId: string;
}

export interface RegistryRequestOptions {
  /** A string is sent as is; anything else as JSON (`content-type: application/json`). */
  body?: unknown;
  headers?: Record<string, string>;
  /** Aborting ends the call with the signal's reason; it is not counted against the registry. */
  signal?: AbortSignal;
  /** Allow retrying on another registry although the method is not idempotent (e.g. a POST with an idempotency key). */
  idempotent?: boolean;
  /**
   * Which answers count as a registry failure (fail over, back off). Default: any 5xx. Network
   * errors and timeouts always count.
   */
  retryOn?: (response: RegistryResponse) => boolean;
}

export type RegistryState = 'unknown' | 'healthy' | 'failed';

export interface RegistryStatus extends RegistryTarget {
  state: RegistryState;
  /** Consecutive failures (0 after any answer that is not a failure). */
  failures: number;
  /** While backing off: when it may be tried again (ms since the epoch). */
  nextTryAt: number | undefined;
  /** Message of the last failure. */
  lastError: string | undefined;
  current: boolean;
}

interface Health {
  state: RegistryState;
  failures: number;
  nextTryAt: number;
  lastError: string | undefined;
  /** Advances on every recorded failure: an attempt that overlapped one does not count twice. */
  epoch: number;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

function positive(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new SdkError(
      SdkErrorCode.OptionsInvalid,
      `${name} must be a positive number, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * HTTP client for the registry nodes with priority failover. Order: own cloud by priority, then
 * the rest by priority. Calls stick to the current registry; a network error, a timeout or a 5xx
 * marks it failed (exponential backoff) and an idempotent call is retried on the next registry in
 * order. While not on the highest-priority registry, a higher one is probed out of band (at most
 * once per `probeIntervalMs`) and taken back as soon as it answers `GET /health/ready` with 2xx.
 */
export class RegistryClient {
  private readonly order: readonly RegistryTarget[];
  private readonly health = new Map<string, Health>();
  private readonly listeners = new Set<SwitchListener>();
  private readonly fetch: FetchLike;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly probeIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly authorization?: () => Promise<string | undefined>;
  private currentId: string;
  /** Start of the current probe interval (a probe, or a failover). */
  private probeWindowAt: number | undefined;
  private probing: Promise<void> | undefined;
  private lastProbedId: string | undefined;

  constructor(options: RegistryClientOptions) {
    this.order = orderRegistries(options.registries, options.ownCloud);
    if (this.order.length === 0) {
      throw new SdkError(SdkErrorCode.RegistryListInvalid, 'at least one registry is needed');
    }
    const d = REGISTRY_CLIENT_DEFAULTS;
    this.timeoutMs = positive('timeoutMs', options.timeoutMs ?? d.timeoutMs);
    this.backoff = {
      initialMs: positive('backoff.initialMs', options.backoff?.initialMs ?? d.backoff.initialMs),
      maxMs: positive('backoff.maxMs', options.backoff?.maxMs ?? d.backoff.maxMs),
      factor: positive('backoff.factor', options.backoff?.factor ?? d.backoff.factor),
    };
    if (this.backoff.factor < 1 || this.backoff.maxMs < this.backoff.initialMs) {
      throw new SdkError(SdkErrorCode.OptionsInvalid, 'backoff needs factor ≥ 1 and maxMs ≥ initialMs');
    }
    this.probeIntervalMs = positive('probeIntervalMs', options.probeIntervalMs ?? d.probeIntervalMs);
    this.maxAttempts = options.maxAttemptsPerCall ?? this.order.length;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new SdkError(SdkErrorCode.OptionsInvalid, 'maxAttemptsPerCall must be an integer ≥ 1');
    }
    this.fetch = options.fetch ?? globalFetch();
    this.clock = options.clock ?? systemClock;
    this.authorization = options.authorization;
    if (options.onSwitch) this.listeners.add(options.onSwitch);
    for (const t of this.order) {
      this.health.set(t.registryId, {
        state: 'unknown',
        failures: 0,
        nextTryAt: 0,
        lastError: undefined,
        epoch: 0,
      });
    }
    this.currentId = this.order[0].registryId;
  }

  /** The registry calls go to first. */
  current(): string {
    return this.currentId;
  }

  /** Every registry in failover order with its health. */
  status(): RegistryStatus[] {
    const now = this.clock.now();
    return this.order.map((t) => {
      const h = this.healthOf(t);
      return {
        ...t,
        state: h.state,
        failures: h.failures,
        nextTryAt: h.nextTryAt > now ? h.nextTryAt : undefined,
        lastError: h.lastError,
        current: t.registryId === this.currentId,
      };
    });
  }

  /** Subscribes to changes of the current registry; returns the unsubscribe function. Listener errors are ignored. */
  onSwitch(listener: SwitchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when no fail-back probe is in flight (tests, orderly shutdown). */
  idle(): Promise<void> {
    return this.probing ?? Promise.resolve();
  }

  /**
   * Sends a call and returns the answer whatever its status. Throws `RegistryUnavailableError` when
   * the call ends on registry failures (all allowed attempts failed), the caller's abort reason when
   * `signal` aborts, and `SdkError` (`sdk.request-invalid`) on a malformed call.
   */
  async request<T = unknown>(
    method: string,
    path: string,
    options: RegistryRequestOptions = {},
  ): Promise<RegistryResponse<T>> {
    const verb = typeof method === 'string' ? method.toUpperCase() : '';
    if (!/^[A-Z]+$/.test(verb))
      throw new SdkError(SdkErrorCode.RequestInvalid, `bad HTTP method ${String(method)}`);
    if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) {
      throw new SdkError(
        SdkErrorCode.RequestInvalid,
        `path must start with a single "/", got ${String(path)}`,
      );
    }
    const retry = options.idempotent ?? IDEMPOTENT_METHODS.has(verb);
    const isFailure = options.retryOn ?? ((r: RegistryResponse) => r.status >= 500);
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    let body: string | undefined;
    if (typeof options.body === 'string') body = options.body;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    const auth = this.authorization ? await this.authorization() : undefined;
    if (auth !== undefined) headers.authorization = auth;
    Object.assign(headers, lowerCaseKeys(options.headers ?? {}));

    this.maybeProbe();
    const attempts: RegistryAttempt[] = [];
    const tried = new Set<string>();
    while (attempts.length < this.maxAttempts) {
      const target = this.pick(tried);
      if (!target) break;
      tried.add(target.registryId);
      const epoch = this.healthOf(target).epoch;
      let response: RegistryResponse<T>;
      try {
        const answer = await sendOnce({
          fetch: this.fetch,
          clock: this.clock,
          url: target.url + path,
          method: verb,
          headers,
          body,
          timeoutMs: this.timeoutMs,
          signal: options.signal,
          label: `${verb} ${target.registryId}${path}`,
        });
        response = { registryId: target.registryId, ...(answer as HttpAnswer<T>) };
      } catch (error) {
        if (options.signal?.aborted || !(error instanceof SdkError)) throw error;
        this.recordFailure(target, epoch, error.message, undefined);
        attempts.push({ registryId: target.registryId, error });
        if (!retry) break;
        continue;
      }
      if (!isFailure(response)) {
        this.recordSuccess(target);
        return response;
      }
      const problem = parseProblem(response, this.clock.now());
      this.recordFailure(target, epoch, problem.message, problem.retryAfterMs);
      attempts.push({ registryId: target.registryId, error: problem });
      if (!retry) break;
    }
    throw new RegistryUnavailableError(verb, path, attempts);
  }

  /** Like `request`, but returns the parsed body of a 2xx answer and throws `RegistryHttpError` for any other. */
  async requestJson<T>(method: string, path: string, options: RegistryRequestOptions = {}): Promise<T> {
    const response = await this.request<T>(method, path, options);
    if (response.status >= 200 && response.status < 300) return response.body;
    throw parseProblem(response, this.clock.now());
  }

  private healthOf(target: RegistryTarget): Health {
    return this.health.get(target.registryId) as Health;
  }

  private indexOf(registryId: string): number {
    return this.order.findIndex((t) => t.registryId === registryId);
  }

  /**
   * Next registry for a call: the current one unless it is backing off, else the first in order that
   * is not; when every untried registry is backing off, the one whose backoff ends first (never refuse).
   */
  private pick(tried: ReadonlySet<string>): RegistryTarget | undefined {
    const now = this.clock.now();
    const untried = this.order.filter((t) => !tried.has(t.registryId));
    const ready = untried.filter((t) => this.healthOf(t).nextTryAt <= now);
    return (
      ready.find((t) => t.registryId === this.currentId) ??
      ready[0] ??
      [...untried].sort((a, b) => this.healthOf(a).nextTryAt - this.healthOf(b).nextTryAt)[0]
    );
  }

  private recordSuccess(target: RegistryTarget): void {
    const h = this.healthOf(target);
    h.state = 'healthy';
    h.failures = 0;
    h.nextTryAt = 0;
    if (target.registryId === this.currentId) return;
    // Move only away from a registry in trouble, or up in priority (a concurrent call may still be on a lower one).
    const from = this.currentId;
    const up = this.indexOf(target.registryId) < this.indexOf(from);
    if (up || this.health.get(from)?.state !== 'healthy') {
      this.switchTo(target.registryId, up ? 'failback' : 'failover');
    }
  }

  private recordFailure(
    target: RegistryTarget,
    epoch: number,
    message: string,
    retryAfterMs: number | undefined,
  ): void {
    const h = this.healthOf(target);
    h.state = 'failed';
    h.lastError = message;
    // Another attempt that overlapped this one already counted this outage: do not double the backoff.
    if (h.epoch !== epoch) return;
    h.epoch += 1;
    h.failures += 1;
    const { initialMs, maxMs, factor } = this.backoff;
    const delay = Math.min(maxMs, initialMs * factor ** (h.failures - 1));
    h.nextTryAt = this.clock.now() + Math.max(delay, Math.min(retryAfterMs ?? 0, maxMs));
  }

  private switchTo(to: string, reason: SwitchReason): void {
    const from = this.currentId;
    this.currentId = to;
    if (reason === 'failover') this.probeWindowAt = this.clock.now();
    for (const listener of [...this.listeners]) {
      try {
        listener(from, to, reason);
      } catch {
        // A listener's bug must not break the call that triggered the switch.
      }
    }
  }

  /** Starts a fail-back probe when one is due; never waits for it. */
  private maybeProbe(): void {
    if (this.probing) return;
    const index = this.indexOf(this.currentId);
    if (index <= 0) return;
    const now = this.clock.now();
    if (this.probeWindowAt !== undefined && now - this.probeWindowAt < this.probeIntervalMs) return;
    // Higher registries out of backoff, taken in turn (after the last one probed), so one that stays
    // down cannot keep the probe from finding another higher one that is back.
    const ready = this.order.slice(0, index).filter((t) => this.healthOf(t).nextTryAt <= now);
    const last = this.lastProbedId === undefined ? -1 : this.indexOf(this.lastProbedId);
    const target = ready.find((t) => this.indexOf(t.registryId) > last) ?? ready[0];
    if (!target) return;
    this.probeWindowAt = now;
    this.lastProbedId = target.registryId;
    this.probing = this.probe(target).finally(() => (this.probing = undefined));
  }

  private async probe(target: RegistryTarget): Promise<void> {
    const epoch = this.healthOf(target).epoch;
    const path = REGISTRY_CLIENT_DEFAULTS.probePath;
    try {
      const answer = await sendOnce({
        fetch: this.fetch,
        clock: this.clock,
        url: target.url + path,
        method: 'GET',
        headers: { accept: 'application/json, application/problem+json' },
        timeoutMs: this.timeoutMs,
        label: `probe ${target.registryId}${path}`,
      });
      if (answer.status >= 200 && answer.status < 300) {
        this.recordSuccess(target);
        return;
      }
      const problem = parseProblem({ ...answer, registryId: target.registryId }, this.clock.now());
      this.recordFailure(target, epoch, problem.message, problem.retryAfterMs);
    } catch (error) {
      this.recordFailure(target, epoch, error instanceof Error ? error.message : String(error), undefined);
    }
  }
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}
