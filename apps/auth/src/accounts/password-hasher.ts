import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * scrypt parameters: N=2^15, r=8, p=1 → 32 MiB and tens of ms per hash, the OWASP minimum for scrypt.
 * Stored with the hash, so they can be raised later without breaking existing hashes.
 */
export const SCRYPT_DEFAULTS = { N: 2 ** 15, r: 8, p: 1, keyLength: 64, saltBytes: 16 } as const;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(
      password,
      salt,
      keyLength,
      { ...options, maxmem: 256 * options.N! * options.r! },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

export class PasswordHasher {
  constructor(private readonly params: { N: number; r: number; p: number } = SCRYPT_DEFAULTS) {}

  /** `scrypt$N$r$p$salt$hash` (base64url). */
  async hash(password: string): Promise<string> {
    const salt = randomBytes(SCRYPT_DEFAULTS.saltBytes);
    const { N, r, p } = this.params;
    const key = await scrypt(password, salt, SCRYPT_DEFAULTS.keyLength, { N, r, p });
    return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  /** Constant-time comparison; a malformed stored hash never matches. */
  async verify(password: string, stored: string): Promise<boolean> {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
    const [N, r, p] = parts.slice(1, 4).map(Number);
    if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) return false;
    const expected = Buffer.from(parts[5], 'base64url');
    const key = await scrypt(password, Buffer.from(parts[4], 'base64url'), expected.length, { N, r, p });
    return key.length === expected.length && timingSafeEqual(key, expected);
  }
}
