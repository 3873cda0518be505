import { loadAuthConfig, trustProxyOption } from './auth.config';

const BASE = {
  MONGO_URI: 'mongodb://unused',
  KAFKA_BROKERS: 'unused:9092',
  AUTH_KEYS_DIR: '/nonexistent',
  AUTH_ADMIN_API_KEY: 'admin-key-for-unit-tests-0123456789',
};

describe('auth configuration: trusted proxies and sign-in limits', () => {
  it('trusts no forwarder by default', () => {
    const config = loadAuthConfig(BASE);
    expect(config.TRUSTED_PROXIES).toEqual([]);
    expect(trustProxyOption(config)).toBe(false);
  });

  it('takes addresses and CIDRs, IPv4 and IPv6', () => {
    const config = loadAuthConfig({ ...BASE, TRUSTED_PROXIES: '10.244.0.0/16, 192.0.2.1,fd00::/8,::1' });
    expect(trustProxyOption(config)).toEqual(['10.244.0.0/16', '192.0.2.1', 'fd00::/8', '::1']);
  });

  it.each(['true', '*', '10.0.0.0/33', 'proxy.local', '10.0.0.0/8/1', 'fd00::/129'])(
    'refuses TRUSTED_PROXIES=%s',
    (value) => {
      expect(() => loadAuthConfig({ ...BASE, TRUSTED_PROXIES: value })).toThrow(/TRUSTED_PROXIES/);
    },
  );

  it('refuses the old TRUST_PROXY (trusting every forwarder) instead of silently ignoring it', () => {
    expect(() => loadAuthConfig({ ...BASE, TRUST_PROXY: 'true' })).toThrow(
      /TRUST_PROXY: replaced by TRUSTED_PROXIES/,
    );
  });

  it('refuses a back-off base above its cap', () => {
    expect(() =>
      loadAuthConfig({
        ...BASE,
        AUTH_IDENTITY_BACKOFF_BASE_MS: '5000',
        AUTH_IDENTITY_BACKOFF_MAX_MS: '1000',
      }),
    ).toThrow(/AUTH_IDENTITY_BACKOFF_BASE_MS/);
  });
});
