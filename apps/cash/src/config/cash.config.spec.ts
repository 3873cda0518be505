import { GOSSIP_DEFAULTS } from '@hoot/gossip';
import { loadCashConfig, packagerSettingsOf } from './cash.config';

const env = {
  COREMX_ID: 'coremx-1',
  COREMX_ADDRESS: 'coremx-1.c1.hoot.mx',
  SIGNALING_URL: 'ws://127.0.0.1:3300/signal',
  KMS_URL: 'ws://127.0.0.1:8888/kurento',
  KAFKA_BROKERS: '127.0.0.1:9092',
  CCES_JOURNAL_DIR: '/tmp/journal',
  AUTH_URL: 'http://127.0.0.1:3100',
  AUTH_JWKS_URL: 'http://127.0.0.1:3100/.well-known/jwks.json',
  AUTH_ISSUER: 'https://auth.hoot.svc',
  CASH_SERVICE_API_KEY: 'hk_0123456789abcdef_0123456789abcdef0123456789abcdef0123456789a',
  REGISTRY_URLS: 'http://127.0.0.1:3201',
};

describe('CASH configuration defaults', () => {
  it('heartbeats often enough that a registry never suspects a healthy CoreMX over one late report', () => {
    const config = loadCashConfig(env);
    // At least three reports per CoreMX suspicion window: one or two delayed ones change nothing (and a
    // suspect CASH that answers the primary's probe is not declared down anyway).
    expect(config.HEARTBEAT_INTERVAL_MS * 3).toBeLessThanOrEqual(GOSSIP_DEFAULTS.coremxSuspectAfterMs);
    // …and still four per registry suspicion window, as before.
    expect(config.HEARTBEAT_INTERVAL_MS * 4).toBeLessThanOrEqual(GOSSIP_DEFAULTS.suspectAfterMs);
  });
});

describe('CHAT_EVENTS (issue 21: chat on the topic)', () => {
  it('defaults to text and takes metadata and off', () => {
    expect(loadCashConfig(env).CHAT_EVENTS).toBe('text');
    expect(loadCashConfig({ ...env, CHAT_EVENTS: 'metadata' }).CHAT_EVENTS).toBe('metadata');
    expect(loadCashConfig({ ...env, CHAT_EVENTS: 'off' }).CHAT_EVENTS).toBe('off');
  });

  it.each(['none', 'TEXT', 'true', 'text,metadata'])(
    'refuses CHAT_EVENTS=%j at start, naming the choices',
    (value) => {
      expect(() => loadCashConfig({ ...env, CHAT_EVENTS: value })).toThrow(
        /CHAT_EVENTS must be one of text, metadata, off/,
      );
    },
  );
});

describe('packager settings (issue 18)', () => {
  const packager = {
    PACKAGER_URL: 'http://127.0.0.1:3400/',
    PACKAGER_CONTROL_KEY: 'control-key-0123456789',
    PACKAGER_VIEWER_TOKEN_KEY: 'viewer-token-key-0123456789abcdef0123',
  };

  it('are optional as a group; the public URL defaults to the control URL', () => {
    expect(packagerSettingsOf(loadCashConfig(env))).toBeUndefined();
    const settings = packagerSettingsOf(loadCashConfig({ ...env, ...packager }));
    expect(settings).toMatchObject({
      url: 'http://127.0.0.1:3400',
      publicUrl: 'http://127.0.0.1:3400',
      tokenTtlS: 600,
      recordingPollMs: 2000,
    });
    expect(settings?.viewerTokenKey.equals(Buffer.from(packager.PACKAGER_VIEWER_TOKEN_KEY))).toBe(true);
  });

  it('refuses half a group, and short keys without echoing them', () => {
    expect(() => loadCashConfig({ ...env, PACKAGER_URL: packager.PACKAGER_URL })).toThrow(
      /PACKAGER_CONTROL_KEY, PACKAGER_VIEWER_TOKEN_KEY missing/,
    );
    let message = '';
    try {
      loadCashConfig({ ...env, ...packager, PACKAGER_VIEWER_TOKEN_KEY: 'short-secret-value' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/PACKAGER_VIEWER_TOKEN_KEY/);
    expect(message).not.toContain('short-secret-value');
  });
});
