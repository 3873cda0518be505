import { ConfigError } from '@hoot/service-kit';
import { registryConfigFrom, registryTrustProxy } from './registry.config';

const base = {
  REGISTRY_ID: 'reg-c1-2',
  REGISTRY_PUBLIC_URL: 'http://127.0.0.1:3201',
  AUTH_URL: 'http://127.0.0.1:3100',
  AUTH_ISSUER: 'https://auth.hoot.test',
  REGISTRY_SERVICE_API_KEY: 'hk_0123456789abcdef_0123456789012345678901234567890123456789012',
  MONGO_URI: 'mongodb://127.0.0.1:27017/hoot_registry',
  KAFKA_BROKERS: '127.0.0.1:9092',
  WEBHOOK_SIGNING_KEY: 'webhook-signing-key-of-at-least-32-chars',
};

describe('registry configuration', () => {
  it('derives cloud and priority from the registry id and applies the protocol defaults', () => {
    const config = registryConfigFrom({ ...base, REGISTRY_PEERS: 'http://a:1,http://b:2' });
    expect([config.cloud, config.priority]).toEqual(['c1', 2]);
    expect(config.REGISTRY_PEERS).toEqual(['http://a:1', 'http://b:2']);
    expect(config.GOSSIP_INTERVAL_MS).toBe(1_000);
    expect(config.jwksUrl).toBe('http://127.0.0.1:3100/.well-known/jwks.json');
    expect(config.K8S_POD_WATCH).toBe(false);
  });

  it('reads the cluster switch and the pod-watch settings', () => {
    const config = registryConfigFrom({
      ...base,
      K8S_POD_WATCH: 'true',
      K8S_NAMESPACE: 'hoot',
    });
    expect([config.K8S_POD_WATCH, config.K8S_NAMESPACE]).toEqual([true, 'hoot']);
    expect(() => registryConfigFrom({ ...base, K8S_POD_WATCH: 'maybe' })).toThrow(/K8S_POD_WATCH/);
  });

  it('believes no forwarder by default, only the TRUSTED_PROXIES given, and refuses the old TRUST_PROXY', () => {
    expect(registryTrustProxy(registryConfigFrom(base))).toBe(false);
    const config = registryConfigFrom({ ...base, TRUSTED_PROXIES: '10.244.0.0/16, fd00::1' });
    expect(registryTrustProxy(config)).toEqual(['10.244.0.0/16', 'fd00::1']);
    expect(() => registryConfigFrom({ ...base, TRUSTED_PROXIES: 'true' })).toThrow(/TRUSTED_PROXIES/);
    expect(() => registryConfigFrom({ ...base, TRUST_PROXY: 'true' })).toThrow(
      /TRUST_PROXY: replaced by TRUSTED_PROXIES/,
    );
  });

  it('fails fast on a bad id, a missing secret, contradicting cloud or priority, and inverted timeouts', () => {
    expect(() => registryConfigFrom({ ...base, REGISTRY_ID: 'registry-1' })).toThrow(/REGISTRY_ID/);
    const { REGISTRY_SERVICE_API_KEY: _omit, ...noSecret } = base;
    expect(() => registryConfigFrom(noSecret)).toThrow(/REGISTRY_SERVICE_API_KEY/);
    expect(() => registryConfigFrom({ ...base, REGISTRY_CLOUD: 'c2' })).toThrow(/REGISTRY_CLOUD/);
    expect(() => registryConfigFrom({ ...base, REGISTRY_PRIORITY: '1' })).toThrow(/REGISTRY_PRIORITY/);
    expect(() => registryConfigFrom({ ...base, SUSPECT_AFTER_MS: '9000', DEAD_AFTER_MS: '5000' })).toThrow(
      ConfigError,
    );
  });

  it('never echoes the secret in its error', () => {
    let message = '';
    try {
      registryConfigFrom({ ...base, REGISTRY_SERVICE_API_KEY: 'short-secret', MONGO_URI: 'nope' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/REGISTRY_SERVICE_API_KEY/);
    expect(message).not.toContain('short-secret');
  });
});
