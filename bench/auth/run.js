#!/usr/bin/env node
// Token verifications per second: @hoot/auth-kit's TokenVerifier (JWKS-cached keys, pinned RS256, full
// claim checks, revocation lookup) against raw `jsonwebtoken.verify` with the same key and token, in the
// same process, interleaved rounds so both see the same machine state. Prints the ratio and writes
// bench/results/auth-<timestamp>.json.
//
//   node bench/auth/run.js [--seconds-per-round 1] [--rounds 5]
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const os = require('node:os');
require('../../tools/ts-node/register.js');

const jwt = require('jsonwebtoken');
const { JwksKeyCache, RevocationSet, TokenVerifier } = require('@hoot/auth-kit');
const { jwksOf, signTestToken, testKeyPair } = require('@hoot/auth-kit/testing');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const secondsPerRound = arg('--seconds-per-round', 1);
const rounds = arg('--rounds', 5);

const ISSUER = 'https://auth.bench';
const pair = testKeyPair('bench-key');
const token = signTestToken(pair, { issuer: ISSUER, audience: 'hoot', ttlSeconds: 8 * 3600 });

// A realistic revocation set: a few thousand revoked tokens and subjects.
const revocations = new RevocationSet();
for (let i = 0; i < 5000; i++) revocations.revokeToken(`revoked-${i}`, Date.now() + 3_600_000);
for (let i = 0; i < 500; i++) revocations.revokeSubject(`acc-revoked-${i}`, Date.now());

const verifier = new TokenVerifier({
  issuer: ISSUER,
  audiences: ['hoot'],
  keys: new JwksKeyCache({ fetchJwks: async () => jwksOf(pair) }),
  revocations,
});
const publicKey = pair.publicKey;

async function viaAuthKit(n) {
  for (let i = 0; i < n; i++) await verifier.verify(token);
}
function viaJsonwebtoken(n) {
  for (let i = 0; i < n; i++)
    jwt.verify(token, publicKey, { algorithms: ['RS256'], issuer: ISSUER, audience: 'hoot' });
}

/** Runs batches until `seconds` passed; returns operations per second. */
async function measure(fn, seconds) {
  const batch = 200;
  let ops = 0;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round(seconds * 1e9));
  let now = t0;
  while (now < deadline) {
    await fn(batch);
    ops += batch;
    now = process.hrtime.bigint();
  }
  return ops / (Number(now - t0) / 1e9);
}

async function main() {
  // Sanity: both accept the token; warm-up (JIT, JWKS fetch).
  await verifier.verify(token);
  jwt.verify(token, publicKey, { algorithms: ['RS256'], issuer: ISSUER, audience: 'hoot' });
  await measure(viaAuthKit, 0.5);
  await measure(viaJsonwebtoken, 0.5);

  const authKit = [];
  const raw = [];
  for (let r = 0; r < rounds; r++) {
    authKit.push(await measure(viaAuthKit, secondsPerRound));
    raw.push(await measure(viaJsonwebtoken, secondsPerRound));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const result = {
    benchmark: 'auth-token-verification',
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    cpus: os.cpus().length,
    tokenBytes: Buffer.byteLength(token),
    key: 'RSA 2048, RS256',
    rounds,
    secondsPerRound,
    authKitVerificationsPerSecond: Math.round(median(authKit)),
    jsonwebtokenVerificationsPerSecond: Math.round(median(raw)),
    ratio: Number((median(authKit) / median(raw)).toFixed(3)),
    perRound: { authKit: authKit.map(Math.round), jsonwebtoken: raw.map(Math.round) },
  };
  const dir = join(__dirname, '../results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `auth-${result.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `auth-kit ${result.authKitVerificationsPerSecond}/s vs jsonwebtoken.verify ${result.jsonwebtokenVerificationsPerSecond}/s ` +
      `→ ratio ${result.ratio} (auth-kit / raw), median of ${rounds} rounds; written to ${file}`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
