import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registryConfigFrom } from '../config/registry.config';

const base = {
  REGISTRY_ID: 'reg-c1-1',
  REGISTRY_PUBLIC_URL: 'http://127.0.0.1:3201',
  AUTH_URL: 'http://127.0.0.1:3100',
  AUTH_ISSUER: 'https://auth.hoot.test',
  REGISTRY_SERVICE_API_KEY: 'hk_0123456789abcdef_0123456789012345678901234567890123456789012',
  MONGO_URI: 'mongodb://127.0.0.1:27017/hoot_registry',
  KAFKA_BROKERS: '127.0.0.1:9092',
};
const KEY = 'a-webhook-signing-key-of-40-characters!!';

describe('webhook settings', () => {
  it('has the delivery defaults and keeps private URLs off', () => {
    const config = registryConfigFrom({ ...base, WEBHOOK_SIGNING_KEY: KEY });
    expect(config).toMatchObject({
      WEBHOOK_SIGNING_KEY: KEY,
      WEBHOOK_ALLOW_PRIVATE_URLS: false,
      WEBHOOK_MAX_ATTEMPTS: 8,
      WEBHOOK_BACKOFF_BASE_MS: 500,
      WEBHOOK_BACKOFF_MAX_MS: 30_000,
      WEBHOOK_TIMEOUT_MS: 5_000,
    });
  });

  it('requires a signing key of at least 32 characters and never echoes it', () => {
    expect(() => registryConfigFrom(base)).toThrow(/WEBHOOK_SIGNING_KEY: .*\(not set\)/);
    const short = 'too-short-signing-key';
    let message = '';
    try {
      registryConfigFrom({ ...base, WEBHOOK_SIGNING_KEY: short });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/WEBHOOK_SIGNING_KEY: .*\(value hidden\)/);
    expect(message).not.toContain(short);
  });

  it('reads the signing key from WEBHOOK_SIGNING_KEY_FILE (a mounted Secret)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hoot-webhook-key-'));
    try {
      const file = join(dir, 'key');
      writeFileSync(file, `${KEY}\n`);
      expect(registryConfigFrom({ ...base, WEBHOOK_SIGNING_KEY_FILE: file }).WEBHOOK_SIGNING_KEY).toBe(KEY);
      expect(() =>
        registryConfigFrom({ ...base, WEBHOOK_SIGNING_KEY: KEY, WEBHOOK_SIGNING_KEY_FILE: file }),
      ).toThrow(/either WEBHOOK_SIGNING_KEY or WEBHOOK_SIGNING_KEY_FILE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
