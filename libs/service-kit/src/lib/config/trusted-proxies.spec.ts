import { EnvList, loadConfig } from './load-config';
import { IsAddressOrCidr, refuseTrustProxy, trustProxyOption } from './trusted-proxies';

class ProxyConfig {
  @EnvList()
  @IsAddressOrCidr({ each: true })
  TRUSTED_PROXIES: string[] = [];
}

describe('TRUSTED_PROXIES', () => {
  it('defaults to none: no forwarder is believed', () => {
    const config = loadConfig(ProxyConfig, {});
    expect(trustProxyOption(config.TRUSTED_PROXIES)).toBe(false);
  });

  it('takes addresses and CIDRs of both families', () => {
    const config = loadConfig(ProxyConfig, { TRUSTED_PROXIES: '10.244.0.0/16, 192.0.2.1,fd00::/8,::1' });
    expect(trustProxyOption(config.TRUSTED_PROXIES)).toEqual([
      '10.244.0.0/16',
      '192.0.2.1',
      'fd00::/8',
      '::1',
    ]);
  });

  it.each(['true', 'loopback', '10.0.0.0/33', '10.0.0.1/8/1', 'fd00::/129', '10.0.0.0/'])(
    'refuses %s',
    (value) => {
      expect(() => loadConfig(ProxyConfig, { TRUSTED_PROXIES: value })).toThrow(/TRUSTED_PROXIES/);
    },
  );

  it('refuses the old TRUST_PROXY (trust every forwarder) instead of silently ignoring it', () => {
    expect(() => refuseTrustProxy({ TRUST_PROXY: 'true' })).toThrow(
      /TRUST_PROXY: replaced by TRUSTED_PROXIES/,
    );
    expect(() => refuseTrustProxy({ TRUST_PROXY: '' })).not.toThrow();
    expect(() => refuseTrustProxy({})).not.toThrow();
  });
});
