import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { RoomRole, RoomType } from '@hoot/domain';
import { AuthCallError, postToAuth } from '../internal-call/auth-internal-call';

/**
 * Join tickets signed by the registries themselves (no call to auth per join). Each registry process makes
 * an Ed25519 key pair of its own in memory, registers the public half with auth (`POST
 * /internal/v1/ticket-keys`, registries only, the kid prefixed with the registry's own id), and auth
 * publishes the live keys at `JOIN_TICKET_KEYS_PATH`. CASH verifies tickets against that set, pinned to
 * EdDSA, and a key signs only as its registry (`iss` = `registryTicketIssuer(<kid's registry>)`).
 */
export const JOIN_TICKET_KEYS_PATH = '/.well-known/join-ticket-keys.json';

/** Lifetimes and rates of registry ticket keys, with why. */
export const TICKET_KEY_DEFAULTS = {
  /** Auth forgets a key this long after its registration: a lost process's key does not outlive a day. */
  lifetimeMs: 24 * 60 * 60_000,
  /** A registry starts a fresh key this often (well inside the lifetime; tickets live minutes). */
  rotateEveryMs: 6 * 60 * 60_000,
  /**
   * A registered key signs only after this: a CASH that fetched the key set just before the registration
   * may refetch (`refetchCooldownMs`) by the time the first ticket signed with it arrives.
   */
  activationDelayMs: 2_000,
  /** CASH refetches the (small, cheap) ticket key set at most this often when it meets an unknown kid. */
  refetchCooldownMs: 1_000,
  /** Live keys auth keeps per registry (replicas and restarts each add one); the oldest go first. */
  maxLiveKeysPerRegistry: 16,
} as const;

/** `<registry id>.<16–43 base64url characters>` */
export const TICKET_KEY_ID = /^([a-z0-9][a-z0-9-]{0,62})\.([A-Za-z0-9_-]{16,43})$/;

/** The issuer of the tickets a registry signs. */
export const registryTicketIssuer = (registry: string): string => `registry:${registry}`;

/** The registry a ticket key id belongs to (undefined for anything not shaped like one). */
export function ticketKeyRegistry(kid: string): string | undefined {
  return TICKET_KEY_ID.exec(kid)?.[1];
}

/** The issuer a ticket signed with `kid` must carry (for `TokenVerifier`'s `issuer`). */
export const ticketIssuerOfKid = (kid: string): string | undefined => {
  const registry = ticketKeyRegistry(kid);
  return registry === undefined ? undefined : registryTicketIssuer(registry);
};

/** The public half of a ticket key, as registered and published. */
export interface TicketPublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
}

export interface TicketSigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: TicketPublicJwk;
}

/** A fresh key pair for `registry` (kept in memory only: a restarted process makes a new one). */
export function newTicketSigningKey(registry: string): TicketSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const { x } = publicKey.export({ format: 'jwk' }) as { x: string };
  return {
    kid: `${registry}.${randomBytes(16).toString('base64url')}`,
    privateKey,
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x },
  };
}

export class TicketKeyRegistrationError extends AuthCallError {
  constructor(...args: ConstructorParameters<typeof AuthCallError>) {
    super(...args);
    this.name = 'TicketKeyRegistrationError';
  }
}

export interface TicketKeyClientOptions {
  authUrl: string;
  /** The `Authorization` header value for this registry's own service credentials. */
  authorization: () => Promise<string>;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** Registers a registry's ticket key with auth; answers when auth will stop publishing it (epoch ms). */
export class TicketKeyClient {
  constructor(private readonly options: TicketKeyClientOptions) {}

  async register(key: Pick<TicketSigningKey, 'kid' | 'publicJwk'>): Promise<{ expiresAtMs: number }> {
    const { status, body } = await postToAuth(
      { ...this.options, timeoutMs: this.options.timeoutMs ?? 3_000 },
      '/internal/v1/ticket-keys',
      { kid: key.kid, publicKey: key.publicJwk },
      'ticket key registration',
      (...args) => new TicketKeyRegistrationError(...args),
    );
    const expiresAt = (body as { expiresAt?: unknown } | undefined)?.expiresAt;
    const expiresAtMs = typeof expiresAt === 'string' ? Date.parse(expiresAt) : Number.NaN;
    if (!Number.isFinite(expiresAtMs))
      throw new TicketKeyRegistrationError('registration answer lacks expiresAt', 'invalid-response', status);
    return { expiresAtMs };
  }
}

/** What a join ticket says (the claims CASH reads: apps/cash/src/tickets/join-ticket.verifier.ts). */
export interface JoinTicketContent {
  issuer: string;
  coremxId: string;
  subject: string;
  conferenceId: string;
  ticketId: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  ttlSeconds: number;
  displayName?: string;
  role?: RoomRole;
  roomType?: RoomType;
}

/** The claims of a join ticket, whoever signs it (a registry, or auth). */
export function joinTicketClaims(t: JoinTicketContent): Record<string, unknown> {
  return {
    iss: t.issuer,
    aud: `coremx:${t.coremxId}`,
    sub: t.subject,
    jti: t.ticketId,
    iat: t.issuedAt,
    exp: t.issuedAt + t.ttlSeconds,
    // Every verifier requires a string `name`; CASH treats an empty one as "no display name".
    name: t.displayName ?? '',
    cid: t.conferenceId,
    ...(t.role !== undefined ? { role: t.role } : {}),
    ...(t.roomType !== undefined ? { rtype: t.roomType } : {}),
  };
}
