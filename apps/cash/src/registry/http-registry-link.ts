import type { Clock } from '@hoot/domain';
import {
  RegistryClient,
  RegistryUnavailableError,
  parseProblem,
  type FetchLike,
  type RegistryResponse,
  type SwitchListener,
} from '@hoot/sdk';
import type { CoreMxReport, RegistryAnswer, RegistryLink } from './registry-link.port';

export interface HttpRegistryLinkOptions {
  /** Registry base URLs in priority order: own cloud first, then the global list. */
  urls: string[];
  /** `Bearer <service token>` (auth-kit's `ServiceCredentialClient.authorization()`). */
  authorization: () => Promise<string>;
  /** Forget the service token after a 401 (the call is then sent once more with a new one). */
  invalidateCredentials?: () => void;
  timeoutMs?: number;
  fetch?: FetchLike;
  clock?: Clock;
  /** Pause after a registry's first failure (then doubling, capped at 30 s); SDK default 1000. */
  backoffInitialMs?: number;
  /** Least time between two fail-back probes of a higher-priority registry; SDK default 10000. */
  probeIntervalMs?: number;
  onSwitch?: SwitchListener;
}

/** No registry gave a usable answer (every attempt listed), or one refused the report (4xx). */
export class RegistryUnreachableError extends Error {
  constructor(readonly failures: { url: string; error: string }[]) {
    super(`no registry answered: ${failures.map((f) => `${f.url}: ${f.error}`).join('; ')}`);
    this.name = 'RegistryUnreachableError';
  }
}

/** Answers that send the call to the next registry: server errors, and a registry that cannot take it now. */
const FAILOVER_STATUSES = new Set([404, 408, 429]);

/**
 * The membership API over the SDK's failover `RegistryClient`: the registries are ordered as listed
 * (`REGISTRY_URLS`: own cloud first, then the global list; ids `registry-<n>`), calls stick to the
 * current registry, a network error, timeout, 5xx, 404, 408 or 429 fails over to the next one (with
 * backoff), and a higher-priority registry is taken back as soon as a fail-back probe finds it ready.
 * A 401 renews the service token once; any other 4xx stops the call (our report is wrong: another
 * registry would say the same).
 */
export class HttpRegistryLink implements RegistryLink {
  readonly client: RegistryClient;
  private readonly urlOf = new Map<string, string>();

  constructor(private readonly options: HttpRegistryLinkOptions) {
    if (!options.urls.length) throw new Error('HttpRegistryLink needs at least one registry URL');
    const registries = options.urls.map((url, i) => ({
      registryId: `registry-${i + 1}`,
      url,
      cloud: 'listed',
      priority: i + 1,
    }));
    for (const r of registries) this.urlOf.set(r.registryId, r.url.replace(/\/+$/, ''));
    this.client = new RegistryClient({
      registries,
      timeoutMs: options.timeoutMs ?? 3_000,
      authorization: () => options.authorization(),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.backoffInitialMs ? { backoff: { initialMs: options.backoffInitialMs } } : {}),
      ...(options.probeIntervalMs ? { probeIntervalMs: options.probeIntervalMs } : {}),
      ...(options.onSwitch ? { onSwitch: options.onSwitch } : {}),
    });
  }

  report(coremxId: string, report: CoreMxReport): Promise<RegistryAnswer> {
    return this.call('PUT', `/internal/v1/coremx/${encodeURIComponent(coremxId)}`, report);
  }

  deregister(coremxId: string, version: { incarnation: number; seq: number }): Promise<RegistryAnswer> {
    return this.call('POST', `/internal/v1/coremx/${encodeURIComponent(coremxId)}/deregister`, version);
  }

  private async call(method: string, path: string, body: object): Promise<RegistryAnswer> {
    let response = await this.send(method, path, body);
    if (response.status === 401) {
      this.options.invalidateCredentials?.();
      response = await this.send(method, path, body);
    }
    const url = this.urlOf.get(response.registryId) ?? response.registryId;
    if (response.status >= 200 && response.status < 300) {
      const answer = (response.body ?? {}) as { accepted?: unknown; registryId?: unknown };
      if (typeof answer.accepted !== 'boolean' || typeof answer.registryId !== 'string') {
        throw new RegistryUnreachableError([{ url, error: 'answer lacks accepted or registryId' }]);
      }
      return { accepted: answer.accepted, registryId: answer.registryId, url };
    }
    const problem = parseProblem(response);
    throw new RegistryUnreachableError([{ url, error: `HTTP ${response.status} ${problem.code}` }]);
  }

  private async send(method: string, path: string, body: object): Promise<RegistryResponse> {
    try {
      return await this.client.request(method, path, {
        body,
        // A deregistration carries its version: sending it twice does no harm.
        idempotent: true,
        retryOn: (r) => r.status >= 500 || FAILOVER_STATUSES.has(r.status),
      });
    } catch (error) {
      if (error instanceof RegistryUnavailableError) {
        throw new RegistryUnreachableError(
          error.attempts.map((a) => ({
            url: this.urlOf.get(a.registryId) ?? a.registryId,
            error: a.error.message,
          })),
        );
      }
      throw error;
    }
  }
}
