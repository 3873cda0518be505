/** A version of the GCAS: `(incarnation, seq)` advanced only by its origin. */
export interface GcasVersion {
  incarnation: number;
  seq: number;
}

/** `GET /v1/gcas`: the raw map (versioned values with their candidates and informers) as one registry holds it. */
export interface GcasAnswer {
  registryId: string;
  gcas: Record<string, unknown>;
}

export type RegistryLiveness = 'alive' | 'suspect' | 'dead';

/** One registry in `GET /v1/registries`. */
export interface RegistryInfo {
  registryId: string;
  cloud: string;
  priority: number;
  url: string;
  region: string;
  latitude: number;
  longitude: number;
  liveness: RegistryLiveness;
  primary: boolean;
  /** The registry that answered. */
  self: boolean;
  silentForMs: number | null;
  heartbeat: GcasVersion;
  /** Mean load of the active CoreMX listed under it (0 when none). */
  load: number;
  coremx: number;
}

export interface RegistriesAnswer {
  /** The registry that answered. */
  registryId: string;
  registries: RegistryInfo[];
  /** Primary registry per cloud. */
  primaries: Record<string, string>;
}

export type CoreMxState = 'active' | 'draining' | 'overloaded' | 'down';
export type CoreMxLiveness = 'alive' | 'suspect' | 'down';

/** One CoreMX in `GET /v1/coremx` (and `GET /internal/v1/coremx`). */
export interface CoreMxInfo {
  coremxId: string;
  address: string;
  signalingUrl: string;
  apiUrl?: string;
  state: CoreMxState;
  load: number;
  rooms: number;
  participants: number;
  capacity: number;
  /** The registry it reports through, and that registry's cloud. */
  registryId: string;
  cloud: string;
  version: GcasVersion;
  silentForMs: number | null;
  liveness: CoreMxLiveness;
}

export interface CoreMxAnswer {
  registryId: string;
  coremx: CoreMxInfo[];
}

/** `GET /v1/roulette?region=&lat=&lon=` (public): give both coordinates or neither. */
export interface RouletteQuery {
  region?: string;
  lat?: number;
  lon?: number;
}

/** One registry as iroulette ranks it. */
export interface RouletteEntry {
  registryId: string;
  cloud: string;
  priority: number;
  url: string;
  region: string;
  /** Great-circle distance from the given coordinates, or null when only a region was given. */
  distanceKm: number | null;
  load: number;
  liveness: RegistryLiveness;
}

export interface RouletteAnswer {
  registries: RouletteEntry[];
}
