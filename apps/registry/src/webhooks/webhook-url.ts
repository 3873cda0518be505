import { BlockList, isIP } from 'node:net';
import { WebhookErrorCode } from '@hoot/domain';

/** Longest webhook URL accepted. */
export const WEBHOOK_URL_MAX_LENGTH = 2_048;

/**
 * Addresses a webhook may never reach unless private URLs are allowed (SSRF): this host, the private
 * networks, link-local (cloud metadata at 169.254.169.254), carrier-grade NAT, multicast, reserved ranges,
 * and their IPv6 counterparts (loopback, unspecified, unique-local, link-local, site-local, multicast,
 * documentation, discard).
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
  ['192.88.99.0', 24],
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
  ['100::', 64],
  ['2001:db8::', 32],
  ['3fff::', 20],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(network, prefix, 'ipv6');

/**
 * IPv6 forms that carry (or translate to) an IPv4 address: a webhook receiver has a native address, so
 * every one of them is refused outright, whatever IPv4 address it embeds (the OS or a gateway on the way
 * may turn them into a connection to that IPv4 address, e.g. `[::7f00:1]` or `[2002:7f00:1::]` to
 * 127.0.0.1). Each entry: name, prefix bytes, prefix length in bits.
 */
const IPV4_CARRYING: readonly { name: string; network: string; prefix: number }[] = [
  { name: 'IPv4-compatible', network: '::', prefix: 96 },
  { name: 'IPv4-mapped', network: '::ffff:0:0', prefix: 96 },
  { name: 'IPv4-translated', network: '::ffff:0:0:0', prefix: 96 },
  { name: 'NAT64', network: '64:ff9b::', prefix: 96 },
  { name: 'NAT64 local-use', network: '64:ff9b:1::', prefix: 48 },
  { name: '6to4', network: '2002::', prefix: 16 },
  { name: 'Teredo', network: '2001::', prefix: 32 },
];
const CARRYING = new BlockList();
for (const { network, prefix } of IPV4_CARRYING) CARRYING.addSubnet(network, prefix, 'ipv6');

/** The 16 bytes of a valid IPv6 address (no zone id), with a trailing dotted IPv4 part expanded. */
export function ipv6Bytes(address: string): number[] {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const words =
    tail === undefined ? left : [...left, ...new Array(8 - left.length - right.length).fill(0), ...right];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** The IPv4 address in the last 32 bits of an IPv6 address. */
const lastIpv4 = (bytes: number[]) => bytes.slice(12).join('.');

/** True for an IP address a webhook may not reach (see `INTERNAL`, `IPV4_CARRYING`); false for a public one. */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return INTERNAL.check(address, 'ipv4');
  if (family !== 6) return true;
  // A zone id (`fe80::1%eth0`) only makes sense on a local link.
  if (address.includes('%')) return true;
  if (INTERNAL.check(address, 'ipv6') || CARRYING.check(address, 'ipv6')) return true;
  // Embedded private IPv4 anywhere else it is conventionally put (ISATAP-style interface ids, a
  // translator's own prefix): refused when the last 32 bits are an internal IPv4 address behind
  // `::5efe:` / `::200:5efe:`.
  const bytes = ipv6Bytes(address);
  const isatap = bytes[9] === 0 && bytes[10] === 0x5e && bytes[11] === 0xfe;
  return isatap && INTERNAL.check(lastIpv4(bytes), 'ipv4');
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
