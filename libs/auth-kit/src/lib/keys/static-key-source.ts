import type { KeyObject } from 'node:crypto';
import type { VerificationKeySource } from './verification-key-source';

/** Keys held in memory (the auth service's own key ring, or tests). */
export class StaticKeySource implements VerificationKeySource {
  constructor(private keys: ReadonlyMap<string, KeyObject>) {}

  replace(keys: ReadonlyMap<string, KeyObject>): void {
    this.keys = keys;
  }

  async getKey(kid: string): Promise<KeyObject | undefined> {
    return this.keys.get(kid);
  }
}
