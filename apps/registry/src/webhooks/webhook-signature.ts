import { createHmac, timingSafeEqual } from 'node:crypto';

/** Prefix of every webhook secret (tells it apart from other credentials in a receiver's config). */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/**
 * An account's webhook secret: HMAC-SHA256 of `<accountId>:<generation>` under the registry's signing key,
 * base64url. Derived, never stored: rotating bumps the generation, and a leaked database holds no secret.
 */
export function webhookSecret(signingKey: string, accountId: string, generation: number): string {
  const mac = createHmac('sha256', signingKey).update(`${accountId}:${generation}`).digest('base64url');
  return `${WEBHOOK_SECRET_PREFIX}${mac}`;
}

/**
 * The `hoot-signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, the secret
 * (whole, prefix included) as the HMAC key. The time inside the MAC lets receivers refuse old replays.
 */
export function webhookSignature(secret: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex');
  return `t=${timestampS},v1=${mac}`;
}

/**
 * What a receiver does (and our tests): parses the header, recomputes the MAC in constant time and checks
 * the time is within `toleranceS` of `nowS`.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string,
  body: string,
  nowS: number,
  toleranceS = 300,
): boolean {
  const parts = new Map(
    header.split(',').map((part) => {
      const eq = part.indexOf('=');
      return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isSafeInteger(t) || Math.abs(nowS - t) > toleranceS || !/^[0-9a-f]{64}$/.test(v1)) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(v1, 'hex'));
}
