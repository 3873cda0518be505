import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '@hoot/testing';
import { KeyRing } from './key-ring';

const pems = new Map<number, string>();
function pem(bits = 2048): string {
  if (!pems.has(bits)) {
    pems.set(
      bits,
      generateKeyPairSync('rsa', { modulusLength: bits })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    );
  }
  return pems.get(bits)!;
}

describe('KeyRing', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hoot-keys-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads every key, publishes all of them and signs with the newest at boot', () => {
    writeFileSync(join(dir, 'auth-20260101.pem'), pem());
    writeFileSync(join(dir, 'auth-20260201.pem'), pem());
    const ring = new KeyRing({ dir, clock: new FakeClock(), activationDelayMs: 0 });
    ring.reload();
    expect(ring.kids().sort()).toEqual(['auth-20260101', 'auth-20260201']);
    expect(ring.signingKey().kid).toBe('auth-20260201');
    expect(ring.jwks().keys.map((k) => k.kid)).toHaveLength(2);
    expect(ring.jwks().keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256' });
    expect(JSON.stringify(ring.jwks())).not.toMatch(/"d"|"p"|"q"/);
  });

  it('publishes a new key at once but signs with it only after the activation delay', () => {
    const clock = new FakeClock(Date.now() + 3_600_000);
    writeFileSync(join(dir, 'auth-1.pem'), pem());
    const ring = new KeyRing({ dir, clock, activationDelayMs: 60_000 });
    ring.reload();
    writeFileSync(join(dir, 'auth-2.pem'), pem());
    expect(ring.reload()).toEqual({ added: ['auth-2'], removed: [] });
    expect(ring.kids()).toContain('auth-2');
    expect(ring.signingKey().kid).toBe('auth-1');
    clock.advance(60_000);
    expect(ring.signingKey().kid).toBe('auth-2');
  });

  it('honours a configured signing kid', () => {
    writeFileSync(join(dir, 'a.pem'), pem());
    writeFileSync(join(dir, 'b.pem'), pem());
    const ring = new KeyRing({ dir, clock: new FakeClock(), activationDelayMs: 0, signingKid: 'a' });
    ring.reload();
    expect(ring.signingKey().kid).toBe('a');
  });

  it('refuses an empty directory, small keys and a configured kid without file', () => {
    expect(() => new KeyRing({ dir, clock: new FakeClock(), activationDelayMs: 0 }).reload()).toThrow(
      /no <kid>.pem/,
    );
    writeFileSync(join(dir, 'small.pem'), pem(1024));
    expect(() => new KeyRing({ dir, clock: new FakeClock(), activationDelayMs: 0 }).reload()).toThrow(
      /at least 2048/,
    );
    rmSync(join(dir, 'small.pem'));
    writeFileSync(join(dir, 'a.pem'), pem());
    expect(() =>
      new KeyRing({ dir, clock: new FakeClock(), activationDelayMs: 0, signingKid: 'zz' }).reload(),
    ).toThrow(/AUTH_SIGNING_KID/);
  });
});
