import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { platformCredentials, secretFile } from './platform-secrets';

describe('platform secrets', () => {
  let dir: string;
  beforeEach(() => (dir = join(mkdtempSync(join(tmpdir(), 'hoot-secrets-spec-')), 'secrets')));
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('generates each secret once, private to the user, and returns the same values on the next start', () => {
    const first = platformCredentials(dir);
    expect(first.adminApiKey).toMatch(/^[0-9a-f]{48}$/);
    expect(first.serviceKeys['cash-coremx-1-c1']).toMatch(/^hk_[A-Za-z0-9]{16}_[A-Za-z0-9]{43}$/);
    // A key per CASH (its own account cash-<coremxId>), none shared; one per registry; the operators'.
    expect(Object.keys(first.serviceKeys)).toEqual([
      'cash-coremx-1-c1',
      'cash-coremx-1-c2',
      'reg-c1-1',
      'reg-c2-1',
      'ops',
    ]);
    expect(new Set(Object.values(first.serviceKeys)).size).toBe(5);
    expect(
      new Set([first.users.alice.password, first.users.bob.password, first.users.carol.password]).size,
    ).toBe(3);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'password-alice')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'webhook-signing-key-reg-c2-1'), 'utf8')).toMatch(/^[0-9a-f]{48}\n$/);
    expect(platformCredentials(dir)).toEqual(first);
  });

  it('generates a control key and a viewer-token key per CoreMX packager, private, distinct and kept', () => {
    const first = platformCredentials(dir);
    expect(Object.keys(first.packagerKeys)).toEqual(['coremx-1-c1', 'coremx-1-c2']);
    const keys = Object.values(first.packagerKeys).flatMap((k) => [k.controlKey, k.viewerTokenKey]);
    // 48 hex characters: above the packager's minimums (16 for the control key, 32 for the HMAC key).
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{48}$/);
    expect(new Set(keys).size).toBe(4);
    for (const name of [
      'packager-control-key-coremx-1-c1',
      'packager-viewer-token-key-coremx-1-c1',
      'packager-control-key-coremx-1-c2',
      'packager-viewer-token-key-coremx-1-c2',
    ]) {
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    }
    expect(readFileSync(join(dir, 'packager-viewer-token-key-coremx-1-c2'), 'utf8')).toBe(
      `${first.packagerKeys['coremx-1-c2'].viewerTokenKey}\n`,
    );
    expect(platformCredentials(dir).packagerKeys).toEqual(first.packagerKeys);
  });

  it('reads the files dev-up wrote (value and newline) as they are', () => {
    secretFile(dir, 'placeholder');
    writeFileSync(join(dir, 'password-alice'), 'kept-from-dev-up\n');
    writeFileSync(join(dir, 'admin-password'), 'admin-from-dev-up\n');
    const credentials = platformCredentials(dir);
    expect(credentials.users.alice.password).toBe('kept-from-dev-up');
    expect(credentials.adminPassword).toBe('admin-from-dev-up');
  });

  it('replaces an empty file with a fresh secret instead of using an empty one', () => {
    secretFile(dir, 'placeholder');
    writeFileSync(join(dir, 'admin-api-key'), '\n');
    expect(platformCredentials(dir).adminApiKey).toMatch(/^[0-9a-f]{48}$/);
  });
});
