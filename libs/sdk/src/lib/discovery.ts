import { systemClock, type Clock } from '@hoot/domain';
import { REGISTRY_CLIENT_DEFAULTS } from './registry-client.defaults';
import { parseProblem } from './registry-http.error';
import { globalFetch, sendOnce, type FetchLike } from './registry-http';
import { normalizeRegistry, type RegistryTarget } from './registry-order';
import type { RegistryAttempt } from './registry-unavailable.error';
import { SdkError, SdkErrorCode } from './sdk-error-codes';

/** One registry as iroulette ranks it for this client. */
export interface DiscoveredRegistry extends RegistryTarget {
  region?: string;
  distanceKm?: number;
  load?: number;
  liveness?: string;
}

export interface DiscoveryOptions {
  region?: string;
  latitude?: number;
  longitude?: number;
  /** Deadline per seed, default 2000 ms. */
  timeoutMs?: number;
  fetch?: FetchLike;
  clock?: Clock;
  signal?: AbortSignal;
}

/** No seed gave a usable list; `attempts` says what each seed did (seed URL as `registryId`). */
export class RegistryDiscoveryError extends SdkError {
  constructor(readonly attempts: readonly RegistryAttempt[]) {
    super(
      SdkErrorCode.DiscoveryFailed,
      `no seed answered iroulette (${attempts.map((a) => `${a.registryId}: ${a.error.message}`).join('; ') || 'no seeds'})`,
    );
  }
}

const optionalTypes = { region: 'string', distanceKm: 'number', load: 'number', liveness: 'string' } as const;

/** Reads one entry of the answer (untrusted): registryId and url required, the rest checked if present. */
function readEntry(raw: unknown): DiscoveredRegistry {
  if (typeof raw !== 'object' || raw === null) throw new Error('entry is not an object');
  const r = raw as Record<string, unknown>;
  const target = normalizeRegistry({
    registryId: r.registryId as string,
    url: r.url as string,
    cloud: typeof r.cloud === 'string' ? r.cloud : undefined,
    priority: typeof r.priority === 'number' ? r.priority : undefined,
  });
  const out: DiscoveredRegistry = { ...target };
  for (const [key, type] of Object.entries(optionalTypes)) {
    if (typeof r[key] === type) (out as unknown as Record<string, unknown>)[key] = r[key];
  }
  return out;
}

/**
 * Asks iroulette (`GET /v1/roulette?region=&lat=&lon=`) for the registries best for this client, on
 * each seed in turn until one answers 2xx with a valid, non-empty list. Returns that list in the
 * server's order, ready for `new RegistryClient({registries})`. Throws `RegistryDiscoveryError`.
 */
export async function discoverRegistries(
  seedUrls: readonly string[],
  options: DiscoveryOptions = {},
): Promise<DiscoveredRegistry[]> {
  const query = new URLSearchParams();
  if (options.region !== undefined) query.set('region', options.region);
  if (options.latitude !== undefined) query.set('lat', String(options.latitude));
  if (options.longitude !== undefined) query.set('lon', String(options.longitude));
  const qs = query.toString();
  const path = `/v1/roulette${qs ? `?${qs}` : ''}`;
  const fetch = options.fetch ?? globalFetch();
  const clock = options.clock ?? systemClock;
  const attempts: RegistryAttempt[] = [];
  for (const seed of seedUrls) {
    const base = String(seed).replace(/\/+$/, '');
    try {
      const answer = await sendOnce({
        fetch,
        clock,
        url: base + path,
        method: 'GET',
        headers: { accept: 'application/json, application/problem+json' },
        timeoutMs: options.timeoutMs ?? REGISTRY_CLIENT_DEFAULTS.timeoutMs,
        signal: options.signal,
        label: `iroulette ${base}`,
      });
      if (answer.status < 200 || answer.status >= 300) {
        attempts.push({ registryId: base, error: parseProblem(answer, clock.now()) });
        continue;
      }
      const list = (answer.body as { registries?: unknown } | undefined)?.registries;
      if (!Array.isArray(list) || list.length === 0) throw new Error('answer has no registries');
      const registries = list.map(readEntry);
      if (new Set(registries.map((r) => r.registryId)).size !== registries.length) {
        throw new Error('answer lists a registry twice');
      }
      return registries;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const e =
        error instanceof SdkError
          ? error
          : new SdkError(SdkErrorCode.AnswerInvalid, `iroulette ${base}: ${(error as Error).message}`, {
              cause: error,
            });
      attempts.push({ registryId: base, error: e });
    }
  }
  throw new RegistryDiscoveryError(attempts);
}
