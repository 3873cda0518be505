import { ConfigError, DEFAULTS, parseConfig } from './kms-lite.config';

describe('parseConfig', () => {
  it('uses the defaults when nothing is set', () => {
    const result = parseConfig([], {});
    expect(result).toMatchObject({
      help: false,
      config: {
        host: DEFAULTS.host,
        port: 8888,
        engine: 'werift',
        minPort: 40000,
        maxPort: 40999,
        admin: undefined,
      },
    });
  });

  it('listens on loopback only unless told otherwise (the JSON-RPC port has no authentication)', () => {
    expect(parseConfig([], {})).toMatchObject({ config: { host: '127.0.0.1' } });
    expect(parseConfig([], { KMS_LITE_HOST: '0.0.0.0' })).toMatchObject({ config: { host: '0.0.0.0' } });
    expect(parseConfig(['--host', '10.0.0.5'], { KMS_LITE_HOST: '0.0.0.0' })).toMatchObject({
      config: { host: '10.0.0.5' },
    });
  });

  it('lets flags win over the environment and enables the admin endpoint only when asked', () => {
    const result = parseConfig(['--port', '9000', '--engine=fake', '--admin-port', '9001'], {
      KMS_LITE_PORT: '7000',
      KMS_LITE_ANNOUNCED_IP: '203.0.113.9',
      KMS_LITE_MIN_PORT: '50000',
      KMS_LITE_MAX_PORT: '50100',
    });
    expect(result).toMatchObject({
      help: false,
      config: {
        port: 9000,
        engine: 'fake',
        announcedIp: '203.0.113.9',
        minPort: 50000,
        maxPort: 50100,
        admin: { host: '127.0.0.1', port: 9001 },
      },
    });
  });

  it("reads Kurento's KMS_MIN_PORT, KMS_MAX_PORT and KMS_EXTERNAL_IPV4 when its own variables are unset", () => {
    const kurento = { KMS_MIN_PORT: '45000', KMS_MAX_PORT: '45100', KMS_EXTERNAL_IPV4: '10.1.2.3' };
    expect(parseConfig([], kurento)).toMatchObject({
      config: { minPort: 45000, maxPort: 45100, announcedIp: '10.1.2.3' },
    });
    expect(parseConfig(['--max-port', '45200'], { ...kurento, KMS_LITE_MIN_PORT: '44000' })).toMatchObject({
      config: { minPort: 44000, maxPort: 45200, announcedIp: '10.1.2.3' },
    });
  });

  it('reports every problem at once', () => {
    let error: unknown;
    try {
      parseConfig(['--engine', 'gst', '--min-port', '5000', '--max-port', '4000', '--bogus'], {
        KMS_LITE_ANNOUNCED_IP: 'nat',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      "unknown argument '--bogus' (see --help)",
      "--engine must be 'werift' or 'fake', got 'gst'",
      "--announced-ip must be an IPv4 address, got 'nat'",
      '--min-port (5000) must be lower than --max-port (4000)',
    ]);
  });

  it('recognises --help', () => {
    expect(parseConfig(['--port', '1', '--help'], {})).toEqual({ help: true });
  });
});
