import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadPackagerConfig } from './packager.config';

const SECRETS = { PACKAGER_VIEWER_TOKEN_KEY: 'v'.repeat(32), PACKAGER_CONTROL_KEY: 'c'.repeat(16) };

describe('packager config', () => {
  it('has defaults for everything but the two secrets', () => {
    const config = loadPackagerConfig(SECRETS);
    expect(config).toMatchObject({
      port: 3400,
      segmentTargetMs: 2000,
      partTargetMs: 334,
      windowSegments: 6,
      blockingTimeoutMs: 6000,
      announcedIp: '127.0.0.1',
      keyframeRequestMs: 2000,
      recordingDir: undefined,
      recordingMaxBytes: 5 * 1024 ** 3,
    });
    expect(config.viewerTokenKey.equals(Buffer.from(SECRETS.PACKAGER_VIEWER_TOKEN_KEY))).toBe(true);
  });

  it('defaults no secret and never echoes one', () => {
    expect(() => loadPackagerConfig({})).toThrow(
      /PACKAGER_VIEWER_TOKEN_KEY: required[\s\S]*PACKAGER_CONTROL_KEY: required/,
    );
    let error: unknown;
    try {
      loadPackagerConfig({ ...SECRETS, PACKAGER_VIEWER_TOKEN_KEY: 'short-secret-value' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/at least 32 characters/);
    expect(String(error)).not.toContain('short-secret-value');
  });

  it('reads a secret from a file (*_FILE), not both', () => {
    const dir = mkdtempSync(join(tmpdir(), 'packager-config-'));
    writeFileSync(join(dir, 'key'), `${'f'.repeat(40)}\n`);
    const config = loadPackagerConfig({
      ...SECRETS,
      PACKAGER_VIEWER_TOKEN_KEY: undefined,
      PACKAGER_VIEWER_TOKEN_KEY_FILE: join(dir, 'key'),
    });
    expect(config.viewerTokenKey.toString()).toBe('f'.repeat(40));
    expect(() =>
      loadPackagerConfig({ ...SECRETS, PACKAGER_VIEWER_TOKEN_KEY_FILE: join(dir, 'key') }),
    ).toThrow(/not both/);
  });

  it('lists every bad value at once', () => {
    let error: ConfigError | undefined;
    try {
      loadPackagerConfig({
        ...SECRETS,
        PACKAGER_PORT: 'x',
        HLS_PART_TARGET_MS: '900',
        PACKAGER_ANNOUNCED_IP: 'host',
        LOG_LEVEL: 'loud',
      });
    } catch (e) {
      error = e as ConfigError;
    }
    const names = (error?.problems ?? []).map((p) => p.split(':')[0]).sort();
    expect(names).toEqual(['HLS_PART_TARGET_MS', 'LOG_LEVEL', 'PACKAGER_ANNOUNCED_IP', 'PACKAGER_PORT']);
  });

  it('turns recording on with an absolute PACKAGER_RECORDING_DIR and takes its byte limit', () => {
    const config = loadPackagerConfig({
      ...SECRETS,
      PACKAGER_RECORDING_DIR: '/data/recordings',
      PACKAGER_RECORDING_MAX_BYTES: '1048576',
      HLS_KEYFRAME_REQUEST_MS: '1000',
    });
    expect(config).toMatchObject({
      recordingDir: '/data/recordings',
      recordingMaxBytes: 1048576,
      keyframeRequestMs: 1000,
    });
    expect(() => loadPackagerConfig({ ...SECRETS, PACKAGER_RECORDING_DIR: 'relative' })).toThrow(
      /PACKAGER_RECORDING_DIR: an absolute path/,
    );
    expect(() => loadPackagerConfig({ ...SECRETS, PACKAGER_RECORDING_MAX_BYTES: '5GB' })).toThrow(
      /PACKAGER_RECORDING_MAX_BYTES/,
    );
  });
});
