import { SdkError, SdkErrorCode } from './sdk-error-codes';

/** A registry as callers describe it: cloud and priority come from the id unless given. */
export interface RegistryEndpoint {
  /** `reg-<cloud>-<priority>`, e.g. `reg-c1-1` (priority 1 is the highest). */
  registryId: string;
  /** Base URL, e.g. `https://reg-c1-1.hoot.mx` (a path prefix is kept). */
  url: string;
  cloud?: string;
  priority?: number;
}

/** A registry with every field known, as the client uses it. */
export interface RegistryTarget {
  registryId: string;
  /** Base URL without a trailing slash. */
  url: string;
  cloud: string;
  priority: number;
}

/** Same shape the registries use among themselves (`libs/gossip`): cloud is `[a-z0-9]{1,16}`, priority 1–999. */
const REGISTRY_ID = /^reg-([a-z0-9]{1,16})-([1-9][0-9]{0,2})$/;

/** `reg-c1-2` → `{cloud: 'c1', priority: 2}`; undefined when the id does not follow the pattern. */
export function parseRegistryId(registryId: string): { cloud: string; priority: number } | undefined {
  const m = REGISTRY_ID.exec(registryId);
  return m ? { cloud: m[1], priority: Number(m[2]) } : undefined;
}

function invalid(message: string): SdkError {
  return new SdkError(SdkErrorCode.RegistryListInvalid, message);
}

/** Fills in cloud and priority and checks every field; throws `sdk.registry-list-invalid` on bad input. */
export function normalizeRegistry(endpoint: RegistryEndpoint): RegistryTarget {
  if (typeof endpoint !== 'object' || endpoint === null) throw invalid('a registry must be an object');
  const { registryId, url } = endpoint;
  if (typeof registryId !== 'string' || registryId.length === 0 || registryId.length > 64) {
    throw invalid('registryId must be a non-empty string of at most 64 characters');
  }
  const parsed = parseRegistryId(registryId);
  const cloud = endpoint.cloud ?? parsed?.cloud;
  const priority = endpoint.priority ?? parsed?.priority;
  if (typeof cloud !== 'string' || cloud.length === 0) {
    throw invalid(`${registryId}: cloud is missing (give it, or use an id like reg-<cloud>-<priority>)`);
  }
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 1) {
    throw invalid(
      `${registryId}: priority must be an integer ≥ 1 (give it, or use an id like reg-<cloud>-<priority>)`,
    );
  }
  if (typeof url !== 'string' || !/^https?:\/\/[^/\s]+/i.test(url)) {
    throw invalid(`${registryId}: url must be an http(s) URL, got ${JSON.stringify(url)}`);
  }
  return { registryId, url: url.replace(/\/+$/, ''), cloud, priority };
}

function byPriority(a: RegistryTarget, b: RegistryTarget): number {
  return a.priority - b.priority || (a.registryId < b.registryId ? -1 : a.registryId > b.registryId ? 1 : 0);
}

/**
 * The failover order: registries of `ownCloud` by priority, then all others by priority; equal
 * priorities by id. Pure and total on valid input; throws `sdk.registry-list-invalid` on a malformed
 * entry or a duplicate id (two entries with one id would make "the current registry" ambiguous).
 */
export function orderRegistries(list: readonly RegistryEndpoint[], ownCloud?: string): RegistryTarget[] {
  if (!Array.isArray(list)) throw invalid('registries must be an array');
  const targets = list.map(normalizeRegistry);
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.registryId)) throw invalid(`duplicate registryId ${t.registryId}`);
    seen.add(t.registryId);
  }
  const own = targets.filter((t) => ownCloud !== undefined && t.cloud === ownCloud).sort(byPriority);
  const rest = targets.filter((t) => ownCloud === undefined || t.cloud !== ownCloud).sort(byPriority);
  return [...own, ...rest];
}
