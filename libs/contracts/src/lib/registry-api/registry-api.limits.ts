/**
 * The bounds of the registry's HTTP API, in one place: the registry's DTOs enforce them (class-validator),
 * the pure validators of this contract check the same, and clients (the CLI) check them for a clear usage
 * error before they send anything.
 */

/** An account id (`acc_…`) or a username: who may join besides the owner. */
export const IDENTITY_PATTERN = /^(acc_[0-9a-f-]{36}|[a-z0-9][a-z0-9._-]{2,63})$/;

/**
 * Most identities in `allowed`: the list travels in the conference's `room.reserved` event, which every
 * registry reads, and CCES events are at most 16 KiB (300 account ids ≈ 13 KiB).
 */
export const MAX_ALLOWED = 300;

/** A region name in `GET /v1/roulette?region=` (the names registries are configured with). */
export const REGION_PATTERN = /^[a-z0-9-]{1,32}$/;

export const REGISTRY_API_LIMITS = {
  /** `settings.maxParticipants`: a sanity bound; the account's plan caps it further. */
  maxParticipants: { min: 1, max: 100_000 },
  /** `GET /v1/conferences?limit=`: a page stays one small answer (20 when absent). */
  pageLimit: { min: 1, max: 100, default: 20 },
  /** `POST /v1/join` `address`: well above the longest valid `hoot.mx://` address, refused before parsing. */
  joinAddressMaxLength: 400,
  /** `GET /v1/roulette` coordinates, in degrees. */
  latitude: { min: -90, max: 90 },
  longitude: { min: -180, max: 180 },
} as const;
