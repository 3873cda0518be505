import { WebhookErrorCode } from '@hoot/domain';
import { checkWebhookUrl, ipv6Bytes, isInternalAddress } from './webhook-url';

describe('checkWebhookUrl', () => {
  const strict = { allowPrivate: false };
  const loose = { allowPrivate: true };

  it.each([
    'https://hooks.example.com/hoot',
    'https://hooks.example.com:8443/a/b?x=1',
    'https://93.184.216.34/hook',
    'https://[2606:2800:220:1:248:1893:25c8:1946]/hook',
  ])('accepts the public https URL %s', (url) => {
    expect(checkWebhookUrl(url, strict)).toEqual({ ok: true, url: new URL(url).toString() });
  });

  it.each([
    ['http://hooks.example.com/', WebhookErrorCode.UrlInvalid],
    ['ftp://hooks.example.com/', WebhookErrorCode.UrlInvalid],
    ['hooks.example.com/path', WebhookErrorCode.UrlInvalid],
    ['https://user:pw@hooks.example.com/', WebhookErrorCode.UrlInvalid],
    ['https://hooks.example.com/#frag', WebhookErrorCode.UrlInvalid],
    [`https://hooks.example.com/${'a'.repeat(2_100)}`, WebhookErrorCode.UrlInvalid],
    ['https://localhost/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://api.localhost/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://intranet/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://127.0.0.1/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://0x7f.1/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://2130706433/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://10.1.2.3/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://172.20.0.1/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://192.168.1.10/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://169.254.169.254/latest/meta-data', WebhookErrorCode.UrlNotAllowed],
    ['https://100.64.0.1/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://0.0.0.0/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://[::1]/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://[::ffff:127.0.0.1]/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://[fd00::1]/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://[fe80::1]/hook', WebhookErrorCode.UrlNotAllowed],
    ['https://metadata.google.internal/hook', WebhookErrorCode.UrlNotAllowed],
  ])('refuses %s with %s', (url, code) => {
    expect(checkWebhookUrl(url, strict)).toMatchObject({ ok: false, code });
  });

  it('allows http and private hosts only when private URLs are allowed (development, tests)', () => {
    expect(checkWebhookUrl('http://127.0.0.1:4000/hook', loose)).toMatchObject({ ok: true });
    expect(checkWebhookUrl('http://localhost:4000/hook', loose)).toMatchObject({ ok: true });
    expect(checkWebhookUrl('ftp://127.0.0.1/hook', loose)).toMatchObject({
      ok: false,
      code: WebhookErrorCode.UrlInvalid,
    });
  });
});

describe('isInternalAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.0.0.1', true],
    ['8.8.8.8', false],
    ['2001:4860:4860::8888', false],
    ['2606:2800:220:1:248:1893:25c8:1946', false],
    ['fc00::1', true],
    ['not-an-address', true],
  ])('%s → %s', (address, internal) => {
    expect(isInternalAddress(address)).toBe(internal);
  });

  // Every IPv6 form that is, or carries, or translates to a loopback/private/link-local address.
  it.each([
    ['unspecified', '::'],
    ['loopback', '::1'],
    ['loopback, long form', '0:0:0:0:0:0:0:1'],
    ['IPv4-mapped loopback (dotted)', '::ffff:127.0.0.1'],
    ['IPv4-mapped loopback (hex)', '::ffff:7f00:1'],
    ['IPv4-mapped private', '::ffff:10.0.0.1'],
    ['IPv4-mapped public (never a receiver)', '::ffff:8.8.8.8'],
    ['IPv4-translated', '::ffff:0:7f00:1'],
    ['IPv4-compatible loopback (hex)', '::7f00:1'],
    ['IPv4-compatible loopback (dotted)', '::127.0.0.1'],
    ['IPv4-compatible metadata', '::a9fe:a9fe'],
    ['6to4 of 127.0.0.1', '2002:7f00:1::'],
    ['6to4 of 10.0.0.1', '2002:a00:1::1'],
    ['6to4 of 169.254.169.254', '2002:a9fe:a9fe::'],
    ['6to4 of a public address', '2002:808:808::1'],
    ['NAT64 of 127.0.0.1', '64:ff9b::7f00:1'],
    ['NAT64 of 10.0.0.1 (dotted)', '64:ff9b::10.0.0.1'],
    ['NAT64 local-use', '64:ff9b:1::a00:1'],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['Teredo, short', '2001::1'],
    ['unique-local', 'fd12:3456:789a::1'],
    ['link-local', 'fe80::1'],
    ['link-local with a zone id', 'fe80::1%eth0'],
    ['site-local (deprecated)', 'fec0::1'],
    ['multicast', 'ff02::1'],
    ['documentation', '2001:db8::1'],
    ['discard-only', '100::1'],
    ['ISATAP interface id of a private IPv4', '2001:470:1f0b::5efe:a00:1'],
  ])('refuses %s (%s)', (_what, address) => {
    expect(isInternalAddress(address)).toBe(true);
  });

  it.each([
    ['https://[::7f00:1]/hook'],
    ['https://[2002:7f00:1::]/hook'],
    ['https://[::ffff:127.0.0.1]/hook'],
    ['https://[::127.0.0.1]/hook'],
    ['https://[64:ff9b::127.0.0.1]/hook'],
    ['https://[64:ff9b:1::a00:1]/hook'],
    ['https://[2001::a9fe:a9fe]/hook'],
    ['https://[::]/hook'],
    ['https://[ff02::1]/hook'],
  ])('refuses the webhook URL %s', (url) => {
    expect(checkWebhookUrl(url, { allowPrivate: false })).toMatchObject({
      ok: false,
      code: WebhookErrorCode.UrlNotAllowed,
    });
  });
});

describe('ipv6Bytes', () => {
  it.each([
    ['::1', [...new Array(15).fill(0), 1]],
    ['::ffff:127.0.0.1', [...new Array(10).fill(0), 0xff, 0xff, 127, 0, 0, 1]],
    ['2002:7f00:1::', [0x20, 0x02, 0x7f, 0x00, 0x00, 0x01, ...new Array(10).fill(0)]],
    ['1:2:3:4:5:6:7:8', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]],
  ])('%s', (address, bytes) => {
    expect(ipv6Bytes(address)).toEqual(bytes);
  });
});
