/**
 * What the registry's public API answers, as SDK types. They mirror the registry's answers
 * (`ConferenceView` and `JoinAnswer` of apps/registry) field by field; the SDK never imports apps.
 */
import type { ConferenceStatus, RoomRole, RoomType } from '@hoot/domain';

/** A conference as `GET /v1/conferences/:id` shows it (the owner also sees `allowed`). */
export interface Conference {
  id: string;
  /** `hoot.mx://<id>@<mixer>`: the current address (it changes when the conference moves). */
  address: string;
  type: RoomType;
  owner: string | null;
  public: boolean;
  /** Only in the owner's view. */
  allowed?: string[];
  maxParticipants: number | null;
  status: ConferenceStatus;
  participants: number;
  coremxId: string;
  /** Addresses it had before a move; joins at them still resolve. */
  previousAddresses: string[];
  createdAt: string;
  endedAt: string | null;
  /** In create and get answers: account id → username of the owner and (owner's view) the allowed people. */
  usernames?: Record<string, string>;
}

/** `POST /v1/conferences`. */
export interface CreateConferenceInput {
  /** `[a-z0-9][a-z0-9-]{2,63}`; generated (`c-…`) when absent. Asking again with the same id is idempotent. */
  id?: string;
  type: RoomType;
  /** Usernames or account ids allowed besides the owner (up to 300). */
  allowed: string[];
  /** Anyone signed in may join. */
  public?: boolean;
  settings?: { maxParticipants?: number };
}

/** `POST /v1/join`: where and how to connect (the ticket is short-lived: use it at once). */
export interface JoinAnswer {
  conferenceId: string;
  /** The conference's current address (differs from the one asked for after a move). */
  address: string;
  coremxId: string;
  /** `ws(s)://…/signal` of the CoreMX that holds the room. */
  signalingUrl: string;
  /** Join ticket (a JWT for `coremx:<coremxId>`), sent in the signaling `join`. */
  ticket: string;
  ticketId: string;
  expiresAt: string;
  /** Initial role: the owner publishes, others view. */
  role: RoomRole;
  /** Opens the web app straight into the conference. */
  webUrl: string;
}

/** `POST /v1/auth/token` as the SDK returns it. */
export interface SignInResult {
  accessToken: string;
  /** Seconds the token stays valid. */
  expiresIn: number;
}

export interface ConferencePage {
  items: Conference[];
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null;
}

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

/** One registry in `GET /v1/registries`. */
export interface RegistryInfo {
  registryId: string;
  cloud: string;
  priority: number;
  url: string;
  region: string;
  latitude: number;
  longitude: number;
  liveness: 'alive' | 'suspect' | 'dead';
  primary: boolean;
  /** The registry that answered. */
  self: boolean;
  silentForMs: number | null;
  heartbeat: GcasVersion;
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

/** One CoreMX in `GET /v1/coremx`. */
export interface CoreMxInfo {
  coremxId: string;
  address: string;
  signalingUrl: string;
  apiUrl?: string;
  state: 'active' | 'draining' | 'overloaded' | 'down';
  load: number;
  rooms: number;
  participants: number;
  capacity: number;
  /** The registry it reports through, and that registry's cloud. */
  registryId: string;
  cloud: string;
  version: GcasVersion;
  silentForMs: number | null;
  liveness: 'alive' | 'suspect' | 'down';
}

export interface CoreMxAnswer {
  registryId: string;
  coremx: CoreMxInfo[];
}

/** One registry as iroulette ranks it (`GET /v1/roulette`). */
export interface RouletteEntry {
  registryId: string;
  cloud: string;
  priority: number;
  url: string;
  region: string;
  distanceKm: number | null;
  load: number;
  liveness: 'alive' | 'suspect' | 'dead';
}

export interface RouletteQuery {
  region?: string;
  lat?: number;
  lon?: number;
}
