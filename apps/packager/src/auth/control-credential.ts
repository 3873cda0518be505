import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The control API's service credential: `Authorization: Bearer <key>`, compared in constant time (both
 * sides hashed first, so neither length nor content leaks through timing).
 */
export class ControlCredential {
  private readonly digest: Buffer;

  constructor(key: string) {
    this.digest = createHash('sha256').update(key).digest();
  }

  accepts(authorization: string | undefined): boolean {
    const match = /^Bearer (.+)$/.exec(authorization ?? '');
    if (!match) return false;
    return timingSafeEqual(createHash('sha256').update(match[1]).digest(), this.digest);
  }
}
