#!/usr/bin/env node
// Local-platform signing keys for the auth service: writes an RSA private key `<kid>.pem` into a
// directory (default `.infra/auth-keys/`) once, so restarts keep their keys and tokens stay valid.
// In a cluster the keys come from a Kubernetes Secret instead; never use these outside local runs.
//
//   node apps/auth/scripts/auth-keys.js [--dir DIR] [--rotate]
//     (no flag)   create a key only if DIR has none
//     --rotate    add a new key (it signs after AUTH_KEY_ACTIVATION_DELAY_MS; remove old ones after 8 h)
//   node apps/auth/scripts/auth-keys.js --service-key   print a fresh service API key (hk_…) for
//                                                       AUTH_BOOTSTRAP_SERVICE_KEYS
const { generateKeyPairSync, randomBytes } = require('node:crypto');
const { mkdirSync, readdirSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function newServiceKey() {
  const id = [...randomBytes(16)].map((b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join('');
  return `hk_${id}_${randomBytes(32).toString('base64url')}`;
}

/** `auth-20260101T120000Z-ab12`: sorts by creation time, so the greatest kid is the newest key. */
function newKid(now = new Date()) {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `auth-${stamp}-${randomBytes(2).toString('hex')}`;
}

function ensureKeys(dir, { rotate = false } = {}) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const existing = readdirSync(dir).filter((f) => f.endsWith('.pem'));
  if (existing.length && !rotate) return { created: undefined, existing };
  const kid = newKid();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const path = join(dir, `${kid}.pem`);
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  return { created: { kid, path }, existing };
}

module.exports = { ensureKeys, newKid, newServiceKey };

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes('--service-key')) {
    process.stdout.write(`${newServiceKey()}\n`);
    process.exit(0);
  }
  const dirFlag = args.indexOf('--dir');
  const dir = resolve(dirFlag >= 0 ? args[dirFlag + 1] : join(__dirname, '../../../.infra/auth-keys'));
  if (dirFlag >= 0 && !args[dirFlag + 1]) {
    process.stderr.write('--dir needs a value\n');
    process.exit(2);
  }
  const { created, existing } = ensureKeys(dir, { rotate: args.includes('--rotate') });
  process.stdout.write(
    created
      ? `auth-keys: wrote ${created.path} (kid ${created.kid})\n`
      : `auth-keys: ${existing.length} key(s) already in ${dir}, nothing to do (use --rotate to add one)\n`,
  );
}
