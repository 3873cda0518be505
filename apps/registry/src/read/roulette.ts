import type { RouletteEntry } from '@hoot/contracts';
import type { RegistryView } from '../gcas/registry-node';

export interface RouletteQuery {
  region?: string;
  latitude?: number;
  longitude?: number;
}

/** One registry as iroulette ranks it: the registry API contract's `RouletteEntry`. */
export type { RouletteEntry };

const EARTH_RADIUS_KM = 6371;
const rad = (deg: number) => (deg * Math.PI) / 180;

export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const a =
    Math.sin(rad(lat2 - lat1) / 2) ** 2 +
    Math.cos(rad(lat1)) * Math.cos(rad(lat2)) * Math.sin(rad(lon2 - lon1) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}

/**
 * iroulette (seed "Registry Identification"): the live registries (not dead) ordered by distance —
 * great-circle from the client's coordinates, or same region before others — then priority, then id.
 */
export function roulette(registries: readonly RegistryView[], query: RouletteQuery): RouletteEntry[] {
  const hasCoordinates = query.latitude !== undefined && query.longitude !== undefined;
  return registries
    .filter((r) => r.liveness !== 'dead')
    .map((r) => ({
      entry: {
        registryId: r.registryId,
        cloud: r.cloud,
        priority: r.priority,
        url: r.url,
        region: r.region,
        distanceKm: hasCoordinates
          ? Math.round(haversineKm(query.latitude!, query.longitude!, r.latitude, r.longitude))
          : null,
        load: r.load,
        liveness: r.liveness,
      },
      rank: hasCoordinates
        ? haversineKm(query.latitude!, query.longitude!, r.latitude, r.longitude)
        : query.region !== undefined && r.region !== query.region
          ? 1
          : 0,
    }))
    .sort(
      (a, b) =>
        a.rank - b.rank ||
        a.entry.priority - b.entry.priority ||
        (a.entry.registryId < b.entry.registryId ? -1 : 1),
    )
    .map((x) => x.entry);
}
