import { createHmac } from 'node:crypto';
import { verifyWebhookSignature, webhookSecret, webhookSignature } from './webhook-signature';

const KEY = 'unit-test-signing-key-0123456789abcdef';

describe('webhook secrets and signatures', () => {
  it('derives a secret per account and generation from the signing key, never the same twice', () => {
    const secret = webhookSecret(KEY, 'acc-1', 1);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(webhookSecret(KEY, 'acc-1', 1)).toBe(secret);
    expect(
      new Set([
        secret,
        webhookSecret(KEY, 'acc-1', 2),
        webhookSecret(KEY, 'acc-2', 1),
        webhookSecret(`${KEY}x`, 'acc-1', 1),
      ]).size,
    ).toBe(4);
    expect(secret).toBe(`whsec_${createHmac('sha256', KEY).update('acc-1:1').digest('base64url')}`);
  });

  it('signs "<t>.<body>" with the secret and verifies only the same body, secret and a recent time', () => {
    const secret = webhookSecret(KEY, 'acc-1', 1);
    const body = '{"id":"x","seq":1}';
    const header = webhookSignature(secret, 1_767_225_600, body);
    expect(header).toBe(
      `t=1767225600,v1=${createHmac('sha256', secret).update(`1767225600.${body}`).digest('hex')}`,
    );
    expect(verifyWebhookSignature(secret, header, body, 1_767_225_600 + 299)).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, 1_767_225_600 + 301)).toBe(false);
    expect(verifyWebhookSignature(secret, header, `${body} `, 1_767_225_600)).toBe(false);
    expect(verifyWebhookSignature(webhookSecret(KEY, 'acc-1', 2), header, body, 1_767_225_600)).toBe(false);
    expect(verifyWebhookSignature(secret, 'garbage', body, 1_767_225_600)).toBe(false);
  });
});
