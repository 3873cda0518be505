import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `hk_<id>_<secret>`: `id` (16 alphanumerics) finds the record, `secret` (32 random
 * bytes, base64url) proves possession. Only SHA-256 of the secret is stored.
 */
const FORMAT = /^hk_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export interface ParsedApiKey {
  id: string;
  secret: string;
}

export function parseApiKey(key: string): ParsedApiKey | undefined {
  const match = FORMAT.exec(key);
  return match ? { id: match[1], secret: match[2] } : undefined;
}

export function newApiKey(): { key: string; id: string; secret: string } {
  const bytes = randomBytes(16);
  const id = [...bytes].map((b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
  const secret = randomBytes(32).toString('base64url');
  return { key: `hk_${id}_${secret}`, id, secret };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}
