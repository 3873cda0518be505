import { WebhookErrorCode } from '@hoot/domain';
import { checkWebhookUrl, isInternalAddress } from './webhook-url';

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
    ['::ffff:10.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['8.8.8.8', false],
    ['2001:4860:4860::8888', false],
    ['fc00::1', true],
    ['not-an-address', true],
  ])('%s → %s', (address, internal) => {
    expect(isInternalAddress(address)).toBe(internal);
  });
});
