import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Clock } from '@hoot/domain';
import type { Jwks } from '@hoot/auth-kit';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** When this process first saw the key (or the file's mtime at the first load), epoch ms. */
  seenAt: number;
  /** Which reload first saw it (0 = the first load). */
  generation: number;
}

export interface KeyRingOptions {
  dir: string;
  clock: Clock;
  /** Sign with this kid (when present); otherwise with the newest active key. */
  signingKid?: string;
  activationDelayMs: number;
}

const KID = /^[A-Za-z0-9._-]{1,128}$/;
const MIN_BITS = 2048;

/**
 * The signing keys, read from a directory of `<kid>.pem` RSA private keys (a Kubernetes Secret mounted as
 * files). All keys are published in the JWKS; the signing key is the configured kid, or else the newest
 * (greatest kid) among keys known for at least the activation delay. Rotation: add a key file (it
 * starts signing after the delay); remove the old one once its last token expired.
 */
export class KeyRing {
  private keys = new Map<string, SigningKey>();
  private loadedOnce = false;
  private generation = 0;

  constructor(private readonly options: KeyRingOptions) {}

  /** Re-reads the directory. Throws if no usable key is left (keeps the previous set in that case). */
  reload(): { added: string[]; removed: string[] } {
    const now = this.options.clock.now();
    const next = new Map<string, SigningKey>();
    const files = readdirSync(this.options.dir).filter((f) => f.endsWith('.pem') && !f.startsWith('.'));
    for (const file of files.sort()) {
      const kid = basename(file, '.pem');
      if (!KID.test(kid))
        throw new Error(`key file ${file}: name must be <kid>.pem with kid matching ${KID}`);
      const path = join(this.options.dir, file);
      const previous = this.keys.get(kid);
      if (previous) {
        next.set(kid, previous);
        continue;
      }
      const privateKey = createPrivateKey(readFileSync(path));
      if (privateKey.asymmetricKeyType !== 'rsa') throw new Error(`key file ${file}: not an RSA key`);
      const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < MIN_BITS)
        throw new Error(`key file ${file}: ${bits}-bit key, at least ${MIN_BITS} required`);
      const seenAt = this.loadedOnce ? now : Math.min(now, statSync(path).mtimeMs);
      next.set(kid, {
        kid,
        privateKey,
        publicKey: createPublicKey(privateKey),
        seenAt,
        generation: this.generation,
      });
    }
    if (next.size === 0) throw new Error(`no <kid>.pem key in ${this.options.dir}`);
    if (this.options.signingKid && !next.has(this.options.signingKid)) {
      throw new Error(`AUTH_SIGNING_KID ${this.options.signingKid} has no key file in ${this.options.dir}`);
    }
    const added = [...next.keys()].filter((k) => !this.keys.has(k));
    const removed = [...this.keys.keys()].filter((k) => !next.has(k));
    this.keys = next;
    this.loadedOnce = true;
    this.generation += 1;
    return { added, removed };
  }

  /** The key new tokens are signed with. */
  signingKey(): SigningKey {
    if (this.options.signingKid) return this.keys.get(this.options.signingKid)!;
    const now = this.options.clock.now();
    const sorted = [...this.keys.values()].sort((a, b) => (a.kid < b.kid ? 1 : -1));
    const active = sorted.find((k) => now - k.seenAt >= this.options.activationDelayMs);
    if (active) return active;
    // No key old enough yet (a fresh deployment, or every file just rewritten): the newest of the keys
    // known longest; verifiers that miss it refetch on unknown kid.
    return sorted.reduce((best, k) =>
      k.generation < best.generation || (k.generation === best.generation && k.seenAt < best.seenAt)
        ? k
        : best,
    );
  }

  publicKeys(): ReadonlyMap<string, KeyObject> {
    return new Map([...this.keys.values()].map((k) => [k.kid, k.publicKey]));
  }

  kids(): string[] {
    return [...this.keys.keys()];
  }

  jwks(): Jwks {
    return {
      keys: [...this.keys.values()].map((k) => ({
        ...(k.publicKey.export({ format: 'jwk' }) as { kty: string; n: string; e: string }),
        kid: k.kid,
        use: 'sig',
        alg: 'RS256',
      })),
    };
  }
}
