/**
 * Contract of the `hoot.auth.revocations` topic: what the auth service revoked, so that every verifier
 * (registry, CASH …) rejects it without asking auth. Key = the subject (so one subject's events stay in
 * order), value = this JSON document.
 */
export const AUTH_REVOCATIONS_TOPIC = 'hoot.auth.revocations';
export const AUTH_REVOCATION_SCHEMA_VERSION = 1;

interface RevocationBase {
  /** Unique id of the event (the revocation record's id). */
  id: string;
  schemaVersion: typeof AUTH_REVOCATION_SCHEMA_VERSION;
  /** Subject (account id) concerned. */
  sub: string;
  /** ISO-8601 time of the revocation. */
  occurredAt: string;
}

/** One token, by its `jti`. Verifiers may forget it after `expiresAtMs` (the token is dead anyway). */
export interface TokenRevokedEvent extends RevocationBase {
  type: 'token.revoked';
  jti: string;
  /** Expiry of the revoked token, epoch ms. */
  expiresAtMs: number;
}

/** Every token of `sub` issued (`iat`) before `beforeMs` (epoch ms). */
export interface SubjectRevokedEvent extends RevocationBase {
  type: 'subject.revoked';
  beforeMs: number;
}

export type AuthRevocationEvent = TokenRevokedEvent | SubjectRevokedEvent;

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

const isText = (v: unknown, max = 256): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;
const isEpochMs = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Validates a decoded value on receipt; throws `InvalidEventError` saying what is wrong. */
export function parseAuthRevocationEvent(value: unknown): AuthRevocationEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidEventError('not an object');
  const v = value as Record<string, unknown>;
  if (v['schemaVersion'] !== AUTH_REVOCATION_SCHEMA_VERSION) {
    throw new InvalidEventError(`unsupported schemaVersion ${JSON.stringify(v['schemaVersion'])}`);
  }
  if (!isText(v['id'])) throw new InvalidEventError('id must be a non-empty string');
  if (!isText(v['sub'])) throw new InvalidEventError('sub must be a non-empty string');
  if (!isText(v['occurredAt'], 64) || Number.isNaN(Date.parse(v['occurredAt']))) {
    throw new InvalidEventError('occurredAt must be an ISO-8601 time');
  }
  const base = {
    id: v['id'],
    schemaVersion: AUTH_REVOCATION_SCHEMA_VERSION,
    sub: v['sub'],
    occurredAt: v['occurredAt'],
  } as const;
  switch (v['type']) {
    case 'token.revoked':
      if (!isText(v['jti'])) throw new InvalidEventError('jti must be a non-empty string');
      if (!isEpochMs(v['expiresAtMs'])) throw new InvalidEventError('expiresAtMs must be epoch milliseconds');
      return { ...base, type: 'token.revoked', jti: v['jti'], expiresAtMs: v['expiresAtMs'] };
    case 'subject.revoked':
      if (!isEpochMs(v['beforeMs'])) throw new InvalidEventError('beforeMs must be epoch milliseconds');
      return { ...base, type: 'subject.revoked', beforeMs: v['beforeMs'] };
    default:
      throw new InvalidEventError(`unknown type ${JSON.stringify(v['type'])}`);
  }
}

/** Decodes a message value (JSON bytes) and validates it. */
export function decodeAuthRevocationEvent(raw: Buffer | string | null): AuthRevocationEvent {
  if (raw === null) throw new InvalidEventError('empty message');
  let decoded: unknown;
  try {
    decoded = JSON.parse(raw.toString());
  } catch {
    throw new InvalidEventError('value is not JSON');
  }
  return parseAuthRevocationEvent(decoded);
}
