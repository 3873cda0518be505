import { BlockList, isIP } from 'node:net';
import { WebhookErrorCode } from '@hoot/domain';

/** Longest webhook URL accepted. */
export const WEBHOOK_URL_MAX_LENGTH = 2_048;

/**
 * Addresses a webhook may never reach unless private URLs are allowed (SSRF): this host, the private
 * networks, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, reserved ranges,
 * and their IPv6 counterparts. IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) match their IPv4 rule.
 */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv6');

/** True for an IP address a webhook may not reach (see `INTERNAL`); false for a public one. */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return INTERNAL.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    if (mapped) return INTERNAL.check(mapped, 'ipv4');
    return INTERNAL.check(address, 'ipv6');
  }
  return true;
}

const INTERNAL_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;

export type WebhookUrlCheck =
  | { ok: true; url: string }
  | { ok: false; code: WebhookErrorCode.UrlInvalid | WebhookErrorCode.UrlNotAllowed; message: string };

/**
 * Checks a webhook URL at registration: absolute, `https` (or `http` when private URLs are allowed), no
 * credentials, and — unless `allowPrivate` — no loopback, private, link-local or internal host. A host
 * name is checked again, resolved, when it is called (`HttpWebhookSender`), so DNS cannot point it inside.
 */
export function checkWebhookUrl(raw: string, options: { allowPrivate: boolean }): WebhookUrlCheck {
  const invalid = (message: string): WebhookUrlCheck => ({
    ok: false,
    code: WebhookErrorCode.UrlInvalid,
    message,
  });
  if (raw.length > WEBHOOK_URL_MAX_LENGTH) return invalid(`url is longer than ${WEBHOOK_URL_MAX_LENGTH}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return invalid('url is not an absolute URL');
  }
  const schemes = options.allowPrivate ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol))
    return invalid(`url must use ${options.allowPrivate ? 'https or http' : 'https'}`);
  if (url.username || url.password) return invalid('url must not carry credentials');
  if (!url.hostname) return invalid('url has no host');
  if (url.hash) return invalid('url must not have a fragment');
  if (!options.allowPrivate) {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const internal = isIP(host) ? isInternalAddress(host) : INTERNAL_NAMES.test(host) || !host.includes('.');
    if (internal)
      return {
        ok: false,
        code: WebhookErrorCode.UrlNotAllowed,
        message: `url host ${host} is loopback, private, link-local or internal`,
      };
  }
  return { ok: true, url: url.toString() };
}
