import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCliEnv } from './cli.env';
import { CredentialsStore } from './credentials.store';

const creds = {
  username: 'alice',
  registryUrls: ['http://127.0.0.1:3201'],
  accessToken: 'tok',
  expiresAt: '2026-11-23T18:00:00.000Z',
};

describe('CredentialsStore', () => {
  const dir = () => join(mkdtempSync(join(tmpdir(), 'hoot-creds-')), 'nested', 'hoot');

  it('writes the file 0600 in a 0700 folder and reads it back', () => {
    const store = new CredentialsStore(dir());
    store.write(creds);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    expect(store.read()).toEqual(creds);
  });

  it('keeps 0600 when replacing a file that was readable by others', () => {
    const store = new CredentialsStore(dir());
    store.write(creds);
    writeFileSync(store.path, '{}', { mode: 0o644 });
    store.write({ ...creds, accessToken: 'tok2' });
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(store.path, 'utf8')).accessToken).toBe('tok2');
  });

  it('reads nothing when there is no file, refuses a damaged one, removes either', () => {
    const store = new CredentialsStore(dir());
    expect(store.read()).toBeUndefined();
    expect(store.remove()).toBe(false);
    store.write(creds);
    writeFileSync(store.path, '{"username": 1}');
    expect(() => store.read()).toThrow(
      expect.objectContaining({ code: 'cli.credentials-invalid', exitCode: 2 }),
    );
    expect(store.remove()).toBe(true);
    expect(store.read()).toBeUndefined();
  });
});

describe('readCliEnv', () => {
  it('takes HOOT_CONFIG_DIR first, then XDG_CONFIG_HOME, then ~/.config/hoot', () => {
    expect(readCliEnv({ HOOT_CONFIG_DIR: '/x', XDG_CONFIG_HOME: '/y' }).configDir).toBe('/x');
    expect(readCliEnv({ XDG_CONFIG_HOME: '/y' }).configDir).toBe('/y/hoot');
    expect(readCliEnv({}).configDir).toMatch(/\.config\/hoot$/);
  });

  it('reads the registry, API key, brokers, NO_COLOR and in-cluster flags', () => {
    const env = readCliEnv({
      HOOT_REGISTRY: 'http://a,http://b',
      HOOT_API_KEY: 'hk_x',
      HOOT_KAFKA_BROKERS: 'k:9092',
      NO_COLOR: '1',
      KUBERNETES_SERVICE_HOST: '10.0.0.1',
    });
    expect(env).toMatchObject({
      registry: 'http://a,http://b',
      apiKey: 'hk_x',
      kafkaBrokers: 'k:9092',
      noColor: true,
      inCluster: true,
    });
    expect(readCliEnv({ HOOT_API_KEY: '  ' }).apiKey).toBeUndefined();
  });
});
